/** The shape of a hostile case, the commands it runs, and helpers to write expectations briefly. */
import type { Corpus, Repo } from '../corpus';

/** Every way the suite runs the CLI; `-json`/`-sarif` are the same command with `--format`. */
export const COMMANDS = [
  'envs',
  'render',
  'lint',
  'lint-json',
  'lint-sarif',
  'check',
  'check-json',
  'check-sarif',
  'check-cluster',
  'diff',
  'snapshot',
  'put-back',
  'promote',
  'revert',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/** The plain commands: each CLI subcommand once, in text form. */
export const PLAIN: CommandName[] = [
  'envs',
  'render',
  'lint',
  'check',
  'diff',
  'snapshot',
  'put-back',
  'promote',
  'revert',
];
/** Commands that render an environment's content (the others stop at the repo's config and discovery). */
export const RENDERING: CommandName[] = ['render', 'lint', 'check', 'diff', 'promote'];

/** What one run must show. Time and memory bounds default to the suite's (see hostile.test.ts). */
export interface Expect {
  exit: number;
  /** Each must match stdout + stderr. */
  says?: RegExp[];
  /** None may match stdout + stderr. */
  never?: RegExp[];
  /** Appended to the command's arguments. */
  extraArgs?: string[];
  seconds?: number;
  megabytes?: number;
}

export interface Run extends Expect {
  command: CommandName;
}

export interface HostileCase {
  /** `area/name`: the area is the file the case is in. */
  id: string;
  /** What is hostile about it, and what must happen. */
  what: string;
  setup(repo: Repo): void;
  runs: Run[];
  /** Live Secrets for this case's snapshot (YAML list items, indented 6), instead of none. */
  liveSecrets?(repo: Repo): string[];
  /** This case's snapshot holds a refused (403) ConfigMap list instead of the ConfigMap. */
  forbiddenConfigMaps?: boolean;
  /** The kubeconfig for this case's runs (text), instead of the corpus's unreachable one. */
  kubeconfig?(repo: Repo): string;
  /** After every run: what must not have happened (e.g. a file a credential plugin would create); empty when fine. */
  afterwards?(repo: Repo): string[];
}

/** The same expectation for several commands. */
export function each(commands: readonly CommandName[], expect: Expect): Run[] {
  return commands.map((command) => ({ command, ...expect }));
}

/** The CLI arguments of `command` on `repo` (snapshot writes next to the repo, never inside it). */
export function argsFor(command: CommandName, repo: string, corpus: Pick<Corpus, 'snapshot' | 'kubeconfig'>): string[] {
  switch (command) {
    case 'envs':
      return ['envs', repo];
    case 'render':
      return ['render', `${repo}/envs/dev`];
    case 'lint':
      return ['lint', repo];
    case 'lint-json':
      return ['lint', repo, '--format', 'json'];
    case 'lint-sarif':
      return ['lint', repo, '--format', 'sarif'];
    case 'check':
      return ['check', repo, '--live-from', corpus.snapshot];
    case 'check-json':
      return ['check', repo, '--live-from', corpus.snapshot, '--format', 'json'];
    case 'check-sarif':
      return ['check', repo, '--live-from', corpus.snapshot, '--format', 'sarif'];
    case 'check-cluster':
      // No --live-from: the kubeconfig's cluster (KUBECONFIG), for the cases that attack the way there.
      return ['check', repo, '--kubeconfig', corpus.kubeconfig];
    case 'diff':
      return ['diff', repo, '--live-from', corpus.snapshot];
    case 'snapshot':
      return ['snapshot', repo, '--out', `${repo}.snapshot.yaml`, '--kubeconfig', corpus.kubeconfig];
    case 'put-back':
      return ['put-back', repo, '--env', 'dev', '--kubeconfig', corpus.kubeconfig];
    case 'promote':
      return ['promote', repo, '--from', 'dev', '--to', 'prod', '--dry-run'];
    case 'revert':
      return ['revert', repo, '--env', 'dev', '--list'];
  }
}
