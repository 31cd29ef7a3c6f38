import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';

describe('CLI arguments (node:util parseArgs)', () => {
  const spec = { strings: ['env'], booleans: ['apply'] };
  const rows: [string[], { options: Record<string, unknown>; positionals: string[] } | string][] = [
    [['--env', 'dev', 'repo'], { options: { env: 'dev' }, positionals: ['repo'] }],
    [['--env=dev', '--apply'], { options: { env: 'dev', apply: true }, positionals: [] }],
    [['--', '--env'], { options: {}, positionals: ['--env'] }],
    [['--apply=yes'], '--apply takes no value'],
    [['--env'], '--env needs a value'],
    [['--nope'], 'unknown option --nope'],
    [['-e'], 'unknown option -e'],
  ];
  for (const [args, expected] of rows) {
    it(args.join(' '), () => {
      if (typeof expected === 'string')
        assert.throws(
          () => parseArgs(args, spec),
          (e: unknown) => e instanceof UsageError && e.message === expected,
        );
      else assert.deepEqual(parseArgs(args, spec), expected);
    });
  }

  it("--version prints package.json's version", async () => {
    let out = '';
    const code = await runCli(['--version'], {
      stdout: (t) => (out += t),
      stderr: () => {},
      cwd: '/',
      color: false,
      env: {},
    });
    assert.equal(code, 0);
    assert.equal(
      out,
      `${JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version}\n`,
    );
  });
});
