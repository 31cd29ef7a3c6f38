import { rename, rm, writeFile } from 'node:fs/promises';
import { plainText } from '../../core/model/untrustedText';
import * as path from 'node:path';
import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { formatProblem } from '../../core/engine';
import { buildSnapshot, RecordingReader, serializeSnapshot } from '../../core/repo/snapshot';
import { loadSecretKey, secretKeyPath } from '../../node/secretKey';
import { LiveSources, openRepo, refuseOnConfigErrors, repoRootArg } from './driftCommon';

const usage = `Usage: gitops-drift snapshot [REPO] --out FILE [--env NAME] [--context CTX] [--kubeconfig PATH] [--allow-exec]

Saves what the clusters hold for the environments of REPO (the same LISTs \`check\` makes: every kind and
namespace their desired state touches) to FILE, so \`gitops-drift check --live-from FILE\` can diff against it
without a cluster. Environments on several kube contexts get one section each.

Secret values are never written: each is replaced by an HMAC-SHA256 under your own secret key, which is enough
to tell "same" from "differs" and cannot be tested against a guess without the key. The key is made on first use
at $GITOPS_DRIFT_SECRET_KEY_FILE, else ~/.config/gitops-drift/secret-key (mode 0600), and is never written to
the repo or the snapshot; \`check --live-from\` compares Secret values only with the key that took the snapshot.

Options:
  --out FILE          where to write (YAML); written whole or not at all
  --env NAMES         only these environments, comma-separated (default: all)
  --context CTX       kube context for every environment (default: each environment's, else the current one)
  --kubeconfig PATH   kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
  --allow-exec        allow credential plugins (exec) named by the kubeconfig`;

/** `gitops-drift snapshot`: records live state for offline checks. */
export const snapshotCommand: CliCommand = {
  name: 'snapshot',
  summary: 'Save the live objects the environments need to a file (Secret values hashed) for check --live-from',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, {
      strings: ['out', 'env', 'context', 'kubeconfig'],
      booleans: ['allow-exec'],
    });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    if (typeof options.out !== 'string') throw new UsageError('--out FILE is required');
    const { engine, repo, selected } = await openRepo(
      await repoRootArg(positionals[0], io),
      io,
      options.env as string | undefined,
    );
    refuseOnConfigErrors(repo, 'taking a snapshot');
    const sources = new LiveSources(
      {
        context: options.context as string | undefined,
        kubeconfig: options.kubeconfig as string | undefined,
        allowExec: Boolean(options['allow-exec']),
      },
      io,
    );
    const key = await loadSecretKey(io.env, io.cwd, { create: true });
    // One recorder per kube context: environments on several clusters give a snapshot with one section each.
    const recorders = new Map<string, { recorder: RecordingReader; environments: string[] }>();
    let failed = false;
    for (const env of selected) {
      // Render first (the engine keeps the result): a repo error is named at its file:line with or without a cluster.
      const rendered = await engine.render(env).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      if (rendered !== undefined) {
        io.stderr(`${env.name}: render failed: ${rendered}\n`);
        failed = true;
        continue;
      }
      const source = await sources.forEnvironment(env);
      if ('error' in source) {
        io.stderr(`${env.name}: ${plainText(source.error)}\n`);
        failed = true;
        continue;
      }
      let entry = recorders.get(source.context);
      if (!entry)
        recorders.set(
          source.context,
          (entry = { recorder: new RecordingReader(source.reader, key), environments: [] }),
        );
      entry.environments.push(env.name);
      const report = await engine.check(env, { ...source, reader: entry.recorder });
      for (const p of report.problems) io.stderr(`${p.severity}: ${formatProblem(p)}\n`);
      if (report.error) {
        io.stderr(`${env.name}: ${plainText(report.error)}\n`);
        failed = true;
      }
    }
    if (failed || !recorders.size) {
      io.stderr('nothing written: not every environment could be read\n');
      return 2;
    }
    const snapshot = buildSnapshot(
      new Date().toISOString(),
      key,
      [...recorders].map(([context, e]) => e.recorder.section(context, e.environments)),
    );
    const out = path.resolve(io.cwd, options.out);
    // Write beside the target, then rename: a reader never sees half a snapshot.
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, serializeSnapshot(snapshot), { mode: 0o600 });
      await rename(tmp, out);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new Error(`cannot write ${options.out}: ${(e as Error).message}`);
    }
    const scopes = (snapshot.clusters ?? [snapshot]).flatMap((c) => c.scopes);
    const objects = scopes.reduce((n, s) => n + (s.status === 'ok' ? s.items.length : 0), 0);
    const failures = scopes.filter((s) => s.status !== 'ok').length;
    const clusters = recorders.size > 1 ? ` from ${recorders.size} clusters` : '';
    io.stderr(
      `saved ${objects} objects from ${scopes.length} lists${clusters}${failures ? ` (${failures} could not be read)` : ''} for ${selected.map((e) => e.name).join(', ')} to ${options.out}; Secret values are hashed with the key at ${secretKeyPath(io.env, io.cwd)}\n`,
    );
    return 0;
  },
};
