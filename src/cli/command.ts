import { parseArgs as parseNodeArgs } from 'node:util';

/** One `gitops-drift` subcommand. */
export interface CliCommand {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Full usage text for `gitops-drift NAME --help`. */
  usage: string;
  /** Returns the process exit code: 0 ok / in sync, 1 drift found, 2 error. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Where a command writes; tests pass buffers. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Working directory used to resolve relative paths. */
  cwd: string;
  /** Whether stdout is a colour terminal. */
  color: boolean;
  env: NodeJS.ProcessEnv;
  /**
   * Asks the person at the terminal a yes/no question (default no). Absent when nobody can answer (stdin or stderr is
   * not a terminal): a command that writes to a cluster then needs its `--yes`.
   */
  confirm?: (question: string) => Promise<boolean>;
}

/** Thrown for bad command-line usage: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag` options with Node's `util.parseArgs` (strict: an unknown
 * option is an error); the rest, and everything after `--`, are positionals. Errors become UsageErrors in our words.
 */
export function parseArgs(
  args: string[],
  spec: { strings?: string[]; booleans?: string[] },
): { options: Record<string, string | boolean>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of spec.strings ?? []) options[name] = { type: 'string' };
  for (const name of spec.booleans ?? []) options[name] = { type: 'boolean' };
  try {
    const { values, positionals } = parseNodeArgs({ args, options, allowPositionals: true, strict: true });
    return { options: { ...values } as Record<string, string | boolean>, positionals };
  } catch (e) {
    throw new UsageError(usageMessage(e as Error & { code?: string }, spec));
  }
}

function usageMessage(e: Error & { code?: string }, spec: { strings?: string[]; booleans?: string[] }): string {
  const option = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '';
  const name = option.replace(/^-+/, '');
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (spec.booleans?.includes(name)) return `--${name} takes no value`;
    return `--${name} needs a value`;
  }
  return e.message;
}
