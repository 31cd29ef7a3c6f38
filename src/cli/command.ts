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
}

/** Thrown for bad command-line usage: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** Parses `--flag value`, `--flag=value` and boolean `--flag` options; the rest are positionals. */
export function parseArgs(args: string[], spec: { strings?: string[]; booleans?: string[] }): { options: Record<string, string | boolean>; positionals: string[] } {
  const strings = new Set(spec.strings ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const options: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleans.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else if (strings.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { options, positionals };
}
