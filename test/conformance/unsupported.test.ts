import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemError, type Problem } from '../../src/core/model/problem';
import { loadCases } from './caseLoader';
import { kustomizeBuild } from './kustomizeCli';
import { renderOurs } from './ourRenderer';

// Features we do not support yet (Helm, remote bases, plugins, custom schemas): never a silent skip, never fetched or
// executed. kustomize with default options refuses most of them too (Helm and plugins need flags it was not given).
describe('kustomize conformance: unsupported features', () => {
  for (const c of loadCases()) {
    const expected = c.unsupported;
    if (!expected) continue;
    it(`${c.name}: ${c.description}`, async () => {
      const sentinel = expected.sentinel ? join(c.repoRoot, expected.sentinel) : undefined;
      if (sentinel) rmSync(sentinel, { force: true });
      if (expected.runKustomize) {
        const want = await kustomizeBuild(c.repoRoot, c.roots[0]);
        if (expected.kustomizeFails)
          assert.equal(
            want.ok,
            false,
            'kustomize accepted this input with default options; the case expects it to refuse',
          );
        else
          assert.equal(
            want.ok,
            true,
            `kustomize refused input the case says it supports: ${want.ok ? '' : want.stderr}`,
          );
        if (sentinel) assert.equal(existsSync(sentinel), false, 'kustomize ran the plugin; the case cannot check us');
      }

      let problems: Problem[];
      try {
        problems = (await renderOurs(c.repoRoot, c.roots[0])).problems;
      } catch (e) {
        if (!(e instanceof ProblemError)) throw e;
        problems = [e.problem];
      }
      const hit = problems.find((p) => p.location?.file === expected.file && p.location.line === expected.line);
      assert.ok(hit, `no diagnostic at ${expected.file}:${expected.line}; got ${JSON.stringify(problems)}`);
      assert.ok(
        hit.message.includes(expected.mentions),
        `the diagnostic should name ${expected.mentions}: ${hit.message}`,
      );
      if (sentinel)
        assert.equal(
          existsSync(sentinel),
          false,
          `rendering executed the repo's plugin (${expected.sentinel} was created)`,
        );
    });
  }
});
