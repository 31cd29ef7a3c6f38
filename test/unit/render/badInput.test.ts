import { strict as assert } from 'node:assert';
import { runCli } from '../../../src/cli/main';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { ProblemError } from '../../../src/core/model/problem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';

async function problem(files: Record<string, string>, dir = 'app'): Promise<ProblemError> {
  try {
    await renderKustomization(dir, { fs: new MemoryFileSystem(files, '/repo'), repoRoot: '/repo' });
  } catch (e) {
    assert.ok(e instanceof ProblemError, `expected a ProblemError, got ${String(e)}`);
    return e;
  }
  assert.fail('render succeeded on bad input');
}

const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';

describe('render bad input: a ProblemError at file:line with a one-line cause', () => {
  it('malformed YAML points at the broken line', async () => {
    const e = await problem({
      'app/kustomization.yaml': 'resources:\n- a.yaml\n',
      'app/a.yaml': 'kind: ConfigMap\nmetadata:\n  name: [unclosed\n',
    });
    assert.equal(e.problem.location?.file, 'app/a.yaml');
    assert.ok((e.problem.location?.line ?? 0) >= 3, `line ${e.problem.location?.line}`);
    assert.match(e.problem.message, /^malformed YAML/);
    assert.ok(!e.problem.message.includes('\n'));
  });

  it('a missing resource file points at the resources entry', async () => {
    const e = await problem({ 'app/kustomization.yaml': 'resources:\n- a.yaml\n- gone.yaml\n', 'app/a.yaml': cm });
    assert.deepEqual(e.problem.location, { file: 'app/kustomization.yaml', line: 3, column: 3, kind: 'resource' });
    assert.match(e.problem.message, /gone\.yaml.*not found/);
  });

  it('a kustomization cycle names the chain', async () => {
    const e = await problem({
      'app/kustomization.yaml': 'resources:\n- ../b\n',
      'b/kustomization.yaml': 'resources:\n- ../app\n',
    });
    assert.match(e.problem.message, /cycle: app -> b -> app/);
    assert.equal(e.problem.location?.file, 'b/kustomization.yaml');
  });

  it('a path escaping the repo root is refused before anything is read', async () => {
    const fs = new MemoryFileSystem(
      {
        'repo/app/kustomization.yaml': 'resources:\n- ../../secret/x\n',
        'secret/x/kustomization.yaml': 'resources: []\n',
      },
      '/',
    );
    const reads: string[] = [];
    const spy = {
      ...fs,
      readFile: (p: string) => (reads.push(p), fs.readFile(p)),
      readDir: (p: string) => (reads.push(p), fs.readDir(p)),
      stat: (p: string) => (reads.push(p), fs.stat(p)),
    };
    await assert.rejects(
      renderKustomization('app', { fs: spy, repoRoot: '/repo' }),
      (e: ProblemError) => /outside the repo root/.test(e.message) && e.problem.location?.line === 2,
    );
    assert.ok(
      reads.every((p) => p.startsWith('/repo/')),
      reads.join(', '),
    );
  });

  it('duplicate resource ids point at the second declaration', async () => {
    const e = await problem({ 'app/kustomization.yaml': 'resources:\n- a.yaml\n', 'app/a.yaml': `${cm}---\n${cm}` });
    assert.match(e.problem.message, /duplicate resource ConfigMap c \(already declared at app\/a\.yaml:1\)/);
    assert.equal(e.problem.location?.line, 6);
  });

  it('a patch matching nothing and an invalid JSON6902 op are errors at their lines', async () => {
    const noMatch = await problem({
      'app/kustomization.yaml': 'resources:\n- a.yaml\npatches:\n- path: p.yaml\n',
      'app/a.yaml': cm,
      'app/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n',
    });
    assert.match(noMatch.problem.message, /no ConfigMap named 'other'/);
    assert.equal(noMatch.problem.location?.file, 'app/p.yaml');
    const badOp = await problem({
      'app/kustomization.yaml':
        'resources:\n- a.yaml\npatches:\n- target: {kind: ConfigMap}\n  patch: |-\n    - op: add\n      path: /data\n      value: {x: y}\n    - op: frobnicate\n      path: /data\n',
      'app/a.yaml': cm,
    });
    assert.match(badOp.problem.message, /invalid JSON6902 op 'frobnicate'/);
    assert.deepEqual([badOp.problem.location?.file, badOp.problem.location?.line], ['app/kustomization.yaml', 9]);
  });

  it('unsupported features are reported with their line and never fetched or run', async () => {
    const fs = new MemoryFileSystem(
      {
        'app/kustomization.yaml':
          'resources:\n- a.yaml\n- https://github.com/x/y//base?ref=v1\nhelmCharts:\n- name: redis\n  repo: https://charts.example.com\n',
        'app/a.yaml': cm,
      },
      '/repo',
    );
    const r = await renderKustomization('app', { fs, repoRoot: '/repo' });
    assert.deepEqual(
      r.problems.map((p) => [p.severity, p.location?.line]),
      [
        ['warning', 3],
        ['warning', 5],
      ],
    );
    assert.match(
      r.problems[1].message,
      /helmCharts 'redis': chart charts.example.com\/redis latest not downloaded: chart downloads are off: enable the setting gitopsDrift\.helm\.chartDownloads in the editor .* \(kustomize would pull it into/,
    );
    assert.equal(r.objects.length, 1);
  });

  it('the CLI exits 2 with file:line and no stack trace', async () => {
    let err = '';
    const code = await runCli(['render', '/nonexistent-gitops-drift-dir', '--repo-root', '/'], {
      stdout: () => {},
      stderr: (t) => (err += t),
      cwd: '/',
      color: false,
      env: {},
    });
    assert.equal(code, 2);
    // With the file system root as the repo root, paths stay absolute: 'nonexistent-…' would read as relative.
    assert.match(
      err,
      /^error: \/nonexistent-gitops-drift-dir: no kustomization\.yaml.* in \/nonexistent-gitops-drift-dir\n/,
    );
    assert.ok(!/\n\s+at /.test(err), err);
  });
});
