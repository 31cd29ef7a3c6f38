import { strict as assert } from 'node:assert';
import { applyStrategicMerge } from '../../../../src/core/render/kustomize/filters/strategicMerge';
import { gvkOf, nameOf } from '../../../../src/core/render/kustomize/resource';
import { getMap, getString } from '../../../../src/core/yaml/tree';
import { runFilterTable, yamlMap } from '../../../support/filterTable';

/** A strategic merge patch naming its target (apiVersion, kind, metadata.name), as in `patches: [{patch: ...}]`. */
interface Config {
  patch: string;
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

const deployment = (podSpec: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n${indent(indent(podSpec)).slice(4).replace(/^/, '    ')}\n`;
const deploymentPatch = (podSpec: string) => deployment(podSpec);

// Strategic merge patches over built-in kinds: which lists merge, and by which key (src/core/render/kustomize/filters/mergeKeys.ts
// reads them from the generated list-type table), and which are replaced whole.
runFilterTable<Config>({
  title: 'mergeKeys: strategic merge list keys (table)',
  apply(resources, { patch }) {
    const doc = yamlMap(patch, 'patch.yaml', 'strategicMergePatch');
    const name = getString(getMap(doc, 'metadata'), 'name');
    const target = resources.find((r) => gvkOf(r).kind === getString(doc, 'kind') && nameOf(r) === name);
    assert.ok(target, `the patch names no input object (${name})`);
    const { group, version, kind } = gvkOf(target);
    if (!applyStrategicMerge(target.node, doc, group ? `${group}/${version}` : version, kind))
      resources.splice(resources.indexOf(target), 1);
  },
  kustomization: ({ patch }) => `patches:\n- patch: |-\n${indent(patch)}\n`,
  rows: [
    {
      name: 'containers merge by name: the patch items come first (merged), then the others',
      input: deployment('containers:\n- {name: app, image: app:1, args: [a]}\n- {name: side, image: side:1}'),
      config: { patch: deploymentPatch('containers:\n- {name: side, image: side:2}\n- {name: extra, image: extra:1}') },
      expected: deployment(
        'containers:\n- {name: side, image: side:2}\n- {name: extra, image: extra:1}\n- {name: app, image: app:1, args: [a]}',
      ),
    },
    {
      name: 'initContainers merge by name too',
      input: deployment('initContainers:\n- {name: migrate, image: m:1}\ncontainers:\n- {name: app, image: a}'),
      config: { patch: deploymentPatch('initContainers:\n- {name: migrate, image: m:2}') },
      expected: deployment('initContainers:\n- {name: migrate, image: m:2}\ncontainers:\n- {name: app, image: a}'),
    },
    {
      name: 'container ports merge by containerPort and protocol',
      input: deployment(
        'containers:\n- name: app\n  ports:\n  - {containerPort: 53, protocol: TCP, name: dns-tcp}\n  - {containerPort: 80, name: http}',
      ),
      config: {
        patch: deploymentPatch(
          'containers:\n- name: app\n  ports:\n  - {containerPort: 53, protocol: UDP, name: dns-udp}\n  - {containerPort: 80, name: web}',
        ),
      },
      expected: deployment(
        'containers:\n- name: app\n  ports:\n  - {containerPort: 53, protocol: UDP, name: dns-udp}\n  - {containerPort: 53, protocol: TCP, name: dns-tcp}\n  - {containerPort: 80, name: web}',
      ),
    },
    {
      name: 'env merges by name, and an item can be deleted with $patch: delete',
      input: deployment(
        'containers:\n- name: app\n  env:\n  - {name: A, value: "1"}\n  - {name: B, value: "2"}\n  - {name: C, valueFrom: {fieldRef: {fieldPath: metadata.name}}}',
      ),
      config: {
        patch: deploymentPatch(
          'containers:\n- name: app\n  env:\n  - {name: B, $patch: delete}\n  - {name: C, value: "3", valueFrom: null}\n  - {name: D, value: "4"}',
        ),
      },
      expected: deployment(
        'containers:\n- name: app\n  env:\n  - {name: C, value: "3"}\n  - {name: D, value: "4"}\n  - {name: A, value: "1"}',
      ),
    },
    {
      name: 'volumes merge by name, volumeMounts by mountPath',
      input: deployment(
        'containers:\n- name: app\n  volumeMounts:\n  - {name: data, mountPath: /data}\nvolumes:\n- {name: data, emptyDir: {}}',
      ),
      config: {
        patch: deploymentPatch(
          'containers:\n- name: app\n  volumeMounts:\n  - {name: cache, mountPath: /data}\n  - {name: tmp, mountPath: /tmp}\nvolumes:\n- name: data\n  emptyDir: null\n  persistentVolumeClaim: {claimName: pvc}',
        ),
      },
      expected: deployment(
        'containers:\n- name: app\n  volumeMounts:\n  - {name: cache, mountPath: /data}\n  - {name: tmp, mountPath: /tmp}\nvolumes:\n- {name: data, persistentVolumeClaim: {claimName: pvc}}',
      ),
    },
    {
      name: 'tolerations and args have no merge key: the patch replaces them',
      input: deployment('tolerations:\n- {key: a, operator: Exists}\ncontainers:\n- {name: app, args: [--a, --b]}'),
      config: {
        patch: deploymentPatch('tolerations:\n- {key: b, operator: Exists}\ncontainers:\n- {name: app, args: [--c]}'),
      },
      expected: deployment('tolerations:\n- {key: b, operator: Exists}\ncontainers:\n- {name: app, args: [--c]}'),
    },
    {
      name: 'imagePullSecrets merge by name; hostAliases by ip',
      input: deployment(
        'imagePullSecrets:\n- {name: a}\nhostAliases:\n- {ip: 10.0.0.1, hostnames: [a]}\ncontainers: []',
      ),
      config: {
        patch: deploymentPatch(
          'imagePullSecrets:\n- {name: b}\nhostAliases:\n- {ip: 10.0.0.1, hostnames: [b]}\n- {ip: 10.0.0.2, hostnames: [c]}',
        ),
      },
      expected: deployment(
        'imagePullSecrets:\n- {name: b}\n- {name: a}\nhostAliases:\n- {ip: 10.0.0.1, hostnames: [b]}\n- {ip: 10.0.0.2, hostnames: [c]}\ncontainers: []',
      ),
    },
    {
      name: 'a list with $patch: replace is replaced, not merged',
      input: deployment('containers:\n- {name: app, image: a}\n- {name: side, image: s}'),
      config: { patch: deploymentPatch('containers:\n- $patch: replace\n- {name: only, image: o}') },
      expected: deployment('containers:\n- {name: only, image: o}'),
    },
    {
      name: 'Service ports merge by port and protocol',
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 80, targetPort: 8080, name: http}\n  - {port: 53, protocol: UDP, name: dns}\n',
      config: {
        patch:
          'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 80, targetPort: 9090}\n  - {port: 53, protocol: TCP, name: dns-tcp}\n',
      },
      expected:
        'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 53, protocol: TCP, name: dns-tcp}\n  - {port: 80, targetPort: 9090, name: http}\n  - {port: 53, protocol: UDP, name: dns}\n',
    },
    {
      name: 'metadata.finalizers merge as a set of strings',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b]\n',
      config: { patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [b, c]\n' },
      expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [b, c, a]\n',
    },
    {
      name: 'metadata.finalizers: a value the target repeats is kept once',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b, a, d]\n',
      config: { patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [c, b, c]\n' },
      expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [c, b, a, d]\n',
    },
    {
      name: 'ownerReferences merge by uid',
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences:\n  - {apiVersion: v1, kind: Pod, name: p, uid: "1"}\n',
      config: {
        patch:
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences:\n  - {apiVersion: v1, kind: Pod, name: q, uid: "1"}\n  - {apiVersion: v1, kind: Pod, name: r, uid: "2"}\n',
      },
      expected:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences:\n  - {apiVersion: v1, kind: Pod, name: q, uid: "1"}\n  - {apiVersion: v1, kind: Pod, name: r, uid: "2"}\n',
    },
    {
      name: "a custom resource's lists are replaced even where a built-in would merge",
      input:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  containers:\n  - {name: a, image: a}\n  - {name: b, image: b}\n',
      config: {
        patch:
          'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  containers:\n  - {name: b, image: b2}\n',
      },
      expected:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  containers:\n  - {name: b, image: b2}\n',
    },
    {
      name: 'a map key set to null is removed; a map with $patch: replace replaces the map',
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {a: "1", b: "2"}\n  annotations: {x: "1", y: "2"}\n',
      config: {
        patch:
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {a: null}\n  annotations: {$patch: replace, z: "3"}\n',
      },
      expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {b: "2"}\n  annotations: {z: "3"}\n',
    },
    {
      name: 'a patch with $patch: delete at the top removes the object',
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      config: { patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n$patch: delete\n' },
      expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
    },
  ],
});
