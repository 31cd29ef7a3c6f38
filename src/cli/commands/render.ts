import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { maskedObject } from '../../core/authoring/renderedText';
import { renderApplication } from '../../core/render/application';
import { folderApplication } from '../../core/model/environment';
import { formatProblem } from '../../core/engine';
import { SKIPPED_CONTENT } from '../../core/model/problem';
import { CONFIG_FILE } from '../../core/repo/config';
import { loadRepository } from '../../core/repo/repository';
import { kustomizeYaml } from '../../core/render/kustomize/kustomizeYaml';
import type { RenderedObject, RenderResult } from '../../core/render/types';
import { applicationNamed } from '../../core/repo/applications';
import type { RepoEnvironment } from '../../core/repo/config';
import { cliChartSource } from './cliChartSource';
import { openRepo, repoRootArg } from './driftCommon';
import { NodeFileSystem } from '../../node/nodeFileSystem';
import { repoReadOptions } from '../../node/regularFile';
import { WasmHelmEngine } from '../../node/helmEngine';

const usage = `Usage: gitops-drift render DIR [--mask-secrets] [--origins] [--repo-root PATH] [--allow-incomplete]
                            [--chart-downloads]
       gitops-drift render --env NAME [--app NAME] [REPO] [--mask-secrets] [--origins] [--allow-incomplete]
                            [--chart-downloads]
       gitops-drift render --file FILE [--env NAME] [REPO] [--mask-secrets] [--origins]
                            [--chart-downloads]

Renders the kustomization in DIR in-process and prints what \`kustomize build DIR\` prints (a folder without a
kustomization file renders as Flux's kustomize-controller renders it: every manifest in it). With --env, renders an
environment of the config repo REPO (default: the current folder) as its controller would apply it: the objects of
all its applications, in order (or of one, with --app), in the same format. Like kustomize, it prints Secrets in
full, values included (that is what a controller applies): pass --mask-secrets to replace each Secret value by a
mask (equal values mask equally within one run) before the output goes to a log or a review.

Options:
  --env NAME         an environment (as \`gitops-drift envs\` lists them) instead of a DIR
  --app NAME         with --env: only this application of the environment, or a HelmRelease it renders
                     (\`HelmRelease NAMESPACE/NAME\` or NAME): its chart, rendered by Helm's engine
  --file FILE        the HelmReleases FILE declares: their charts, rendered by Helm's engine as the environment
                     that renders FILE would (give --env when several do); REPO defaults to the folder above FILE
                     holding .git or .gitops-drift.yaml
  --chart-downloads  a chart of a Helm or OCI repository is downloaded (cached outside the repo; docs/helm.md): a
                     HelmRelease's, an Argo CD chart source's, a helmCharts entry's with repo; without it, only
                     charts in this repo are rendered
  --mask-secrets     mask Secret values (data, stringData, last-applied and other embedded copies)
  --origins          print JSON instead: for each object its key and, per field path, the file:line that set it
                     (for a chart's objects: the template, or the values line that set the field)
  --repo-root PATH   nothing outside PATH is read (default: nearest ancestor of DIR with .git or
                     .gitops-drift.yaml, else the root directory)
  --allow-incomplete exit 0 even when content was skipped (a remote resource or component, a Helm chart, a
                     generator or transformer plugin: nothing is fetched or run); without it, exit 2, since the
                     output is not what kustomize build prints

Exit codes: 0 rendered, 2 error, content skipped, or an error in .gitops-drift.yaml.`;

