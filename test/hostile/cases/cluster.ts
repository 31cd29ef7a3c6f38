/**
 * Hostile ways to the cluster, for the commands that need one (check without --live-from, snapshot, put-back):
 * a kubeconfig that is garbage or missing, a credential plugin (never run without --allow-exec), a plain-http
 * server, a context name with escape sequences. These need no server at all; the faults that need a misbehaving API
 * server of our own (endless lists, drips, garbage, escape sequences in a 403, 410 Gone, a hung credential plugin)
 * run against test/support/badApiServer.ts in test/integration/faults/clusterFaults.test.ts (CLI as a child
 * process, with exit code, message, time and peak memory) and test/unit/live/node/clusterFaults.test.ts.
 */
import { existsSync } from 'node:fs';
import { each, type HostileCase } from './types';

const CLUSTER = ['check-cluster', 'snapshot', 'put-back'] as const;

const kubeconfig = (o: { server?: string; user?: string; context?: string }) =>
  [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${o.context ?? 'hostile'}`,
    `clusters: [{ name: hostile, cluster: { server: "${o.server ?? 'https://127.0.0.1:1'}" } }]`,
    `users: [{ name: hostile, user: ${o.user ?? '{ token: hostile-token }'} }]`,
    `contexts: [{ name: ${o.context ?? 'hostile'}, context: { cluster: hostile, user: hostile, namespace: demo } }]`,
    '',
  ].join('\n');

export const clusterCases: HostileCase[] = [
  {
    id: 'cluster/garbage-kubeconfig',
    what: 'a kubeconfig that is not YAML (NUL, invalid UTF-8, an open flow sequence)',
    setup: () => undefined,
    kubeconfig: () => '\u0000\u00ff garbage: [\n',
    runs: each(CLUSTER, { exit: 2, says: [/kubeconfig:2:1: invalid YAML/] }),
  },
  {
    id: 'cluster/missing-kubeconfig',
    what: '--kubeconfig naming a file that does not exist',
    setup: () => undefined,
    // The later --kubeconfig wins over the one the suite passes.
    runs: [
      {
        command: 'check-cluster',
        extraArgs: ['--kubeconfig', '/nonexistent/gitops-drift-kubeconfig'],
        exit: 2,
        says: [/\/nonexistent\/gitops-drift-kubeconfig/],
      },
    ],
  },
  {
    id: 'cluster/exec-plugin',
    what: 'a credential plugin in the kubeconfig: never run without --allow-exec',
    setup: () => undefined,
    kubeconfig: (r) =>
      kubeconfig({
        user: `{ exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: sh, args: ["-c", "touch ${r.beside('exec-ran')}; echo {}"] } }`,
      }),
    runs: each(CLUSTER, { exit: 2, says: [/runs credential plugins only when you allow it/] }),
    afterwards: (r) => (existsSync(r.beside('exec-ran')) ? ['the credential plugin ran without --allow-exec'] : []),
  },
  {
    id: 'cluster/exec-plugin-garbage',
    what: 'an allowed credential plugin that prints {} instead of an ExecCredential: a clear message, not a JS error',
    setup: () => undefined,
    kubeconfig: () =>
      kubeconfig({
        user: '{ exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: sh, args: ["-c", "echo {}"] } }',
      }),
    runs: [
      {
        command: 'check-cluster',
        extraArgs: ['--allow-exec'],
        exit: 2,
        says: [/credential plugin|ExecCredential/i],
        never: [/Cannot read properties/],
      },
    ],
  },
  {
    id: 'cluster/forbidden-list',
    what: 'a snapshot whose ConfigMap list was refused (RBAC): every command says what could not be read',
    setup: () => undefined,
    forbiddenConfigMaps: true,
    runs: [
      { command: 'check', exit: 2, says: [/ConfigMap demo\/app +forbidden: .*cannot list resource "configmaps"/] },
      { command: 'check-json', exit: 2, says: [/"verdict": "Forbidden"/] },
      { command: 'diff', exit: 2, says: [/ConfigMap demo\/app/, /forbidden|cannot list/] },
    ],
  },
  {
    id: 'cluster/plain-http-server',
    what: 'an http:// server URL: the message must say so, not blame skipTLSVerify',
    setup: () => undefined,
    kubeconfig: () => kubeconfig({ server: 'http://127.0.0.1:1' }),
    runs: each(CLUSTER, { exit: 2, says: [/http:\/\/127\.0\.0\.1:1/], never: [/skipTLSVerify/] }),
  },
  {
    id: 'cluster/escape-in-context-name',
    what: 'a context name that clears the screen and prints a fake verdict',
    setup: () => undefined,
    kubeconfig: () => kubeconfig({ context: '"hostile\\e[2J\\e[Hdev: 11 in sync"' }),
    runs: each(CLUSTER, { exit: 2, says: [/ECONNREFUSED/] }),
  },
];
