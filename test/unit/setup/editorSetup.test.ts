/**
 * `npm test` runs the editor setup from inside npm (Node 20): the outer npm's environment must not reach the inner
 * npm (Node 24) that installs code-server, whose postinstall reads `npm_config_user_agent` as "the Node version".
 * This runs the setup script under a real `npm run`, as `npm test` does, and checks what its installs would see.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const setupScript = resolve(__dirname, '..', '..', '..', 'scripts', 'setup-editor.sh');

describe('editor setup under npm (the environment npm test gives it)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-setup-env-'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'probe',
        private: true,
        scripts: { control: 'env', probe: `bash ${JSON.stringify(setupScript)} --env-probe` },
      }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // A registry the user set in the environment: how to reach packages is the user's, for both npms.
  const userRegistry = 'https://registry.example.invalid/';
  const runScript = (script: string): Map<string, string> => {
    const r = spawnSync('npm', ['run', '--silent', script], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, npm_config_registry: userRegistry },
    });
    assert.equal(r.status, 0, r.stderr);
    return new Map(
      r.stdout
        .split('\n')
        .filter((l) => /^[A-Za-z_@][^=]*=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  };
  const outerNpm = [
    'npm_config_user_agent',
    'npm_config_node_gyp',
    'npm_config_npm_version',
    'npm_config_prefix',
    'npm_execpath',
    'npm_node_execpath',
    'npm_lifecycle_event',
    'NODE',
    'INIT_CWD',
  ];

  it('hands none of the outer npm variables to the installs, and keeps how to reach the registry', () => {
    // The control shows the problem is there to remove: npm passes its user agent (with its Node version) down.
    const control = runScript('control');
    assert.match(control.get('npm_config_user_agent') ?? '', /node\/v\d+/);
    const probe = runScript('probe');
    assert.deepEqual(
      outerNpm.filter((v) => probe.has(v)),
      [],
    );
    assert.deepEqual(
      [...probe.keys()].filter(
        (k) => /^npm_/.test(k) && !/^npm_config_(registry|cache|userconfig|globalconfig|cafile|noproxy)$/.test(k),
      ),
      [],
    );
    assert.equal(probe.get('npm_config_registry'), userRegistry);
  });
});