/** `gitops-drift render DIR`: multi-document YAML like `kustomize build`, or field origins as JSON. */
export const renderCommand: CliCommand = {
  name: 'render',
  summary:
    'Render a kustomization in-process (like kustomize build, Secrets in full; --mask-secrets masks them); --origins shows where each field came from',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, {
      strings: ['repo-root', 'env', 'app', 'file'],
      booleans: ['origins', 'mask-secrets', 'allow-incomplete', 'chart-downloads'],
    });
    if (typeof options.file === 'string') return renderFile(options.file, positionals, options, io);
    if (options.file !== undefined) throw new UsageError('--file needs a FILE');
    if (typeof options.env === 'string')
      return renderEnvironment(
        options.env,
        typeof options.app === 'string' ? options.app : undefined,
        positionals,
        options,
        io,
      );
    if (options.app !== undefined) throw new UsageError('--app needs --env');
    if (positionals.length !== 1) throw new UsageError('expected exactly one DIR (or --env NAME)');
    const dir = path.resolve(io.cwd, positionals[0]);
    const repoRoot =
      typeof options['repo-root'] === 'string' ? path.resolve(io.cwd, options['repo-root']) : findRepoRoot(dir);
    const rel = path.relative(repoRoot, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw new UsageError(`${dir} is not inside the repo root ${repoRoot}`);
    const fs = new NodeFileSystem(repoReadOptions(toPosix(repoRoot), io.env));
    // The repo's own config is not kustomize's, but a broken one is broken for every command (exit 2, nothing rendered).
    // Loaded with discovery, since promotion entries are checked against the environments found; only when there is
    // a config, so that a render under a bare root (even /) does not walk the whole tree.
    const hasConfig = (await fs.stat(path.join(repoRoot, CONFIG_FILE))) !== undefined;
    const configProblems = hasConfig
      ? (await loadRepository(fs, toPosix(repoRoot))).problems.filter((p) => p.location?.file === CONFIG_FILE)
      : [];
    for (const p of configProblems) io.stderr(`${p.severity}: ${formatProblem(p)}\n`);
    if (configProblems.some((p) => p.severity === 'error')) {
      io.stderr(`error: nothing rendered: ${CONFIG_FILE} has errors (above)\n`);
      return 2;
    }
    // Through the one render port: a folder without a kustomization file renders as Flux generates one for it.
    const folder = toPosix(rel);
    let helm: WasmHelmEngine | undefined;
    const result = await renderApplication(folderApplication(folder || '.', folder), {
      fs,
      repoRoot: toPosix(repoRoot),
      // `helmCharts:` inflate as `kustomize build --enable-helm` does; made only when the render meets one.
      helmEngine: () => (helm ??= new WasmHelmEngine()),
      // A `helmCharts` entry's chart of a Helm or OCI repository (kustomize's `helm pull`) only with --chart-downloads.
      chartSource: cliChartSource(io, Boolean(options['chart-downloads'])),
    });
    return printRender(result, options, io);
  },
};

type RenderFlags = Record<string, string | boolean | undefined>;

/** `render --env NAME [--app NAME] [REPO]`: an environment's (or one application's) objects through the engine. */
async function renderEnvironment(
  envName: string,
  appName: string | undefined,
  positionals: string[],
  options: RenderFlags,
  io: CliIO,
): Promise<number> {
  if (positionals.length > 1) throw new UsageError('with --env, expected at most one REPO');
  if (options['repo-root'] !== undefined)
    throw new UsageError('with --env, give the repo as REPO instead of --repo-root');
  const { engine, repo } = await openRepo(await repoRootArg(positionals[0], io), io, undefined, {
    chartDownloads: Boolean(options['chart-downloads']),
    // One render of one moment, as `check`: each file is read once, not checked for changes on every read.
    filesFixed: true,
  });
  if (repo.problems.some((p) => p.severity === 'error' && p.location?.file === CONFIG_FILE)) {
    io.stderr(`error: nothing rendered: ${CONFIG_FILE} has errors (above)\n`);
    return 2;
  }
  const env = await engine.environment(envName);
  let result: RenderResult;
  if (appName === undefined) result = await engine.render(env);
  else {
    const app = applicationNamed(env, appName);
    // Not one of the environment's own applications: a HelmRelease it renders (`HelmRelease NS/NAME`, or NAME),
    // whose chart in this repo is rendered as helm-controller would.
    const released = app ? undefined : await engine.renderHelmRelease(env, appName);
    if (!app && !released)
      throw new UsageError(
        `environment '${env.name}' has no application '${appName}' (it has: ${env.applications.map((a) => a.name).join(', ')}), nor a HelmRelease of that name`,
      );
    result = app ? await engine.renderApplication(env, app) : released!;
  }
  const code = printRender(result, options, io);
  // An object rendered by two applications, or an application whose render failed: printed above, and not what the
  // controller would apply.
  return code || (result.problems.some((p) => p.severity === 'error') ? 2 : 0);
}

