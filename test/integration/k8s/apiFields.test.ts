import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiFields } from '../../../scripts/generate-k8s-list-types';
import { testCluster } from '../support';

describe('the API defaults and deprecated fields table (src/core/k8s/apiFields.json)', function () {
  this.timeout(120_000);

  it('is what the generator makes from the pinned API server: regenerate it after a version bump', async () => {
    const committed = JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', 'src', 'core', 'k8s', 'apiFields.json'), 'utf8'),
    );
    assert.deepEqual(
      await generateApiFields(testCluster()),
      committed,
      'run: npx tsx scripts/generate-k8s-list-types.ts',
    );
  });
});
