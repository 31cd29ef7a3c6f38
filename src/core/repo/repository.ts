/**
 * src/core/repo/: what a config repo holds: `.gitops-drift.yaml`, environment discovery (conventional layouts, Flux
 * and Argo CD declarations), promotion order, drift settings, the render-result cache and snapshot files. It may
 * import drift, render, live and the base layers.
 */
import type { Problem } from '../model/problem';
import type { FileSystem } from '../ports';
import {
  checkPromotion,
  emptyRepoConfig,
  joinPath,
  loadRepoConfig,
  normalizeRepoPath,
  type RepoEnvironment,
  type RepoConfig,
} from './config';
import { settleRenderers } from './applications';
import { folderApplication } from '../model/environment';
import { discoverEnvironments, type OutsideSource } from './discover';
import { inferPromotion } from './promotion';
import { groupArgoEnvironments } from './argoEnvironments';
import { type KubeContextServer, resolveArgoDestinations } from './argoDestinations';
import { expandAppOfApps } from './appOfApps';
import type { ArgoChartAccess } from './argoRepositories';
import type { RenderOptions } from '../render/types';
import { mapWithConcurrency } from '../pool';

/** An environment from the editor's `gitopsDrift.environments` setting. */
export interface EnvironmentSetting {
  name: string;
  path: string;
  context?: string;
  namespace?: string;
}

/** A repo's environments and settings, ready for the engine. */
export interface RepoModel {
  config: RepoConfig;
  /** Whether `.gitops-drift.yaml` exists. */
  hasConfigFile: boolean;
  environments: RepoEnvironment[];
  /** Argo CD Applications and Flux Kustomizations found whose source is another repo: listed, never rendered. */
  outside: OutsideSource[];
  promotion: string[][];
  /** Config errors, unreadable files, bad settings: shown, never fatal. */
  problems: Problem[];
}

/**
 * Loads a repo's environments. Precedence: the editor setting, then `.gitops-drift.yaml`, then discovery; the
 * config's ignore rules, appliers and promotion order apply whichever source listed the environments. `helmEngine`
 * renders an app-of-apps written as a chart (asked for only when discovery meets one, so the engine still loads
 * only for a repo that needs it); `chartSource` downloads an app-of-apps written as a chart of a Helm or OCI
 * repository (the engine passes its own, which says "off" unless the user turned chart downloads on).
 */
export async function loadRepository(
  fs: FileSystem,
  repoRoot: string,
  settings: EnvironmentSetting[] = [],
  ports: Pick<RenderOptions, 'helmEngine' | 'chartSource'> & {
    /**
     * The kubeconfig's contexts and servers, to resolve Argo CD destinations (repo/argoDestinations.ts) before their
     * Applications are grouped into environments; asked for only when an Application names a destination. Absent:
     * destinations are grouped as written.
     */
    kubeContexts?: () => Promise<readonly KubeContextServer[]>;
  } = {},
): Promise<RepoModel> {
  const loaded = await loadRepoConfig(fs, repoRoot);
  const config = loaded.config ?? emptyRepoConfig();
  const problems = [...loaded.problems];
  let environments: RepoEnvironment[];
  let inferred: string[][] | undefined;
  let outside: OutsideSource[] = [];
  let appOfApps: { files: string[]; remotes: string[]; chartAccess: ArgoChartAccess } | undefined;
  if (settings.length) environments = await fromSettings(fs, repoRoot, settings, problems);
  else if (config.environments.length) {
    environments = config.environments;
    await fillFluxClusters(fs, repoRoot, environments, problems);
  } else {
    const found = await discoverEnvironments(fs, repoRoot);
    problems.push(...found.problems);
    environments = found.environments;
    outside = found.outside;
    inferred = found.promotion;
    appOfApps = { files: found.applicationFiles, remotes: found.remotes, chartAccess: found.argoChartAccess };
  }
  problems.push(...(await pathsOutside(fs, repoRoot, environments)));
  await settleRenderers(fs, repoRoot, environments);
  if (appOfApps)
    problems.push(
      ...(await expandAppOfApps(
        fs,
        repoRoot,
        environments,
        appOfApps.files,
        appOfApps.remotes,
        ports.helmEngine,
        ports.chartSource,
        appOfApps.chartAccess,
        outside,
      )),
    );
  if (ports.kubeContexts && environments.some((e) => e.argoDestination && e.context === undefined))
    problems.push(...resolveArgoDestinations(environments, config.argocd, await ports.kubeContexts()));
  // One environment per destination cluster (or cluster and namespace), before promotion entries are checked.
  const perApplication = environments;
  environments = groupArgoEnvironments(environments, config.argocd.environments);
  // Discovery inferred its order over the Applications' names: inferred again over the destinations'.
  if (environments.some((e, i) => e !== perApplication[i]) || environments.length !== perApplication.length)
    inferred = undefined;
  let promotion = config.promotion;
  if (promotion.length) {
    // Promotion entries were checked against declared environments already; discovered ones are known only now.
    if (!config.environments.length || settings.length)
      problems.push(
        ...checkPromotion(
          config,
          environments.map((e) => e.name),
        ),
      );
  } else promotion = inferred ?? inferPromotion(environments);
  return { config, hasConfigFile: loaded.config !== undefined, environments, outside, promotion, problems };
}