/**
 * `render --file FILE [--env NAME] [REPO]`: the Helm applications FILE declares (its HelmReleases), each chart
 * rendered as the environment that renders FILE would; with several such environments, --env says which.
 */
async function renderFile(file: string, positionals: string[], options: RenderFlags, io: CliIO): Promise<number> {
  if (positionals.length > 1) throw new UsageError('with --file, expected at most one REPO');
  if (options.app !== undefined) throw new UsageError('--file renders every HelmRelease of FILE: leave --app out');
  const absolute = path.resolve(io.cwd, file);
  const root =
    positionals[0] !== undefined
      ? await repoRootArg(positionals[0], io)
      : toPosix(findRepoRoot(path.dirname(absolute)));
  const rel = toPosix(path.relative(root, absolute));
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`${file} is not inside the repo ${root}`);
  const { engine, repo } = await openRepo(root, io, undefined, {
    chartDownloads: Boolean(options['chart-downloads']),
    filesFixed: true,
  });
  if (repo.problems.some((p) => p.severity === 'error' && p.location?.file === CONFIG_FILE)) {
    io.stderr(`error: nothing rendered: ${CONFIG_FILE} has errors (above)\n`);
    return 2;
  }
  const wanted = typeof options.env === 'string' ? [await engine.environment(options.env)] : repo.environments;
  const found: { env: RepoEnvironment; apps: string[] }[] = [];
  for (const env of wanted) {
    const apps = (await engine.helmApplications(env)).filter((a) => a.declaredAt.file === rel).map((a) => a.name);
    if (apps.length) found.push({ env, apps });
  }
  if (!found.length)
    throw new UsageError(
      `${rel} declares no HelmRelease that ${typeof options.env === 'string' ? `environment '${options.env}'` : 'an environment'} renders`,
    );
  if (found.length > 1)
    throw new UsageError(`${rel} is rendered by ${found.map((f) => f.env.name).join(', ')}: give --env NAME`);
  const { env, apps } = found[0];
  const result: RenderResult = { root: '', objects: [], problems: [], files: [] };
  for (const app of apps) {
    const one = await engine.renderHelmRelease(env, app);
    if (!one) continue;
    result.objects.push(...one.objects);
    result.problems.push(...one.problems);
    result.files.push(...one.files);
  }
  return printRender(result, options, io);
}

/** Prints problems to stderr and the objects (or their origins) to stdout; 2 when content was skipped. */
function printRender(result: RenderResult, options: RenderFlags, io: CliIO): number {
  for (const p of result.problems) io.stderr(`${p.severity}: ${formatProblem(p)}\n`);
  if (options.origins) {
    const objects = result.objects.map((o) => ({ key: o.key, origins: Object.fromEntries(o.origins) }));
    io.stdout(JSON.stringify({ objects }, null, 2) + '\n');
  } else {
    const shown = options['mask-secrets'] ? maskedObject : (o: RenderedObject) => o.object;
    io.stdout(result.objects.map((o) => kustomizeYaml(shown(o), o.exactIntegers)).join('---\n'));
  }
  const skipped = result.problems.filter((p) => p.code === SKIPPED_CONTENT).length;
  if (skipped && !options['allow-incomplete']) {
    io.stderr(
      `error: the render is incomplete: ${skipped} part${skipped === 1 ? '' : 's'} skipped (above); --allow-incomplete accepts that\n`,
    );
    return 2;
  }
  return 0;
}

function findRepoRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git')) || existsSync(path.join(d, '.gitops-drift.yaml'))) return d;
    if (path.dirname(d) === d) return d;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
