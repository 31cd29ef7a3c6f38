import { strict as assert } from 'node:assert';
import { structuredPatch } from 'diff';
import { compareEnvironments } from '../../../src/core/authoring/compareEnvironments';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { renderShop } from './shopOverlays';
import { runMasker } from '../../../src/core/drift/secrets';

/** The run's masks of the example tokens (the key is random per process, so the masks are too). */
const BASE_TOKEN_MASK = runMasker.mask(Buffer.from('base-token'));
const PROD_TOKEN_MASK = runMasker.mask(Buffer.from('prod-token'));

/** The changed lines of a unified diff of the two texts, `-old` / `+new`, in order. */
function changedLines(left: string, right: string): string[] {
  return structuredPatch('left', 'right', left, right, undefined, undefined, { context: 0 }).hunks.flatMap(
    (h) => h.lines,
  );
}

/** Environment `a` as the comparison shows it: real names (a generator's hash in references as `-<hash>`), its namespace as `<namespace>`. */
const shownA = `apiVersion: v1
data:
  LOG_LEVEL: info
  THEME: light
kind: ConfigMap
metadata:
  name: a-web-config-k8fc48mdmd
  namespace: <namespace>
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: a-web
  namespace: <namespace>
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - env:
        - name: LOG_FORMAT
          value: json
        envFrom:
        - configMapRef:
            name: a-web-config-<hash>
        - secretRef:
            name: a-web-secret-<hash>
        image: shop/web:1.0.0
        name: web
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
---
apiVersion: v1
data:
  API_TOKEN: '${BASE_TOKEN_MASK}'
kind: Secret
metadata:
  name: a-web-secret-ktbd8t7fk7
  namespace: <namespace>
type: Opaque
---
apiVersion: v1
kind: Service
metadata:
  name: a-web
  namespace: <namespace>
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: web
`;

