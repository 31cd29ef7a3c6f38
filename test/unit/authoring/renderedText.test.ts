import { strict as assert } from 'node:assert';
import { objectCountLabel, renderedYaml } from '../../../src/core/authoring/renderedText';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { renderShop } from './shopOverlays';
import { runMasker } from '../../../src/core/drift/secrets';

/** The run's masks of the example tokens (the key is random per process, so the masks are too). */
const BASE_TOKEN_MASK = runMasker.mask(Buffer.from('base-token'));
const PROD_TOKEN_MASK = runMasker.mask(Buffer.from('prod-token'));

const stagingYaml = `apiVersion: v1
data:
  LOG_LEVEL: info
  THEME: light
kind: ConfigMap
metadata:
  name: web-config-k8fc48mdmd
  namespace: shop-staging
---
apiVersion: v1
data:
  API_TOKEN: '${BASE_TOKEN_MASK}'
kind: Secret
metadata:
  name: web-secret-ktbd8t7fk7
  namespace: shop-staging
type: Opaque
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop-staging
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop-staging
spec:
  replicas: 2
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
            name: web-config-k8fc48mdmd
        - secretRef:
            name: web-secret-ktbd8t7fk7
        image: shop/web:1.0.1
        name: web
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
`;

describe('renderedYaml: an environment as kustomize build prints it, Secret values masked', () => {
  it('prints every object in build order, the Secret value as a short salted hash', async () => {
    const [staging] = await renderShop('staging');
    assert.equal(renderedYaml(staging.result), stagingYaml);
  });

  it('masks the same Secret value equally in every environment and a changed one differently, never printing it', async () => {
    const [dev, staging, prod] = await renderShop('dev', 'staging', 'prod');
    const token = (text: string) => text.split('\n').find((l) => l.includes('API_TOKEN'));
    assert.equal(token(renderedYaml(dev.result)), `  API_TOKEN: '${BASE_TOKEN_MASK}'`);
    assert.equal(token(renderedYaml(staging.result)), `  API_TOKEN: '${BASE_TOKEN_MASK}'`);
    const prodText = renderedYaml(prod.result);
    assert.equal(token(prodText), `  API_TOKEN: '${PROD_TOKEN_MASK}'`);
    for (const secret of ['prod-token', Buffer.from('prod-token').toString('base64')])
      assert.ok(!prodText.includes(secret), secret);
  });

  it('puts the header first as comment lines', async () => {
    const [staging] = await renderShop('staging');
    const text = renderedYaml(staging.result, { header: 'staging (envs/staging)\n\nread-only preview' });
    assert.equal(text, `# staging (envs/staging)\n#\n# read-only preview\n${stagingYaml}`);
  });

  it('with showOrigins ends each scalar line with the file:line that set it', async () => {
    const [prod] = await renderShop('prod');
    const lines = renderedYaml(prod.result, { showOrigins: true }).split('\n');
    const deployment = lines.slice(lines.indexOf('kind: Deployment # base/deploy.yaml:2') - 1);
    assert.deepEqual(deployment.slice(0, 8), [
      'apiVersion: apps/v1 # base/deploy.yaml:1',
      'kind: Deployment # base/deploy.yaml:2',
      'metadata:',
      '  name: web-eu # envs/prod/kustomization.yaml:5',
      '  namespace: shop-prod # envs/prod/kustomization.yaml:4',
      'spec:',
      '  replicas: 5 # envs/prod/web-patch.yaml:6',
      '  selector:',
    ]);
    assert.ok(lines.includes(`  API_TOKEN: '${PROD_TOKEN_MASK}' # envs/prod/kustomization.yaml:24`));
    assert.ok(lines.includes('            cpu: 500m # envs/prod/cpu.yaml:3'));
  });

  it('keeps every digit of an integer beyond 2^53, as kustomize does', async () => {
    const fs = new MemoryFileSystem(
      {
        'app/kustomization.yaml': 'resources:\n- widget.yaml\n',
        'app/widget.yaml':
          'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  big: 123456789012345678901\n',
      },
      '/repo',
    );
    const result = await renderKustomization('app', { fs, repoRoot: '/repo' });
    assert.equal(
      renderedYaml(result),
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  big: 123456789012345678901\n',
    );
  });
});

describe('objectCountLabel', () => {
  it('counts the rendered objects for the CodeLens', async () => {
    const [staging, prod] = await renderShop('staging', 'prod');
    assert.equal(objectCountLabel(staging.result), '4 objects');
    assert.equal(objectCountLabel(prod.result), '5 objects');
    assert.equal(objectCountLabel({ ...prod.result, objects: prod.result.objects.slice(0, 1) }), '1 object');
    assert.equal(objectCountLabel({ ...prod.result, objects: [] }), '0 objects');
  });
});
