import { applyPrefixSuffix } from '../../../../src/core/render/kustomize/filters/prefixSuffix';
import { applyReplicas } from '../../../../src/core/render/kustomize/filters/replicas';
import { runFilterTable } from '../../../support/filterTable';

interface Config {
  /** A `namePrefix:` applied first, as a kustomization does before replicas. */
  prefix?: string;
  replicas: Array<{ name: string; count: number }>;
}

const where = { file: 'kustomization.yaml', line: 3, column: 3 };
const workload = (kind: string, name: string, spec = '{}', apiVersion = 'apps/v1') =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

runFilterTable<Config>({
  title: 'replicas filter (table)',
  apply(resources, { prefix, replicas }) {
    if (prefix) applyPrefixSuffix(resources, { value: prefix, origin: { ...where, kind: 'namePrefix' } }, undefined);
    applyReplicas(
      resources,
      replicas.map((r) => ({ ...r, origin: { ...where, kind: 'replicas' }, entry: where })),
    );
  },
  kustomization: ({ prefix, replicas }) =>
    (prefix ? `namePrefix: ${prefix}\n` : '') +
    `replicas:\n${replicas.map((r) => `- {name: ${r.name}, count: ${r.count}}\n`).join('')}`,
  rows: [
    {
      name: 'replaces the count of a Deployment',
      input: workload('Deployment', 'web', '{replicas: 1, template: {}}'),
      config: { replicas: [{ name: 'web', count: 3 }] },
      expected: workload('Deployment', 'web', '{replicas: 3, template: {}}'),
    },
    {
      name: 'creates spec.replicas, and spec, where there is none',
      input: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n',
      config: { replicas: [{ name: 'db', count: 2 }] },
      expected: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {replicas: 2}\n',
    },
    {
      name: 'scales a ReplicaSet and a ReplicationController',
      input: workload('ReplicaSet', 'rs') + '---\n' + workload('ReplicationController', 'rc', '{replicas: 5}', 'v1'),
      config: {
        replicas: [
          { name: 'rs', count: 4 },
          { name: 'rc', count: 1 },
        ],
      },
      expected:
        workload('ReplicaSet', 'rs', '{replicas: 4}') +
        '---\n' +
        workload('ReplicationController', 'rc', '{replicas: 1}', 'v1'),
    },
    {
      name: 'sets zero',
      input: workload('Deployment', 'web', '{replicas: 2}'),
      config: { replicas: [{ name: 'web', count: 0 }] },
      expected: workload('Deployment', 'web', '{replicas: 0}'),
    },
    {
      name: 'leaves other kinds with the same name alone',
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n---\n' +
        workload('Deployment', 'web'),
      config: { replicas: [{ name: 'web', count: 2 }] },
      expected:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n---\n' +
        workload('Deployment', 'web', '{replicas: 2}'),
    },
    {
      name: 'sets every workload of that name, in any namespace',
      input:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: b}\nspec: {replicas: 9}\n',
      config: { replicas: [{ name: 'web', count: 2 }] },
      expected:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec: {replicas: 2}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: b}\nspec: {replicas: 2}\n',
    },
    {
      name: 'lets a later entry for the same name win',
      input: workload('Deployment', 'web'),
      config: {
        replicas: [
          { name: 'web', count: 2 },
          { name: 'web', count: 7 },
        ],
      },
      expected: workload('Deployment', 'web', '{replicas: 7}'),
    },
    {
      name: 'finds a workload by the name it had before a prefix',
      input: workload('Deployment', 'web'),
      config: { prefix: 'dev-', replicas: [{ name: 'web', count: 2 }] },
      expected: workload('Deployment', 'dev-web', '{replicas: 2}'),
    },
    {
      name: 'fails on a name that matches nothing',
      input: workload('Deployment', 'web'),
      config: { replicas: [{ name: 'api', count: 2 }] },
      error: /replicas: no object is named 'api'/,
    },
    {
      name: 'fails on a name that matches only a kind it cannot scale',
      input: 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\nspec: {replicas: 1}\n',
      config: { replicas: [{ name: 'web', count: 2 }] },
      error: /replicas: 'web' is a Rollout; replicas can only set/,
    },
    {
      name: 'fails on a DaemonSet, which has no replicas',
      input: workload('DaemonSet', 'agent'),
      config: { replicas: [{ name: 'agent', count: 2 }] },
      error: /replicas: 'agent' is a DaemonSet/,
    },
  ],
});
