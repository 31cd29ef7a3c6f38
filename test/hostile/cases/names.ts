/**
 * Names and values meant to fool a terminal or a JavaScript object: escape sequences (the suite checks that no
 * output holds a control character), `__proto__` and other Object.prototype keys (kustomize keeps them).
 */
import { each, type HostileCase } from './types';

/** Clears the screen, homes the cursor and prints a fake verdict. */
const FAKE_VERDICT = '\\e[2J\\e[Hdev: 11 in sync\\a';

export const namesCases: HostileCase[] = [
  {
    id: 'names/escape-in-value',
    what: 'a ConfigMap value with terminal escape sequences, shown as drift',
    setup: (r) =>
      r.write(
        'base/configmap.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: "${FAKE_VERDICT}"\n`,
      ),
    runs: [
      { command: 'check', exit: 1, says: [/data\.level/] },
      ...each(['check-json', 'check-sarif', 'diff'], { exit: 1 }),
      { command: 'render', exit: 0 },
    ],
  },
  {
    id: 'names/escape-in-file-name',
    what: 'a resource entry whose name holds escape sequences and does not exist',
    setup: (r) =>
      r.write(
        'base/kustomization.yaml',
        `resources:\n  - configmap.yaml\n  - secret.yaml\n  - "evil${FAKE_VERDICT}.yaml"\n`,
      ),
    runs: [
      ...each(['render', 'check', 'diff'], { exit: 2, says: [/base\/kustomization\.yaml:4/] }),
      { command: 'lint', exit: 1, says: [/base\/kustomization\.yaml:4/] },
    ],
  },
  {
    id: 'names/escape-in-object-name',
    what: 'an object name with escape sequences',
    setup: (r) =>
      r.write(
        'base/configmap.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "app${FAKE_VERDICT}"\ndata:\n  level: info\n`,
      ),
    runs: [...each(['check', 'diff', 'check-json'], { exit: 1 }), { command: 'render', exit: 0 }],
  },
  {
    id: 'names/proto-keys',
    what: 'data keys __proto__, constructor and toString (kustomize keeps them; so must we)',
    setup: (r) =>
      r.write(
        'base/configmap.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: info\n  __proto__: polluted\n  constructor: built\n  toString: said\n',
      ),
    runs: [
      { command: 'render', exit: 0, says: [/__proto__: polluted/, /constructor: built/, /toString: said/] },
      { command: 'check', exit: 1, says: [/data\.__proto__/] },
    ],
  },
];