describe('compareEnvironments: two environments diffed without the differences overlays make by design', () => {
  it('overlays differing only in namespace and namePrefix vs nameSuffix: each side its real names, nothing else differs', async () => {
    const [a, b] = await renderShop('a', 'b');
    assert.deepEqual(
      a.result.objects.map((o) => `${o.key.namespace}/${o.key.name}`),
      ['team-a/a-web-config-k8fc48mdmd', 'team-a/a-web-secret-ktbd8t7fk7', 'team-a/a-web', 'team-a/a-web'],
    );
    assert.deepEqual(
      b.result.objects.map((o) => `${o.key.namespace}/${o.key.name}`),
      ['team-b/web-config-b-k8fc48mdmd', 'team-b/web-secret-b-ktbd8t7fk7', 'team-b/web-b', 'team-b/web-b'],
    );
    const compared = compareEnvironments(a, b);
    assert.equal(compared.leftText, shownA);
    // The right side is the same objects under b's names: the names are the only lines that differ.
    assert.equal(
      compared.rightText,
      shownA
        .replace(/\ba-(web-(config|secret))-(k8fc48mdmd|ktbd8t7fk7|<hash>)/g, '$1-b-$3')
        .replace(/name: a-web$/gm, 'name: web-b'),
    );
    assert.deepEqual(changedLines(compared.leftText, compared.rightText), [
      '-  name: a-web-config-k8fc48mdmd',
      '+  name: web-config-b-k8fc48mdmd',
      '-  name: a-web',
      '+  name: web-b',
      '-            name: a-web-config-<hash>',
      '+            name: web-config-b-<hash>',
      '-            name: a-web-secret-<hash>',
      '+            name: web-secret-b-<hash>',
      '-  name: a-web-secret-ktbd8t7fk7',
      '+  name: web-secret-b-ktbd8t7fk7',
      '-  name: a-web',
      '+  name: web-b',
    ]);
    assert.deepEqual(compared.summary, { onlyLeft: [], onlyRight: [], changed: [], same: 4 });
  });

  it('both sides renamed by different prefixes: objects still pair, across from each other, under their real names', async () => {
    const [a, dev] = await renderShop('a', 'dev');
    const compared = compareEnvironments(a, dev);
    const names = (text: string) => [...text.matchAll(/^ {2}name: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(names(compared.leftText), [
      'a-web-config-k8fc48mdmd',
      'a-web',
      'a-web-secret-ktbd8t7fk7',
      'a-web',
    ]);
    assert.deepEqual(names(compared.rightText), [
      'dev-web-config-8gmmth85d9',
      'dev-web',
      'dev-web-secret-ktbd8t7fk7',
      'dev-web',
    ]);
    // No name that exists in neither environment (their common part alone, `web`).
    assert.doesNotMatch(compared.leftText + compared.rightText, /^( {2}| {12})name: web(-config|-secret)?(-<hash>)?$/m);
    assert.deepEqual(
      changedLines(compared.leftText, compared.rightText).filter((l) => !/^[-+] +name: /.test(l)),
      [
        '-  LOG_LEVEL: info',
        '+  LOG_LEVEL: debug',
        '-        image: shop/web:1.0.0',
        '+        image: shop/web:1.1.0-rc.1',
      ],
    );
    assert.deepEqual(compared.summary, {
      onlyLeft: [],
      onlyRight: [],
      changed: ['ConfigMap a-web-config-k8fc48mdmd', 'Deployment a-web'],
      same: 2,
    });
  });

  it('a replicas change shows as that one line besides the names', async () => {
    const [b, c] = await renderShop('b', 'c');
    const compared = compareEnvironments(b, c);
    assert.deepEqual(
      changedLines(compared.leftText, compared.rightText).filter((l) => !/^[-+] +name: /.test(l)),
      ['-  replicas: 1', '+  replicas: 3'],
    );
    assert.deepEqual(compared.summary, { onlyLeft: [], onlyRight: [], changed: ['Deployment web-b'], same: 3 });
  });

  it('a changed ConfigMap shows its data and its real name; references to it show no hash', async () => {
    const [dev, staging] = await renderShop('dev', 'staging');
    const compared = compareEnvironments(dev, staging);
    assert.deepEqual(changedLines(compared.leftText, compared.rightText), [
      '-  LOG_LEVEL: debug',
      '+  LOG_LEVEL: info',
      '-  name: dev-web-config-8gmmth85d9',
      '+  name: web-config-k8fc48mdmd',
      '-  name: dev-web',
      '+  name: web',
      '-  replicas: 1',
      '+  replicas: 2',
      '-            name: dev-web-config-<hash>',
      '+            name: web-config-<hash>',
      '-            name: dev-web-secret-<hash>',
      '-        image: shop/web:1.1.0-rc.1',
      '+            name: web-secret-<hash>',
      '+        image: shop/web:1.0.1',
      '-  name: dev-web-secret-ktbd8t7fk7',
      '+  name: web-secret-ktbd8t7fk7',
      '-  name: dev-web',
      '+  name: web',
    ]);
    assert.deepEqual(compared.summary, {
      onlyLeft: [],
      onlyRight: [],
      changed: ['ConfigMap dev-web-config-8gmmth85d9', 'Deployment dev-web'],
      same: 2,
    });
  });

  it('shows an object one side lacks (its references with real names) and a changed Secret by its mask', async () => {
    const [staging, prod] = await renderShop('staging', 'prod');
    const compared = compareEnvironments(staging, prod);
    assert.deepEqual(changedLines(compared.leftText, compared.rightText), [
      '-  LOG_LEVEL: info',
      '+  LOG_LEVEL: warn',
      '-  name: web-config-k8fc48mdmd',
      '+  name: web-config-eu-6c46kh7fdb',
      '-  name: web',
      '+  name: web-eu',
      '-  replicas: 2',
      '+  replicas: 5',
      '+      - image: shop/proxy:2.0',
      '+        name: proxy',
      '+        - name: REGION',
      '+          value: eu',
      '-            name: web-config-<hash>',
      '+            name: web-config-eu-<hash>',
      '-            name: web-secret-<hash>',
      '+            name: web-secret-eu-<hash>',
      '-            cpu: 100m',
      '+            cpu: 500m',
      '+apiVersion: autoscaling/v2',
      '+kind: HorizontalPodAutoscaler',
      '+metadata:',
      '+  name: web-eu',
      '+  namespace: <namespace>',
      '+spec:',
      '+  maxReplicas: 10',
      '+  minReplicas: 5',
      '+  scaleTargetRef:',
      '+    apiVersion: apps/v1',
      '+    kind: Deployment',
      '+    name: web-eu',
      '+---',
      `-  API_TOKEN: '${BASE_TOKEN_MASK}'`,
      `+  API_TOKEN: '${PROD_TOKEN_MASK}'`,
      '-  name: web-secret-ktbd8t7fk7',
      '+  name: web-secret-eu-khb27k9246',
      '-  name: web',
      '+  name: web-eu',
    ]);
    assert.deepEqual(compared.summary, {
      onlyLeft: [],
      onlyRight: ['HorizontalPodAutoscaler web-eu'],
      changed: ['ConfigMap web-config-k8fc48mdmd', 'Deployment web', 'Secret web-secret-ktbd8t7fk7'],
      same: 1,
    });
    for (const secret of ['base-token', 'prod-token', Buffer.from('prod-token').toString('base64')])
      assert.ok(!compared.rightText.includes(secret), secret);
  });

  it('the other way round, the same object is only on the left', async () => {
    const [staging, prod] = await renderShop('staging', 'prod');
    const compared = compareEnvironments(prod, staging);
    assert.deepEqual(compared.summary.onlyLeft, ['HorizontalPodAutoscaler web-eu']);
    assert.deepEqual(compared.summary.onlyRight, []);
  });
});

describe('compareEnvironments: Secrets written with stringData or data', () => {
  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const overlay = (password?: string) =>
    password
      ? `resources:\n  - ../base\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: Secret\n      metadata:\n        name: db\n      stringData:\n        password: ${password}\n`
      : 'resources:\n  - ../base\n';
  const fs = new MemoryFileSystem(
    {
      'base/kustomization.yaml': 'resources:\n  - secret.yaml\n',
      'base/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${b64('hunter2')}\n`,
      'a/kustomization.yaml': overlay(),
      'b/kustomization.yaml': overlay('hunter2'),
      'c/kustomization.yaml': overlay('hunter3'),
    },
    '/repo',
  );
  const render = async (name: string) => ({ name, result: await renderKustomization(name, { fs, repoRoot: '/repo' }) });

  it('the same value written as stringData compares equal to it as base64 data; another value differs, masked', async () => {
    const same = compareEnvironments(await render('a'), await render('b'));
    assert.equal(same.leftText, same.rightText);
    assert.deepEqual(same.summary.changed, []);
    const different = compareEnvironments(await render('a'), await render('c'));
    assert.deepEqual(different.summary.changed, ['Secret db']);
    for (const text of [same.rightText, different.rightText])
      assert.ok(!/hunter|stringData/.test(text) && !text.includes(b64('hunter3')), text);
  });
});
