import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { keyOf } from '../../src/core/model/resource';
import { loadCases } from './caseLoader';
import { compareObjects } from './compareObjects';
import { kustomizeBuild } from './kustomizeCli';
import { renderOurs } from './ourRenderer';

// Each case renders with the real `kustomize build` (test bed binary) and with our renderer, at test time.
describe('kustomize conformance: rendered output', () => {
  for (const c of loadCases()) {
    if (c.error || c.unsupported) continue;
    for (const root of c.roots) {
      const title = c.roots.length > 1 ? `${c.name} [${root}]` : c.name;
      it(`${title}: ${c.description}`, async () => {
        const want = await kustomizeBuild(c.repoRoot, root);
        // A case kustomize itself rejects is a broken case, not a renderer failure.
        if (!want.ok) assert.fail(`kustomize build ${root} failed; fix the case:\n${want.stderr}`);
        assert.ok(want.objects.length > 0, 'kustomize renders no objects; the case would compare nothing');
        const got = await renderOurs(c.repoRoot, root);
        const diff = compareObjects(
          want.objects,
          got.objects.map((o) => o.object),
        );
        if (diff) assert.fail(`rendered output differs from kustomize build ${root}\n${diff}`);
        // The editor shows every problem: warnings on a valid repo would be false alarms.
        const warnings = got.problems.map((p) => `${p.location?.file}:${p.location?.line}`).sort();
        assert.deepEqual(warnings, [...c.warnings].sort(), `unexpected diagnostics: ${JSON.stringify(got.problems)}`);
        for (const o of got.objects) {
          // The key is what drift pairs desired and live objects by: it must describe the rendered object.
          if (!isDeepStrictEqual(o.key, keyOf(o.object)))
            assert.fail(`key ${JSON.stringify(o.key)} does not match its object ${JSON.stringify(keyOf(o.object))}`);
        }
      });
    }
  }
});
