import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main';
import { loadCases } from './caseLoader';
import { compareObjects } from './compareObjects';
import { kustomizeBuild, parseStream } from './kustomizeCli';

// `gitops-drift render DIR` must print what `kustomize build DIR` prints: the same objects, typed the same by a
// YAML 1.2 reader and by a YAML 1.1 reader (where an unquoted `yes` or `0755` would change type).
describe('kustomize conformance: gitops-drift render output', () => {
  for (const c of loadCases()) {
    if (c.error || c.unsupported) continue;
    for (const root of c.roots) {
      const title = c.roots.length > 1 ? `${c.name} [${root}]` : c.name;
      it(`${title}: CLI YAML parses to kustomize's objects`, async () => {
        const want = await kustomizeBuild(c.repoRoot, root);
        if (!want.ok) assert.fail(`kustomize build ${root} failed; fix the case:\n${want.stderr}`);
        let stdout = '';
        let stderr = '';
        const code = await runCli(['render', root, '--repo-root', c.repoRoot], {
          stdout: (t) => (stdout += t),
          stderr: (t) => (stderr += t),
          cwd: c.repoRoot,
          color: false,
          env: {},
        });
        assert.equal(code, 0, `gitops-drift render exited ${code}: ${stderr}`);
        if (c.exactText)
          assert.equal(stdout, want.stdout, `gitops-drift render ${root} does not print what kustomize build prints`);
        for (const version of ['1.2', '1.1'] as const) {
          const diff = compareObjects(parseStream(want.stdout, version, true), parseStream(stdout, version, true));
          if (diff)
            assert.fail(`read as YAML ${version}, gitops-drift render ${root} differs from kustomize build\n${diff}`);
        }
      });
    }
  }
});
