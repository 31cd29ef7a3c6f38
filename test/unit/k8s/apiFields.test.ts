import assert from 'node:assert/strict';
import { apiFieldAt, deprecatedFieldsIn, isQuantityTyped } from '../../../src/core/k8s/apiFields';

describe('API defaults and deprecated fields from the OpenAPI document (src/core/k8s/apiFields.json)', () => {
  it('finds a default through lists, nested types and every pod template', () => {
    assert.equal(
      apiFieldAt('apps/v1', 'Deployment', '/spec/template/spec/containers/0/ports/1/protocol')?.default,
      'TCP',
    );
    assert.equal(
      apiFieldAt('batch/v1', 'CronJob', '/spec/jobTemplate/spec/template/spec/initContainers/2/ports/0/protocol')
        ?.default,
      'TCP',
    );
    assert.equal(apiFieldAt('v1', 'Service', '/spec/ports/0/protocol')?.default, 'TCP');
    assert.equal(apiFieldAt('v1', 'ReplicationController', '/spec/replicas')?.default, 1);
    assert.equal(apiFieldAt('v1', 'Pod', '/spec/volumes/0/rbd/pool')?.default, 'rbd');
  });

  it('says nothing where the document states nothing, for custom resources, and for a list index taken as a field', () => {
    // Set by the API server's defaulting code, not stated in the document.
    assert.equal(apiFieldAt('apps/v1', 'Deployment', '/spec/replicas'), undefined);
    assert.equal(apiFieldAt('v1', 'Pod', '/spec/restartPolicy'), undefined);
    assert.equal(
      apiFieldAt('example.com/v1', 'Deployment', '/spec/template/spec/containers/0/ports/0/protocol'),
      undefined,
    );
    assert.equal(apiFieldAt('v1', 'Service', '/spec/ports/protocol'), undefined);
    assert.equal(apiFieldAt('v1', 'Service', '/spec/ports/0'), undefined);
    assert.equal(apiFieldAt('v1', 'Service', ''), undefined);
  });

  it('marks the fields whose description carries a "Deprecated:" paragraph, with its words', () => {
    assert.equal(apiFieldAt('v1', 'Pod', '/spec/serviceAccount')?.deprecated, 'Use serviceAccountName instead.');
    assert.match(apiFieldAt('v1', 'Service', '/spec/loadBalancerIP')?.deprecated ?? '', /under-specified/);
    assert.match(
      apiFieldAt('apps/v1', 'StatefulSet', '/spec/template/spec/volumes/3/gitRepo')?.deprecated ?? '',
      /GitRepo is deprecated/,
    );
    assert.equal(apiFieldAt('v1', 'Pod', '/spec/serviceAccountName')?.deprecated, undefined);
    // A lifecycle hook's tcpSocket is deprecated; a probe's is not (another type).
    assert.match(
      apiFieldAt('v1', 'Pod', '/spec/containers/0/lifecycle/postStart/tcpSocket')?.deprecated ?? '',
      /NOT supported/,
    );
    assert.equal(apiFieldAt('v1', 'Pod', '/spec/containers/0/livenessProbe/tcpSocket'), undefined);
    // Prose that only mentions deprecation marks nothing (the annotation it names is deprecated, not the field).
    assert.equal(apiFieldAt('networking.k8s.io/v1', 'Ingress', '/spec/ingressClassName'), undefined);
  });

  it('lists the deprecated fields an object sets, with pointer and written path', () => {
    const uses = deprecatedFieldsIn({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { 'a/b': 'c' } },
      spec: {
        template: {
          spec: {
            serviceAccount: 'web',
            serviceAccountName: 'web',
            containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }],
            volumes: [
              { name: 'data', emptyDir: {} },
              { name: 'src', gitRepo: { repository: 'https://example.com/r.git' } },
            ],
          },
        },
      },
    });
    assert.deepEqual(
      uses.map((u) => [u.pointer, u.path]),
      [
        ['/spec/template/spec/serviceAccount', 'spec.template.spec.serviceAccount'],
        ['/spec/template/spec/volumes/1/gitRepo', 'spec.template.spec.volumes[1].gitRepo'],
      ],
    );
    assert.equal(uses[0].why, 'Use serviceAccountName instead.');
  });

  it('finds none in a custom resource of the same shape, nor in a field set to null', () => {
    assert.deepEqual(
      deprecatedFieldsIn({ apiVersion: 'example.com/v1', kind: 'Pod', spec: { serviceAccount: 'x' } }),
      [],
    );
    assert.deepEqual(deprecatedFieldsIn({ apiVersion: 'v1', kind: 'Pod', spec: { serviceAccount: null } }), []);
    assert.deepEqual(
      deprecatedFieldsIn({ apiVersion: 'v1', kind: 'Pod', metadata: { selfLink: '/api/v1/x' } }).map((u) => u.path),
      ['metadata.selfLink'],
    );
  });

  it('types the quantities: fields, and the values of maps and items of lists of them', () => {
    assert.equal(
      isQuantityTyped('apps/v1', 'Deployment', '/spec/template/spec/containers/*/resources/requests/cpu'),
      true,
    );
    assert.equal(
      isQuantityTyped('apps/v1', 'Deployment', '/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu'),
      true,
    );
    assert.equal(
      isQuantityTyped(
        'apps/v1',
        'Deployment',
        '/spec/template/spec/containers/*/env/*/valueFrom/resourceFieldRef/divisor',
      ),
      true,
    );
    assert.equal(isQuantityTyped('apps/v1', 'Deployment', '/spec/template/spec/volumes/*/emptyDir/sizeLimit'), true);
    assert.equal(
      isQuantityTyped('autoscaling/v2', 'HorizontalPodAutoscaler', '/spec/metrics/*/resource/target/averageValue'),
      true,
    );
    assert.equal(isQuantityTyped('v1', 'LimitRange', '/spec/limits/*/default/memory'), true);
    // The map itself, other fields, and kinds without quantities are not.
    assert.equal(
      isQuantityTyped('apps/v1', 'Deployment', '/spec/template/spec/containers/*/resources/requests'),
      false,
    );
    assert.equal(isQuantityTyped('apps/v1', 'Deployment', '/spec/template/spec/containers/*/image'), false);
    assert.equal(isQuantityTyped('v1', 'ConfigMap', '/data/storage'), false);
    assert.equal(isQuantityTyped('example.com/v1', 'Database', '/spec/resources/requests/cpu'), undefined);
  });
});
