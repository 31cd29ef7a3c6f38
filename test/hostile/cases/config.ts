/**
 * Broken `.gitops-drift.yaml` files. A config error is a finding with its file:line and exit 2 in every command
 * (issue #12): never "no problems", never exit 0 with the error only on stderr. A warning (an unknown key) is
 * a lint finding (exit 1) and nothing more elsewhere.
 */
import { type CommandName, COMMANDS, each, type Expect, type HostileCase, type Run } from './types';

const CONFIG = '.gitops-drift.yaml';
/**
 * One command per way the CLI meets the config: openRepo's report (envs, check), render's own load, lint's
 * findings, the refusal of the commands that change something (promote). Two cases run every command.
 */
const PATHS: CommandName[] = ['envs', 'render', 'lint', 'check', 'promote'];

/** Exit 2 and the config's file:line in every output form (text on stderr; lint's JSON and SARIF on stdout). */
function brokenEverywhere(line: number, message: RegExp, commands: readonly CommandName[] = COMMANDS): Run[] {
  const at = new RegExp(`\\.gitops-drift\\.yaml:${line}\\b`);
  const forms: Partial<Record<string, Expect>> = {
    'lint-json': { exit: 2, says: [new RegExp(`"file": "\\.gitops-drift\\.yaml",\\s+"line": ${line},`), message] },
    'lint-sarif': {
      exit: 2,
      says: [new RegExp(`"uri": "\\.gitops-drift\\.yaml"[^}]*\\}[^}]*"startLine": ${line}\\b`), message],
    },
    // check's own JSON and SARIF carry the config's problems too, not only stderr.
    'check-json': {
      exit: 2,
      says: [
        new RegExp(
          `^  "problems": \\[\\s*\\{\\s*"severity": "error",[^}]*"location": \\{\\s*"file": "\\.gitops-drift\\.yaml",\\s*"line": ${line},`,
          'm',
        ),
        message,
      ],
    },
    'check-sarif': {
      exit: 2,
      says: [
        new RegExp(
          `"ruleId": "config/invalid"[^]*?"uri": "\\.gitops-drift\\.yaml"[^}]*\\}[^}]*"startLine": ${line}\\b`,
        ),
        message,
      ],
    },
  };
  return commands.map((command) => ({ command, ...(forms[command] ?? { exit: 2, says: [at, message] }) }));
}

export const configCases: HostileCase[] = [
  {
    id: 'config/unterminated-flow',
    what: 'a flow sequence that never closes',
    setup: (r) => r.write(CONFIG, 'environments: [\n'),
    runs: brokenEverywhere(2, /end with a \]/),
  },
  {
    id: 'config/not-a-mapping',
    what: 'a list where a mapping belongs',
    setup: (r) => r.write(CONFIG, '- dev\n- prod\n'),
    runs: brokenEverywhere(1, /must be a mapping/, PATHS),
  },
  {
    id: 'config/environment-without-path',
    what: "an environment entry missing 'path'",
    setup: (r) => r.write(CONFIG, 'environments:\n  - name: dev\n'),
    runs: brokenEverywhere(2, /missing 'path'/, PATHS),
  },
  {
    id: 'config/environment-path-nowhere',
    what: 'one environment of two points at a folder that does not exist',
    setup: (r) =>
      r.write(CONFIG, 'environments:\n  - name: dev\n    path: envs/dev\n  - name: prod\n    path: envs/nowhere\n'),
    runs: brokenEverywhere(4, /does not exist/),
  },
  {
    id: 'config/application-path-nowhere',
    what: 'an environment of two applications, one of whose folders does not exist',
    setup: (r) =>
      r.write(
        CONFIG,
        'environments:\n  - name: dev\n    path: envs/dev\n  - name: prod\n    applications:\n      - { name: web, path: envs/prod }\n      - { name: api, path: apps/api/prod }\n',
      ),
    runs: brokenEverywhere(7, /application 'api': path 'apps\/api\/prod' does not exist/),
  },
  {
    id: 'config/path-leaves-repo',
    what: 'an environment path that climbs out of the repo',
    setup: (r) =>
      r.write(CONFIG, 'environments:\n  - name: dev\n    path: ../../../etc\n  - name: prod\n    path: envs/prod\n'),
    runs: brokenEverywhere(3, /stay inside/, PATHS),
  },
  {
    id: 'config/duplicate-key',
    what: 'the same top-level key twice',
    setup: (r) => r.write(CONFIG, 'promotion: [dev, prod]\npromotion: [prod, dev]\n'),
    runs: brokenEverywhere(2, /unique/, PATHS),
  },
  {
    id: 'config/unknown-promotion-entry',
    what: 'a promotion chain naming an environment that does not exist',
    setup: (r) => r.write(CONFIG, 'promotion: [dev, qa, prod]\n'),
    runs: brokenEverywhere(1, /unknown environment 'qa'/, PATHS),
  },
  {
    id: 'config/alias-bomb',
    what: 'a billion-laughs alias bomb under environments',
    setup: (r) => {
      const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        levels.push(
          `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`,
        );
      }
      r.write(CONFIG, `${levels.join('\n')}\nenvironments: *i\n`);
    },
    runs: brokenEverywhere(10, /environments must be a list/, PATHS),
  },
  {
    id: 'config/binary-garbage',
    what: 'NUL bytes and invalid UTF-8 in the config',
    setup: (r) =>
      r.write(
        CONFIG,
        Buffer.concat([
          Buffer.from('environments:\n  - name: dev\x00\n    path: '),
          Buffer.from([0xff, 0xfe, 0x00, 0x1b]),
          Buffer.from('[2J\n'),
        ]),
      ),
    // Read as kustomize reads YAML: invalid UTF-8 is refused at its line (it was decoded to U+FFFD before).
    runs: brokenEverywhere(3, /invalid UTF-8 \(byte 0xff\)/, PATHS),
  },
  {
    id: 'config/is-a-directory',
    what: 'the config path is a folder',
    setup: (r) => {
      r.remove(CONFIG);
      r.write(`${CONFIG}/placeholder`, '');
    },
    runs: PATHS.map((command) => ({ command, exit: 2, says: [/\.gitops-drift\.yaml/, /cannot read/] })),
  },
  {
    id: 'config/escape-sequence-in-name',
    what: 'an environment name that clears the screen and prints a fake verdict (its error must be printed inert)',
    setup: (r) =>
      r.write(
        CONFIG,
        'environments:\n  - name: "dev\\e[2J\\e[Hdev: 11 in sync"\n    path: envs/dev\n  - name: prod\n    path: envs/prod\n',
      ),
    runs: brokenEverywhere(2, /environment name/, PATHS),
  },
  {
    id: 'config/unknown-key',
    what: 'a misspelt top-level key: a warning, not an error',
    setup: (r) => r.write(CONFIG, 'lint:\n  disable: [plaintext-secret]\nenviroments: []\n'),
    runs: [
      {
        command: 'lint',
        exit: 1,
        says: [/\.gitops-drift\.yaml:3:1 +warning .*unknown key 'enviroments' \(did you mean 'environments'\?\)/],
      },
      { command: 'lint-json', exit: 1, says: [/"file": "\.gitops-drift\.yaml",\s+"line": 3,/] },
      ...each(['envs', 'render', 'promote'], { exit: 0, says: [/\.gitops-drift\.yaml:3:1: unknown key/] }),
      { command: 'check', exit: 1, says: [/\.gitops-drift\.yaml:3:1: unknown key/] },
    ],
  },
];
