/**
 * Secret values in places an error message might quote them. The suite checks every output of every case for the
 * marker values and their base64 forms; these cases put the markers where a careless message would echo them.
 */
import { each, type HostileCase } from './types';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export const secretsCases: HostileCase[] = [
  {
    id: 'secrets/live-only-values',
    what: 'a live Secret whose values differ from git, with a last-applied annotation and a key only the cluster has',
    setup: () => undefined,
    liveSecrets: (r) => {
      const [, , , live, lastApplied, liveOnly] = r.markers.secrets;
      const applied = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds', namespace: 'demo' },
        stringData: { TOKEN: lastApplied },
      });
      return [
        '      - apiVersion: v1',
        '        kind: Secret',
        '        metadata:',
        '          name: creds',
        '          namespace: demo',
        `          annotations: { kubectl.kubernetes.io/last-applied-configuration: ${JSON.stringify(applied)} }`,
        `        data: { TOKEN: ${b64(live)}, KEY: ${b64(live)}, EXTRA: ${b64(liveOnly)} }`,
      ];
    },
    runs: [
      ...each(['check', 'check-json', 'check-sarif', 'diff'], { exit: 1 }),
      { command: 'check', extraArgs: ['--verbose'], exit: 1, says: [/Secret demo\/creds/] },
    ],
  },
  {
    id: 'secrets/promote-literals',
    what: 'overlays with different secretGenerator literals: promote never writes or shows them',
    setup: (r) => {
      r.write(
        'envs/dev/kustomization.yaml',
        `namespace: demo\nresources:\n  - ../../base\nsecretGenerator:\n  - name: db\n    literals:\n      - PASSWORD=${r.markers.secrets[3]}\n`,
      );
      r.write(
        'envs/prod/kustomization.yaml',
        `namespace: demo\nresources:\n  - ../../base\nsecretGenerator:\n  - name: db\n    literals:\n      - PASSWORD=${r.markers.secrets[4]}\n`,
      );
    },
    runs: [
      { command: 'promote', exit: 0, says: [/Secret values are not promoted/] },
      { command: 'promote', extraArgs: ['--all'], exit: 0, says: [/Secret values are not promoted/] },
      { command: 'diff', exit: 1 },
    ],
  },
  {
    id: 'secrets/unterminated-quote',
    what: 'a Secret value with an unterminated quote (a YAML error on the secret line)',
    setup: (r) =>
      r.write(
        'base/secret.yaml',
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  TOKEN: "${r.markers.secrets[1]}\n`,
      ),
    runs: [
      ...each(['render', 'check', 'diff', 'promote'], { exit: 2, says: [/base\/secret\.yaml:\d+/] }),
      { command: 'lint', exit: 1, says: [/base\/secret\.yaml:\d+/] },
    ],
  },
  {
    id: 'secrets/malformed-env-file',
    what: 'a secretGenerator env file with an invalid key (kustomize refuses it) next to marker values',
    setup: (r) => {
      r.write('base/secret.env', `GOOD=${r.markers.secrets[1]}\nBAD KEY=${r.markers.secrets[2]}\n`);
      r.write(
        'base/kustomization.yaml',
        `resources:\n  - configmap.yaml\nsecretGenerator:\n  - name: fromenv\n    envs:\n      - secret.env\n`,
      );
    },
    runs: [
      ...each(['render', 'check', 'diff'], { exit: 2, says: [/base\/secret\.env:2/] }),
      { command: 'lint', exit: 1, says: [/base\/secret\.env:2/] },
    ],
  },
  {
    id: 'secrets/not-base64',
    what: 'Secret data that is not base64 (the marker itself)',
    setup: (r) =>
      r.write(
        'base/secret.yaml',
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  KEY: "${r.markers.secrets[2]}!"\n`,
      ),
    runs: [
      ...each(['check', 'check-json', 'check-sarif', 'diff'], { exit: 1 }),
      ...each(['lint', 'promote'], { exit: 0 }),
    ],
  },
  {
    id: 'secrets/generator-files',
    what: 'a secretGenerator reading files and literals, checked in every output form',
    setup: (r) => {
      r.write('base/token.txt', r.markers.secrets[1]);
      r.write(
        'base/kustomization.yaml',
        `resources:\n  - configmap.yaml\nsecretGenerator:\n  - name: files\n    files:\n      - token.txt\n    literals:\n      - OTHER=${r.markers.secrets[0]}\n`,
      );
    },
    runs: [
      ...each(['check', 'check-json', 'check-sarif', 'diff'], { exit: 1 }),
      { command: 'check', extraArgs: ['--verbose'], exit: 1 },
      { command: 'render', extraArgs: ['--mask-secrets'], exit: 0, says: [/kind: Secret/] },
      { command: 'render', extraArgs: ['--origins'], exit: 0 },
    ],
  },
];