/**
 * Environments whose folder is a symbolic link out of the repo: named where they are declared, in every command
 * (their render fails the same way; listing them is not reading them).
 */
async function pathsOutside(fs: FileSystem, repoRoot: string, environments: RepoEnvironment[]): Promise<Problem[]> {
  const realPath = fs.realPath?.bind(fs);
  if (!realPath || !environments.length) return [];
  const real = (p: string) => realPath(p).catch(() => undefined);
  const root = await real(repoRoot);
  if (root === undefined) return [];
  const problems: Problem[] = [];
  // Asked all at once: with asynchronous reads one after another, 100 environments wait 100 thread-pool turns.
  const targets = await Promise.all(environments.map((env) => real(joinPath(repoRoot, env.path))));
  for (const [i, env] of environments.entries()) {
    const target = targets[i];
    if (target !== undefined && target !== root && !target.startsWith(root === '/' ? '/' : root + '/')) {
      problems.push({
        severity: 'error',
        message: `environment '${env.name}': path '${env.path}' resolves to ${target} through a symbolic link, outside the repo; not read`,
        location: env.definedAt ?? { file: env.path, line: 0, column: 0 },
      });
    }
  }
  return problems;
}

/**
 * A config entry whose path is a Flux cluster folder (it holds Flux Kustomizations, or its `flux-system/` does) is
 * that cluster: its applications are the cluster's Kustomizations, as discovery finds them; the entry keeps its name,
 * context and namespace, and its own tracking if it has one. Discovery runs only when such a folder exists.
 */
async function fillFluxClusters(
  fs: FileSystem,
  repoRoot: string,
  environments: RepoEnvironment[],
  problems: Problem[],
): Promise<void> {
  const plain = environments.filter(
    (e) =>
      e.applications.length === 1 &&
      e.applications[0].source.type === 'folder' &&
      e.applications[0].source.path === e.path,
  );
  const holds = await mapWithConcurrency(plain, 8, (e) => holdsFluxKustomization(fs, joinPath(repoRoot, e.path)));
  const clusters = plain.filter((_, i) => holds[i]);
  if (!clusters.length) return;
  const found = await discoverEnvironments(fs, repoRoot);
  for (const env of clusters) {
    const cluster = found.environments.find((f) => f.source === 'flux' && f.path === env.path);
    if (!cluster) continue;
    env.applications = cluster.applications;
    if (!env.tracking) env.tracking = cluster.tracking;
    const files = new Set(cluster.applications.map((a) => a.declaredAt?.file));
    problems.push(...found.problems.filter((p) => p.location && files.has(p.location.file)));
  }
}

/** Whether a folder (or its `flux-system/`) holds a YAML file declaring a Flux Kustomization. */
async function holdsFluxKustomization(fs: FileSystem, dir: string): Promise<boolean> {
  for (const folder of [dir, `${dir.replace(/\/+$/, '')}/flux-system`]) {
    const entries = await fs.readDir(folder).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory || !/\.ya?ml$/i.test(e.name)) continue;
      const text = await fs.readFile(`${folder.replace(/\/+$/, '')}/${e.name}`).catch(() => '');
      if (text.includes('kustomize.toolkit.fluxcd.io/') && /kind:\s*Kustomization\b/.test(text)) return true;
    }
  }
  return false;
}

async function fromSettings(
  fs: FileSystem,
  repoRoot: string,
  settings: EnvironmentSetting[],
  problems: Problem[],
): Promise<RepoEnvironment[]> {
  const out: RepoEnvironment[] = [];
  for (const s of settings) {
    const path = typeof s.path === 'string' ? normalizeRepoPath(s.path) : undefined;
    if (!s.name || path === undefined || !(await fs.stat(joinPath(repoRoot, path)))?.isDirectory) {
      problems.push({
        severity: 'error',
        message: `setting gitopsDrift.environments: entry '${s.name ?? '?'}' needs a name and the path of a folder in the repo (got '${s.path}')`,
      });
      continue;
    }
    const env: RepoEnvironment = {
      name: s.name,
      path,
      source: 'setting',
      applications: [folderApplication(s.name, path)],
    };
    if (s.context) env.context = s.context;
    if (s.namespace) env.namespace = s.namespace;
    out.push(env);
  }
  return out;
}
