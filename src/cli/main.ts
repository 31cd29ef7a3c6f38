/**
 * src/cli/: the `gitops-drift` command. main.ts parses the command line and runs one command of commands/ (one file
 * per command; driftCommon.ts holds what the drift commands share); launch.ts is the process entry. It may import
 * the core and the node adapters, never src/vscode.
 */
import { createInterface } from 'node:readline/promises';
import { version } from '../../package.json';
import { type CliCommand, type CliIO, UsageError } from './command';
import { ProblemError } from '../core/model/problem';
import { plainText } from '../core/model/untrustedText';
import { renderCommand } from './commands/render';
import { envsCommand } from './commands/envs';
import { checkCommand } from './commands/check';
import { diffCommand } from './commands/diff';
import { snapshotCommand } from './commands/snapshot';
import { promoteCommand } from './commands/promote';
import { revertCommand } from './commands/revert';
import { putBackCommand } from './commands/putBack';
import { lintCommand } from './commands/lint';
import { historyCommand } from './commands/history';
import { doraCommand } from './commands/dora';
import { reconcileCommand } from './commands/reconcile';

/** Every subcommand, in the order `--help` lists them. */
const commands: CliCommand[] = [
  renderCommand,
  envsCommand,
  checkCommand,
  diffCommand,
  snapshotCommand,
  promoteCommand,
  revertCommand,
  putBackCommand,
  reconcileCommand,
  lintCommand,
  historyCommand,
  doraCommand,
];

// The version people installed: package.json's, bundled (esbuild keeps only this field of it).
const VERSION = version;

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return (
    [
      'gitops-drift — render GitOps config repos in-process and find drift against the live cluster',
      '',
      'Usage: gitops-drift <command> [options]',
      '',
      'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      "Run `gitops-drift <command> --help` for a command's options.",
      'Exit codes: 0 ok / in sync, 1 drift found, 2 error.',
    ].join('\n') + '\n'
  );
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout(VERSION + '\n');
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`gitops-drift: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage.endsWith('\n') ? command.usage : command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`gitops-drift ${name}: ${e.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (e instanceof ProblemError) {
      // A problem quotes repo text (a file name, a key): shown, never obeyed.
      io.stderr(`error: ${plainText(e.message, { multiline: true, visible: true })}\n`);
      return 2;
    }
    // An unexpected error may quote what a server or a file said: nothing in it may drive the terminal.
    io.stderr(`error: ${plainText(e instanceof Error ? e.message : String(e), { multiline: true })}\n`);
    if (io.env.GITOPS_DRIFT_DEBUG) io.stderr(`${e instanceof Error ? e.stack : ''}\n`);
    return 2;
  }
}

/** A yes/no question on stderr, answered on stdin; anything but y or yes is no. */
async function askOnTerminal(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/**
 * A writer to `stream` that stops writing once its reader has gone (`gitops-drift check | head`): the rest of the
 * output is dropped and the command still ends with its own exit code, instead of Node's unhandled EPIPE crash.
 */
export function writerToPipe(stream: NodeJS.WritableStream): (text: string) => void {
  let readerGone = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    readerGone = true;
  });
  return (text) => {
    if (!readerGone) stream.write(text);
  };
}

/** Runs the command line of this process and sets its exit code. */
export function main(): void {
  const io: CliIO = {
    stdout: writerToPipe(process.stdout),
    stderr: writerToPipe(process.stderr),
    cwd: process.cwd(),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    env: process.env,
    ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askOnTerminal } : {}),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) main();
