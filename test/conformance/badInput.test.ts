import assert from 'node:assert/strict';
import { ProblemError } from '../../src/core/model/problem';
import { loadCases } from './caseLoader';
import { kustomizeBuild } from './kustomizeCli';
import { renderOurs } from './ourRenderer';

// Bad input: the real kustomize rejects it, and we throw a ProblemError pointing at the file (and line) to fix.
describe('kustomize conformance: bad input', () => {
  for (const c of loadCases()) {
    const expected = c.error;
    if (!expected) continue;
    const root = c.roots[0];
    it(`${c.name}: ${c.description}`, async () => {
      const want = await kustomizeBuild(c.repoRoot, root);
      if (expected.kustomizeFails) assert.equal(want.ok, false, 'kustomize accepted this input; fix the case');
      else assert.equal(want.ok, true, 'the case marks a deliberate divergence, but kustomize rejects the input too');

      const thrown = await renderOurs(c.repoRoot, root).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(thrown !== undefined, 'our renderer accepted input it must reject');
      if (!(thrown instanceof ProblemError)) {
        assert.fail(
          `expected a ProblemError, got ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`,
        );
      }
      const { problem } = thrown;
      assert.equal(problem.severity, 'error');
      assert.ok(
        problem.message.trim() !== '' && !problem.message.includes('\n'),
        `the cause should be one line: ${JSON.stringify(problem.message)}`,
      );
      assert.equal(problem.location?.file, expected.file, `points at the wrong file: ${thrown.message}`);
      if (expected.line !== undefined)
        assert.equal(problem.location?.line, expected.line, `points at the wrong line: ${thrown.message}`);
    });
  }
});
