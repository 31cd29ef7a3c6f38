import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriftEngine } from '../../../src/core/engine';
import type { KubeObject } from '../../../src/core/model/resource';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';
import { RecordingReader, serializeSnapshot } from '../../../src/core/repo/snapshot';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { FakeReader, types } from '../repo/fakes';
import { runCliIn, writeRepo } from '../../support/cliRepo';

const cm = (name: string, level: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  level: ${level}\n`;
const config = [
  'environments:', //                           1
  '  - name: prod', //                          2
  '    namespace: shop', //                     3
  '    applications:', //                       4
  '      - name: frontend', //                  5
  '        path: apps/frontend', //             6
  '      - name: backend', //                   7
  '        path: apps/backend', //              8
  '        namespace: shop-backend', //         9
  '  - name: dev', //                           10
  '    path: apps/frontend', //                 11
  '',
].join('\n');

describe('CLI: an environment of several applications', () => {
  let dir: string;
  beforeEach(() => {
    dir = writeRepo('gitops-drift-apps-', {
      '.gitops-drift.yaml': config,
      'apps/frontend/kustomization.yaml': 'resources: [web.yaml]\n',
      'apps/frontend/web.yaml': cm('web', 'info'),
      // No kustomization file: a plain folder, rendered as Flux generates one.
      'apps/backend/api.yaml': cm('api', 'debug'),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...argv: string[]) => runCliIn(dir, ...argv);

  it('envs lists each environment with its applications (JSON), and the applications under one of several (text)', async () => {
    const json = JSON.parse((await run('envs', dir, '--format', 'json')).out);
    const prod = json.environments.find((e: { name: string }) => e.name === 'prod');
    assert.deepEqual(prod.applications, [
      {
        name: 'frontend',
        kind: 'kustomize',
        source: 'apps/frontend',
        namespace: null,
        declaredAt: { file: '.gitops-drift.yaml', line: 5, column: 9 },
      },
      {
        name: 'backend',
        kind: 'plain-directory',
        source: 'apps/backend',
        namespace: 'shop-backend',
        declaredAt: { file: '.gitops-drift.yaml', line: 7, column: 9 },
      },
    ]);
    const dev = json.environments.find((e: { name: string }) => e.name === 'dev');
    assert.deepEqual(dev.applications, [
      { name: 'dev', kind: 'kustomize', source: 'apps/frontend', namespace: null, declaredAt: null },
    ]);
    const text = (await run('envs', dir)).out;
    assert.match(
      text,
      /^prod .*\n {2}· frontend {2}apps\/frontend {2}kustomize {2}\.gitops-drift\.yaml:5:9\n {2}· backend {2}apps\/backend {2}plain-directory {2}\.gitops-drift\.yaml:7:9\n/m,
    );
    assert.match(text, /^dev .*\n(?! {2}·)/m);
  });

  it('render --env prints every application in order, --app one of them, as kustomize build does', async () => {
    const all = await run('render', '--env', 'prod', dir, '--allow-incomplete');
    assert.equal(all.code, 0, all.err);
    assert.equal(
      all.out,
      'apiVersion: v1\ndata:\n  level: info\nkind: ConfigMap\nmetadata:\n  name: web\n---\napiVersion: v1\ndata:\n  level: debug\nkind: ConfigMap\nmetadata:\n  name: api\n',
    );
    const backend = await run('render', '--env', 'prod', '--app', 'backend', dir);
    assert.equal(backend.code, 0, backend.err);
    assert.equal(backend.out, 'apiVersion: v1\ndata:\n  level: debug\nkind: ConfigMap\nmetadata:\n  name: api\n');
    // The same output as rendering the folder itself.
    assert.equal((await run('render', join(dir, 'apps/backend'))).out, backend.out);
    const unknown = await run('render', '--env', 'prod', '--app', 'cart', dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /environment 'prod' has no application 'cart' \(it has: frontend, backend\)/);
    assert.equal((await run('render', '--app', 'backend', dir)).code, 2);
  });

  it('render --env exits 2 when two applications render one object, naming both declarations', async () => {
    // backend's objects land in shop-backend: this one names frontend's namespace, so it is the same object.
    writeFileSync(
      join(dir, 'apps/backend/web.yaml'),
      cm('web', 'other').replace('  name: web\n', '  name: web\n  namespace: shop\n'),
    );
    const r = await run('render', '--env', 'prod', dir);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /^error: \.gitops-drift\.yaml:5:9: ConfigMap shop\/web is also rendered by application 'backend' \(\.gitops-drift\.yaml:7:9\)/m,
    );
    assert.match(
      r.err,
      /^error: \.gitops-drift\.yaml:7:9: ConfigMap shop\/web is also rendered by application 'frontend' \(\.gitops-drift\.yaml:5:9\)/m,
    );
    assert.equal(r.out.match(/name: web/g)?.length, 1);
  });

  it("check --format json lists the applications and names each object's, in its application's namespace", async () => {
    const live: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'shop' }, data: { level: 'info' } },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'api', namespace: 'shop-backend' },
        data: { level: 'trace' },
      },
    ];
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: dir.split('\\').join('/') });
    const recorder = new RecordingReader(new FakeReader(live, types), new SnapshotKey(Buffer.alloc(32, 5)));
    await engine.check(await engine.environment('prod'), { reader: recorder, context: 'fake' });
    const snapshot = join(dir, 'snap.yaml');
    writeFileSync(snapshot, serializeSnapshot(recorder.snapshot('2026-12-06T00:00:00Z')));

    const r = await run(
      'check',
      dir,
      '--env',
      'prod',
      '--live-from',
      snapshot,
      '--format',
      'json',
      '--allow-incomplete',
    );
    assert.equal(r.code, 1, r.err);
    const [prod] = JSON.parse(r.out).environments;
    assert.deepEqual(prod.applications, [
      {
        name: 'frontend',
        kind: 'kustomize',
        source: 'apps/frontend',
        declaredAt: { file: '.gitops-drift.yaml', line: 5, column: 9 },
        state: 'rendered',
        message: null,
      },
      {
        name: 'backend',
        kind: 'plain-directory',
        source: 'apps/backend',
        declaredAt: { file: '.gitops-drift.yaml', line: 7, column: 9 },
        state: 'rendered',
        message: null,
      },
    ]);
    assert.deepEqual(
      prod.resources.map(
        (x: { application: string; namespace: string; name: string; verdict: string }) =>
          `${x.application} ${x.namespace}/${x.name} ${x.verdict}`,
      ),
      ['frontend shop/web InSync', 'backend shop-backend/api Drifted'],
    );
  });
});
