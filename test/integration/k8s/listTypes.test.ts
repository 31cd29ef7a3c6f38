import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateListTypes } from '../../../scripts/generate-k8s-list-types';
import { testCluster } from '../support';

describe('the list-type table (src/core/k8s/listTypes.json)', function () {
  this.timeout(120_000);

  it('is what the generator makes from the pinned API server and kustomize schema: regenerate it after a version bump', async () => {
    const committed = JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', 'src', 'core', 'k8s', 'listTypes.json'), 'utf8'),
    );
    assert.deepEqual(
      await generateListTypes(testCluster()),
      committed,
      'run: npx tsx scripts/generate-k8s-list-types.ts',
    );
  });
});
