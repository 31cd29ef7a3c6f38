import { each, type HostileCase } from './types';

/** The healthy template itself: what every other case is a damaged copy of, and the exit codes they differ from. */
export const baselineCases: HostileCase[] = [
  {
    id: 'baseline/healthy',
    what: 'the undamaged template repo',
    setup: () => undefined,
    runs: [
      { command: 'envs', exit: 0, says: [/^dev +envs\/dev +demo/m, /promotion: dev → prod/] },
      { command: 'render', exit: 0, says: [/name: app/] },
      ...each(['lint', 'lint-json', 'lint-sarif'], { exit: 0 }),
      // The ConfigMap is in sync; the two Secrets are not in the snapshot.
      { command: 'check', exit: 1, says: [/dev: 1 in sync, 2 missing/, /prod: 1 in sync, 2 missing/] },
      { command: 'check-json', exit: 1, says: [/"verdict": "Missing"/] },
      { command: 'check-sarif', exit: 1, says: [/"ruleId": "drift\/missing"/] },
      { command: 'diff', exit: 1, says: [/^--- git\/dev\.v1\.Secret\.demo\.creds$/m] },
      // No cluster: the closed loopback port is refused at once.
      ...each(['snapshot', 'put-back'], { exit: 2, says: [/ECONNREFUSED 127\.0\.0\.1:1/] }),
      { command: 'promote', exit: 0 },
      { command: 'revert', exit: 0, says: [/template/] },
    ],
  },
];
