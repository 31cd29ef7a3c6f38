import { strict as assert } from 'node:assert';
import { textReport } from '../../../src/core/drift/textReport';
import type { EnvironmentDrift, ResourceDrift } from '../../../src/core/model/drift';

const unread = (name: string, verdict: 'Forbidden' | 'UnknownKind', message: string, line: number): ResourceDrift =>
  ({
    key: { group: 'x.io', kind: 'CronTab', namespace: 'shop', name },
    apiVersion: 'x.io/v1beta1',
    verdict,
    message,
    fields: [],
    source: { file: 'envs/dev/tabs.yaml', line },
  }) as unknown as ResourceDrift;

describe('text report: one cause said once', () => {
  it('says a failure cause in full for its first object, and points back to it for the others', () => {
    const notServed =
      'version not served: the cluster does not serve CronTab in x.io/v1beta1 (it serves it in x.io/v1)';
    const env: EnvironmentDrift = {
      name: 'dev',
      path: 'envs/dev',
      context: 'ctx',
      namespace: 'shop',
      error: null,
      resources: [
        unread('a', 'UnknownKind', notServed, 1),
        unread('b', 'UnknownKind', notServed, 8),
        unread('c', 'Forbidden', 'list crontabs.x.io in namespace "shop" is forbidden', 15),
        unread('d', 'UnknownKind', notServed, 22),
      ],
    } as unknown as EnvironmentDrift;
    const lines = textReport([env]).split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/ +/g, ' ')),
      [
        `dev CronTab shop/a not deployed: ${notServed} envs/dev/tabs.yaml:1`,
        'dev CronTab shop/b not deployed: as for CronTab shop/a envs/dev/tabs.yaml:8',
        'dev CronTab shop/c forbidden: list crontabs.x.io in namespace "shop" is forbidden envs/dev/tabs.yaml:15',
        'dev CronTab shop/d not deployed: as for CronTab shop/a envs/dev/tabs.yaml:22',
        '',
        'dev: 3 not deployed, 1 forbidden',
        '',
      ],
    );
  });
});
