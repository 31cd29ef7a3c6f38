import * as assert from 'node:assert/strict';
import { objectsAtLine } from '../../../src/core/editor/objectsAtLine';
import type { ResourceDrift, Verdict } from '../../../src/core/model/drift';

const object = (
  name: string,
  verdict: Verdict,
  source: { file: string; line: number },
  fieldAt?: { file: string; line: number },
): ResourceDrift => ({
  apiVersion: 'v1',
  key: { group: '', kind: 'ConfigMap', namespace: 'shop', name },
  verdict,
  source: { ...source, column: 1 },
  fields: fieldAt
    ? [{ path: '/data/A', desired: '1', live: '2', origin: { ...fieldAt, column: 3, kind: 'strategicMergePatch' } }]
    : [],
});

// base/app.yaml holds two documents: `web` from line 1, `api` from line 9; prod patches api's data at its line 6.
const reports = [
  {
    name: 'dev',
    resources: [
      object('web', 'InSync', { file: 'base/app.yaml', line: 1 }),
      object('api', 'InSync', { file: 'base/app.yaml', line: 9 }),
    ],
  },
  {
    name: 'prod',
    resources: [
      object('web', 'InSync', { file: 'base/app.yaml', line: 1 }),
      object('api', 'Drifted', { file: 'base/app.yaml', line: 9 }, { file: 'envs/prod/patch.yaml', line: 6 }),
    ],
  },
];
const names = (found: ReturnType<typeof objectsAtLine>) => found.map((o) => `${o.env}:${o.key.name}`);

describe('objects at a line (reveal in the Environments view)', () => {
  it('finds the document the line is in, in every environment, the ones that need attention first', () => {
    assert.deepEqual(names(objectsAtLine(reports, 'base/app.yaml', 4)), ['dev:web', 'prod:web']);
    assert.deepEqual(names(objectsAtLine(reports, 'base/app.yaml', 12)), ['prod:api', 'dev:api']);
  });

  it('puts the environment the view has selected first', () => {
    assert.deepEqual(names(objectsAtLine(reports, 'base/app.yaml', 12, 'dev')), ['dev:api', 'prod:api']);
  });

  it('finds the object a patch line sets a field of', () => {
    assert.deepEqual(names(objectsAtLine(reports, 'envs/prod/patch.yaml', 6)), ['prod:api']);
    assert.deepEqual(objectsAtLine(reports, 'envs/prod/patch.yaml', 5), []);
    assert.deepEqual(objectsAtLine(reports, 'README.md', 1), []);
  });
});
