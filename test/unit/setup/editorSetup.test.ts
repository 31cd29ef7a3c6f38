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
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'probe', private: true, scripts: { control: 'env', probe: `bash ${JSON.stringify(setupScript)} --env-probe` } }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const runScript = (script: string): string[] => {
    const r = spawnSync('npm', ['run', '--silent', script], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n');
  };
  const npmVariables = (lines: string[]) => lines.filter((l) => /^(npm_|NPM_|NODE=|INIT_CWD=)/.test(l)).map((l) => l.split('=')[0]);

  it('hands none of the outer npm variables to the installs', () => {
    // The control shows the problem is there to remove: npm passes its user agent (with its Node version) down.
    const control = runScript('control');
    assert.ok(control.some((l) => /^npm_config_user_agent=.*node\/v\d+/.test(l)), 'npm run passes npm_config_user_agent');
    assert.deepEqual(npmVariables(runScript('probe')), []);
  });
});
