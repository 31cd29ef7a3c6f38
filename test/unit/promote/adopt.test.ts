import assert from 'node:assert/strict';
import type { FieldDrift } from '../../../src/core/model/drift';
import type { ResourceKey } from '../../../src/core/model/resource';
import { planAdopt } from '../../../src/core/promote/adopt';
import { RefusedError } from '../../../src/core/promote/refusal';
import { originOf } from './renderedFixture';
import { shopFiles } from './shopRepo';

const web: ResourceKey = { group: 'apps', kind: 'Deployment', namespace: 'shop-staging', name: 'web' };
const readFile = async (file: string) => {
  const text = shopFiles[file];
  if (text === undefined) throw Object.assign(new Error(`ENOENT ${file}`), { code: 'ENOENT' });
  return text;
};
const staging = 'envs/staging/kustomization.yaml';
const patch = 'envs/staging/sidecar.yaml';

describe('adopt live value', () => {
  it('writes a hand-scaled replica count into the patch line that sets it, nothing else', async () => {
    const field: FieldDrift = {
      path: '/spec/replicas',
      desired: 3,
      live: 5,
      origin: originOf(patch, shopFiles[patch], 'replicas:', 'strategicMergePatch'),
    };
    const plan = await planAdopt({ resource: web, field, readFile, environmentsReading: async () => [] });
    assert.equal(plan.change.after, shopFiles[patch].replace('replicas: 3', 'replicas: 5'));
    assert.equal(plan.label, 'Deployment shop-staging/web /spec/replicas: 3 → 5 at envs/staging/sidecar.yaml:7:3');
    assert.deepEqual(plan.alsoChanges, []);
  });

  it('adopts a hotfixed image into the images entry that sets it (tag only), keeping the comment', async () => {
    const field: FieldDrift = {
      path: '/spec/template/spec/containers/0/image',
      desired: 'ghcr.io/acme/web:1.4.0',
      live: 'ghcr.io/acme/web:1.4.0-hotfix.1',
      origin: originOf(staging, shopFiles[staging], 'name: ghcr.io/acme/web', 'image'),
    };
    const plan = await planAdopt({ resource: web, field, readFile });
    assert.equal(
      plan.change.after,
      shopFiles[staging].replace('newTag: 1.4.0 # promoted', 'newTag: 1.4.0-hotfix.1 # promoted'),
    );
  });

  it('adopts a ConfigMap value into its generator literal and names the other environments that read the file', async () => {
    const field: FieldDrift = {
      path: '/data/GREETING',
      desired: 'hello',
      live: 'hi there',
      origin: originOf(staging, shopFiles[staging], "'GREETING", 'generatorLiteral'),
    };
    const plan = await planAdopt({
      resource: { group: '', kind: 'ConfigMap', namespace: 'shop-staging', name: 'web-config-7gd6t5mkfh' },
      field,
      readFile,
      environmentsReading: async (file) => (file === staging ? ['staging-eu'] : []),
    });
    assert.equal(plan.change.after, shopFiles[staging].replace(`'GREETING="hello"'`, `'GREETING="hi there"'`));
    assert.deepEqual(plan.alsoChanges, ['staging-eu']);
  });

  it('refuses Secret values, explaining why, and never puts the value in the message', async () => {
    const field: FieldDrift = {
      path: '/data/password',
      desired: '(masked)',
      live: 'czNjcjN0',
      secret: true,
      origin: originOf(staging, shopFiles[staging], 'LOG_LEVEL', 'generatorLiteral'),
    };
    await assert.rejects(
      planAdopt({ resource: { group: '', kind: 'Secret', namespace: 's', name: 'db' }, field, readFile }),
      (e: unknown) =>
        e instanceof RefusedError &&
        /is Secret data: it is never written to git in plain text/.test(e.message) &&
        !e.message.includes('czNjcjN0'),
    );
  });

  it('refuses removals, additions, whole maps, and a line that does not hold the value', async () => {
    const origin = originOf(patch, shopFiles[patch], 'replicas:', 'strategicMergePatch');
    const refused = (field: FieldDrift, message: RegExp) =>
      assert.rejects(
        planAdopt({ resource: web, field, readFile }),
        (e: unknown) => e instanceof RefusedError && message.test(e.message),
      );
    await refused(
      { path: '/spec/replicas', desired: 3, live: undefined, origin },
      /the cluster does not set this field/,
    );
    await refused({ path: '/spec/paused', desired: undefined, live: true, origin }, /git does not set this field/);
    await refused({ path: '/spec/template', desired: {}, live: { a: 1 }, origin }, /only single values can be adopted/);
    await refused(
      { path: '/spec/replicas', desired: 4, live: 5, origin },
      /sidecar\.yaml:7:3 holds 3, not the rendered 4/,
    );
  });
});
