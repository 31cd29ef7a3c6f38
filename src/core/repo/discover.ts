import {
  Document as YamlDocument,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';
import { describeReadError, type FileError } from '../fileErrors';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import type { FileSystem } from '../ports';
import { MAX_YAML_DEPTH, tooDeepAt } from '../yaml/yamlDepth';
import { parseYamlIfFast } from '../yaml/parseYaml';
import { toPlain } from '../yaml/tree';
import { clusterSecret, expandApplicationSet, type ClusterSecret } from './applicationSet';
import {
  argoChartCredentials,
  argoChartTls,
  argoRepositorySecret,
  argoTlsCerts,
  type ArgoChartAccess,
  type ArgoRepositorySecret,
  type ArgoTlsCerts,
} from './argoRepositories';
import {
  type Application,
  type ApplicationParent,
  type ArgoSource,
  folderApplication,
  type RemoteChart,
  sourcePath,
} from '../model/environment';
import { joinPath, normalizeRepoPath, type RepoEnvironment } from './config';
import { inferPromotion, stageRank } from './promotion';
import { walkRepo } from './walk';
import { mapWithConcurrency } from '../pool';
import { FileLocator, FixedLocator } from '../yaml/yamlLocate';
import { fastReadable, FluxObjects, fluxClusters } from './flux';
import { applicationIgnoreRules, argocdCmIgnoreRules, isArgocdCm } from './argoIgnore';
import { argoRefs, readArgoHelm } from './argoHelm';
import type { IgnoreRule } from '../drift/options';

/** Parent folder names whose kustomization children are conventionally environments (`envs/prod`, `apps/shop/overlays/prod`). */
const CONVENTIONAL_PARENTS = new Set(['envs', 'env', 'environments', 'overlays', 'clusters', 'stages']);
/** Path segments left out of a name when two environments would otherwise share one (`apps/shop/overlays/prod` → `shop/prod`). */
const NOISE_SEGMENTS = new Set([
  ...CONVENTIONAL_PARENTS,
  'apps',
  'deploy',
  'k8s',
  'kubernetes',
  'kustomize',
  'manifests',
]);

/**
 * An Argo CD Application or Flux Kustomization whose source is another repo (another GitRepository, an
 * OCIRepository, a Bucket, an ExternalArtifact, an Application's other repoURL): shown, with nothing rendered.
 */
export interface OutsideSource {
  name: string;
  tool: 'flux' | 'argocd';
  /** The source as the manifest names it: `OCIRepository flux-system/podinfo`, `https://github.com/acme/apps`. */
  source: string;
  definedAt: SourceLocation;
  /** An Argo CD Application an app-of-apps renders: that parent (its name and source line). */
  parent?: ApplicationParent;
}

/** The code of a discovery problem for a repo file that could not be read (its environment went unseen). */
export const UNREADABLE_FILE = 'unreadable-file';

/** What discovery found. */
export interface DiscoveryResult {
  environments: RepoEnvironment[];
  /** Applications and Kustomizations whose source is outside this repo: not environments of it. */
  outside: OutsideSource[];
  /** Inferred promotion chains (dev < test < staging < prod), one per group of sibling environments. */
  promotion: string[][];
  /** Files that could not be read or parsed: discovery went on without them. */
  problems: Problem[];
  /** Every directory holding a kustomization file (repo-relative). */
  kustomizationDirs: string[];
  /**
   * Files declaring Argo CD Applications, and chart folders whose templates do: where an app-of-apps may render more
   * of them (repo/appOfApps.ts).
   */
  applicationFiles: string[];
  /** This repo's git remotes, normalised (normalizeGitUrl); empty when unknown. */
  remotes: string[];
  /** The repo's Argo CD repository Secrets and TLS certificates, for the charts of Applications an app-of-apps renders. */
  argoChartAccess: ArgoChartAccess;
}

/**
 * Finds a repo's environments without any config: kustomization roots under conventional folders that no other
 * kustomization includes, plus the paths named by Argo CD `Application` and Flux `Kustomization` manifests and
 * the folders matched by Argo CD `ApplicationSet` git directory generators.
 * Reads directory listings, kustomization files, and the YAML files outside bases and components (parsing only
 * those that mention Argo CD or Flux).
 */
export async function discoverEnvironments(fs: FileSystem, repoRoot: string): Promise<DiscoveryResult> {
  const tree = await walkRepo(fs, repoRoot);
  const problems: Problem[] = [];
  const included = new Set<string>();
  const namespaces = new Map<string, string>();
  /** Kustomization folder → the kustomization folders it includes, with the entry that names each. */
  const edges = new Map<string, { to: string; at: SourceLocation }[]>();
  /** Kustomization folder → every local entry it lists (files and folders), for following Flux Kustomizations. */
  const entries = new Map<string, string[]>();
  /** Files kustomizations use as patches (a partial Flux Kustomization there is not a Kustomization). */
  const patchFiles = new Set<string>();
  await mapWithConcurrency([...tree.kustomizations], 16, async ([dir, file]) => {
    const text = await readOrReport(fs, repoRoot, file, problems, 'error');
    if (text === undefined || tooDeep(text, file, problems)) return;
    const read = readKustomization(text, file, problems);
    if (!read) return;
    const { k, listItems } = read;
    if (typeof k.namespace === 'string') namespaces.set(dir, k.namespace);
    const out: { to: string; at: SourceLocation }[] = [];
    const listed: string[] = [];
    entries.set(dir, listed);
    for (const field of ['resources', 'bases', 'components']) {
      for (const { entry, at } of listItems(field)) {
        if (typeof entry !== 'string' || isRemote(entry)) continue;
        const target = normalizeRepoPath(dir ? `${dir}/${entry}` : entry);
        if (target !== undefined) listed.push(target);
        if (target === undefined || !tree.kustomizations.has(target)) continue;
        out.push({ to: target, at });
        // A kustomization that lists itself stays a root: rendering it names the cycle.
        if (target !== dir) included.add(target);
      }
    }
    for (const file of patchFilesOf(k)) {
      const target = normalizeRepoPath(dir ? `${dir}/${file}` : file);
      if (target !== undefined) patchFiles.add(target);
    }
    edges.set(dir, out);
  });
  problems.push(...kustomizationCycles(edges));

  // Bases and components (kustomizations others include) hold app manifests, not Argo CD or Flux objects: their
  // files are the bulk of a large repo and are not read.
  const inBase = (f: string) => included.has(f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '');
  // A chart's templates are Go templates, not manifests: never read as Applications. A chart whose templates declare
  // Applications is an app-of-apps written as a chart (argocd-example-apps' `apps/`).
  const charts = tree.yamlFiles
    .filter((f) => f === 'Chart.yaml' || f.endsWith('/Chart.yaml'))
    .map((f) => f.slice(0, -'Chart.yaml'.length));
  const chartOf = (f: string) => charts.find((c) => f.startsWith(`${c}templates/`));
  const templates = tree.yamlFiles.filter((f) => chartOf(f) !== undefined);
  const chartsOfApplications = new Set<string>();
  await mapWithConcurrency(templates, 16, async (file) => {
    const text = await fs.readFile(joinPath(repoRoot, file)).catch(() => '');
    if (text.includes('argoproj.io') && /kind:\s*Application\b/.test(text))
      chartsOfApplications.add(chartOf(file)!.replace(/\/$/, ''));
  });
  const templateFiles = new Set(templates);
  const remotes = await repoRemotes(fs, repoRoot);
  const folders = repoFolders([...tree.yamlFiles, ...tree.jsonFiles], [...tree.kustomizations.keys()]);
  const kustomizationFiles = new Set(tree.kustomizations.values());
  const flux = new FluxObjects();
  const claimed = new Set<string>();
  const scanned = await scanToolManifests(
    fs,
    repoRoot,
    tree.yamlFiles.filter((f) => !inBase(f) && !templateFiles.has(f)),
    kustomizationFiles,
    { folders, files: [...tree.yamlFiles, ...tree.jsonFiles] },
    remotes,
    flux,
    problems,
  );
  const { environments: fromArgo, outside } = scanned;
  const fromTools = [...fromArgo];
  const applicationFiles = [...scanned.applicationFiles];
  if (flux.kustomizations.length) {
    // A Flux repo: a Kustomization's folder may hold more of them (home-ops `ks.yaml` files below a kustomization
    // that lists them), so the bases are read too.
    const more = await scanToolManifests(
      fs,
      repoRoot,
      tree.yamlFiles.filter((f) => inBase(f) && !templateFiles.has(f)),
      kustomizationFiles,
      { folders, files: [...tree.yamlFiles, ...tree.jsonFiles] },
      remotes,
      flux,
      problems,
    );
    fromTools.push(...more.environments);
    outside.push(...more.outside);
    applicationFiles.push(...more.applicationFiles);
    const folderSet = new Set(folders);
    /** A file → the namespace the kustomization listing it sets. */
    const listedIn = new Map<string, string>();
    for (const [dir, listed] of entries) {
      const ns = namespaces.get(dir);
      if (ns) for (const file of listed) listedIn.set(file, ns);
    }
    const clusters = fluxClusters(
      flux,
      {
        kustomizationDirs: new Set(tree.kustomizations.keys()),
        entries,
        yamlFiles: tree.yamlFiles,
        patchFiles,
        namespaceOf: (file) => listedIn.get(file),
        isFolder: (p) => p === '' || folderSet.has(p),
      },
      { known: remotes.size > 0, has: (url) => remotes.has(normalizeGitUrl(url)) },
    );
    fromTools.push(...clusters.environments);
    problems.push(...clusters.problems);
    outside.push(...clusters.outside.map((o) => ({ ...o, tool: 'flux' as const })));
    outside.sort((a, b) => a.definedAt.file.localeCompare(b.definedAt.file) || a.definedAt.line - b.definedAt.line);
    for (const f of clusters.claimedFolders) claimed.add(f);
  }
  const toolPaths = new Set([...fromTools.map((e) => e.path), ...claimed]);
  const roots = [...tree.kustomizations.keys()].filter((dir) => !included.has(dir) && !toolPaths.has(dir));
  let conventional = roots.filter((dir) => conventionalDepth(dir) > 0);
  // A repo with no conventional layout (and no Argo CD/Flux manifests, even ones of other repos): every top-level
  // root is an environment.
  const fallback = !conventional.length && !fromTools.length && !outside.length && !flux.kustomizations.length;
  if (fallback) conventional = roots;
  const depth = (dir: string) => (fallback ? 1 : conventionalDepth(dir));
  /** The folder an environment sits in, for grouping: `apps/shop/overlays` for `apps/shop/overlays/prod/eu`. */
  const folderOf = (dir: string) => dir.split('/').slice(0, -depth(dir)).join('/');
  // Several apps (apps/shop/overlays/prod, apps/cart/overlays/prod): qualify every name with its app, not only clashing ones.
  const prefixes = new Set(conventional.map((dir) => folderOf(dir).split('/').slice(0, -1).join('/')));
  const discovered: RepoEnvironment[] = conventional.map((dir) => {
    const name = prefixes.size > 1 ? shortName(dir) : dir.split('/').slice(-depth(dir)).join('/');
    const env: RepoEnvironment = { name: name || 'default', path: dir, source: 'discovered', applications: [] };
    const ns = namespaces.get(dir);
    if (ns) env.namespace = ns;
    return env;
  });
  const groups = new Map(discovered.map((e) => [e.path, folderOf(e.path)]));
  const environments = uniqueNames([...fromTools, ...discovered]).sort(byFolderThenStage);
  // An overlay is its own one application, named after the environment (its name is final only now).
  for (const env of environments)
    if (!env.applications.length) env.applications.push(folderApplication(env.name, env.path));
  const promotion = inferPromotion(
    environments,
    (e) => groups.get(e.path) ?? e.path.slice(0, Math.max(0, e.path.lastIndexOf('/'))),
  );
  return {
    environments,
    outside,
    promotion,
    problems,
    kustomizationDirs: [...tree.kustomizations.keys()].sort(),
    applicationFiles: [...applicationFiles, ...chartsOfApplications].sort(),
    remotes: [...remotes],
    argoChartAccess: scanned.chartAccess,
  };
}

/**
 * Argo CD Applications whose path is a folder of this repo, those whose source is another repo (`outside`: an
 * Argo CD source is this repo when its repoURL is one of this repo's remotes, or, with no remotes to compare, when its
 * path exists here), and ApplicationSets' environments; the Flux objects found are recorded in `flux`.
 */
async function scanToolManifests(
  fs: FileSystem,
  repoRoot: string,
  yamlFiles: string[],
  kustomizationFiles: Set<string>,
  listing: { folders: string[]; files: string[] },
  remotes: Set<string>,
  flux: FluxObjects,
  problems: Problem[],
): Promise<{
  environments: RepoEnvironment[];
  outside: OutsideSource[];
  applicationFiles: string[];
  chartAccess: ArgoChartAccess;
}> {
  const outside: OutsideSource[] = [];
  /** ApplicationSets, expanded once every cluster Secret of the repo is known. */
  const applicationSets: { doc: Document; loc: FileLocator }[] = [];
  const clusters: ClusterSecret[] = [];
  /** Argo CD repository Secrets of the repo: complete before any chart is downloaded (at render time). */
  const repositories: ArgoRepositorySecret[] = [];
  /** `argocd-tls-certs-cm` ConfigMaps of the repo (CA certificates by host name). */
  const tlsCerts: ArgoTlsCerts[] = [];
  const chartAccess: ArgoChartAccess = {
    credentials: (repoURL) => (repositories.length ? argoChartCredentials(repositories, repoURL) : undefined),
    tls: (repoURL) =>
      repositories.length || tlsCerts.length ? argoChartTls(repositories, tlsCerts, repoURL) : undefined,
  };
  const applicationFiles = new Set<string>();
  /** The ignore rules of `argocd-cm` ConfigMaps in the repo: Argo CD applies them to every Application. */
  const argoSettingsRules: IgnoreRule[] = [];
  const isThisRepo = (url: string) => !remotes.size || remotes.has(normalizeGitUrl(url));
  const readApplication = (doc: Document, name: string, loc: FileLocator): RepoEnvironment[] => {
    const read = applicationEnvironments(doc, name, loc, isThisRepo, chartAccess);
    problems.push(...read.problems);
    outside.push(...read.outside);
    return read.environments;
  };
  const found: RepoEnvironment[][] = await mapWithConcurrency(
    yamlFiles.filter((f) => !kustomizationFiles.has(f)),
    16,
    async (file) => {
      const text = await readOrReport(fs, repoRoot, file, problems);
      // Cheap filter first: most YAML files in a config repo are plain manifests, never worth a full parse.
      if (text === undefined || !mayDeclareEnvironments(text) || tooDeep(text, file, problems)) return [];
      // Most such files (a home-ops repo's 120 `ks.yaml`) hold only Flux Kustomizations: the renderer's fast reader
      // reads them at a tenth of the cost of `yaml`'s Documents, which read the rest, and what it leaves, as before.
      const fast = parseYamlIfFast(text, file, 'resource');
      if (fast?.every(fastReadable)) {
        for (const doc of fast) if (doc.kind === 'map') flux.readTree(doc, file, text);
        return [];
      }
      const lines = new LineCounter();
      const loc = new FileLocator(file, lines);
      const out: RepoEnvironment[] = [];
      for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false }) as Document[]) {
        if (doc.errors.length) {
          problems.push({
            severity: 'warning',
            message: `cannot parse: ${doc.errors[0].message.split('\n')[0]}`,
            location: loc.at(doc.errors[0].pos[0]),
          });
          continue;
        }
        const apiVersion = str(doc.get('apiVersion'));
        const kind = str(doc.get('kind'));
        const name = str(doc.getIn(['metadata', 'name']));
        if (!apiVersion || !kind || !name) continue;
        if (apiVersion === 'v1' && isArgocdCm(doc)) {
          const settings = argocdCmIgnoreRules(doc, loc);
          argoSettingsRules.push(...settings.rules);
          problems.push(...settings.problems);
        } else if (apiVersion === 'v1' && kind === 'Secret') {
          const cluster = clusterSecret(doc, loc);
          if (cluster) clusters.push(cluster);
          const repository = argoRepositorySecret(doc, loc);
          if (repository) repositories.push(repository);
        } else if (apiVersion === 'v1' && kind === 'ConfigMap') {
          const certs = argoTlsCerts(doc, loc);
          if (certs) tlsCerts.push(certs);
        } else if (apiVersion.startsWith('argoproj.io/') && kind === 'Application') {
          applicationFiles.add(file);
          out.push(...readApplication(doc, name, loc));
        } else if (apiVersion.startsWith('argoproj.io/') && kind === 'ApplicationSet')
          applicationSets.push({ doc, loc });
        else if (apiVersion.includes('fluxcd.io/')) flux.read(doc, loc);
      }
      return out;
    },
  );
  const all = found.flat();
  clusters.sort((a, b) => a.at.file.localeCompare(b.at.file) || a.at.line - b.at.line);
  const appSetRepo = {
    folders: listing.folders,
    files: listing.files,
    readFile: (path: string) => fs.readFile(joinPath(repoRoot, path)).catch(() => undefined),
    clusters,
    isThisRepo,
  };
  for (const { doc, loc } of applicationSets) {
    const expanded = await expandApplicationSet(doc, loc, appSetRepo);
    problems.push(...expanded.problems);
    for (const app of expanded.applications)
      all.push(...readApplication(new YamlDocument(app.object) as Document, app.name, new FixedLocator(app.at)));
  }
  if (argoSettingsRules.length)
    for (const env of all) if (env.source === 'argocd') env.ignore = [...(env.ignore ?? []), ...argoSettingsRules];
  const isFolder = async (path: string) => (await fs.stat(joinPath(repoRoot, path)))?.isDirectory === true;
  const exists = await mapWithConcurrency(all, 16, async (env) => {
    // A multi-source Application keeps the sources whose folder is here (one of another repo is marked outside).
    if (env.source === 'argocd' && env.applications.length > 1) {
      const here = await Promise.all(
        env.applications.map(async (a) => a.source.type === 'outside' || (await isFolder(sourcePath(a) ?? ''))),
      );
      env.applications = env.applications.filter((_, i) => here[i]);
      if (!env.applications.some((a) => a.source.type !== 'outside')) return false;
      // The folder of its first source in this repo (a remote chart has none: the Application's own folder then).
      env.path = env.applications.map(sourcePath).find((p) => p !== undefined) ?? env.path;
      return true;
    }
    return isFolder(env.path);
  });
  // A path that is not a folder here belongs to another repo (the manifest's repoURL): not ours to render.
  return {
    chartAccess,
    applicationFiles: [...applicationFiles].sort(),
    environments: all.filter((_, i) => exists[i]),
    outside: outside.sort(
      (a, b) => a.definedAt.file.localeCompare(b.definedAt.file) || a.definedAt.line - b.definedAt.line,
    ),
  };
}

/** A kustomization file as discovery reads it: its data, and the scalar items of a list field with their places. */
interface KustomizationRead {
  k: Record<string, unknown>;
  listItems(field: string): { entry: unknown; at: SourceLocation }[];
}

/**
 * Reads a kustomization file: through the renderer's fast reader when it reads the text as one document (most
 * files: the `yaml` package's Document costs ten times as much), else through `yaml`, whose messages a file that
 * does not parse gets (a warning: discovery goes on without it). Undefined for such a file or one that holds no map.
 */
function readKustomization(text: string, file: string, problems: Problem[]): KustomizationRead | undefined {
  const fast = parseYamlIfFast(text, file, 'resource');
  if (fast && fast.length <= 1) {
    const root = fast[0];
    // A list is read on (and lists nothing), as `yaml`'s would be; a scalar or nothing is no kustomization.
    if (root?.kind === 'seq') return { k: toPlain(root) as Record<string, unknown>, listItems: () => [] };
    if (root?.kind !== 'map') return undefined;
    return {
      k: toPlain(root) as Record<string, unknown>,
      listItems: (field) => {
        const list = root.entries.get(field);
        if (list?.kind !== 'seq') return [];
        return list.items.map((item) => ({
          entry: item.kind === 'scalar' ? item.value : undefined,
          at: { file, line: item.origin.line, column: item.origin.column },
        }));
      },
    };
  }
  const lines = new LineCounter();
  const loc = new FileLocator(file, lines);
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    problems.push({
      severity: 'warning',
      message: `cannot parse: ${doc.errors[0].message.split('\n')[0]}`,
      location: loc.at(doc.errors[0].pos[0]),
    });
    return undefined;
  }
  let k: Record<string, unknown> | null;
  try {
    k = doc.toJS() as Record<string, unknown> | null;
  } catch (e) {
    // yaml's alias limit (an alias bomb): named here; the render says where.
    problems.push({
      severity: 'warning',
      message: `cannot read: ${(e as Error).message.split('\n')[0]}`,
      location: loc.of(doc.contents),
    });
    return undefined;
  }
  if (!k || typeof k !== 'object') return undefined;
  return {
    k,
    listItems: (field) => {
      const list = doc.get(field, true);
      if (!isSeq(list)) return [];
      return list.items.map((item) => ({
        entry: isScalar(item) ? item.value : undefined,
        at: loc.of(item as Node),
      }));
    },
  };
}

/**
 * Whether a YAML file's text may hold what discovery reads outside kustomization files: Argo CD objects, Flux
 * Kustomizations, GitRepositories and ArtifactGenerators (FluxObjects.read). A test on the text, so that most manifests
 * are never parsed (a home-ops repo's HelmReleases and OCIRepositories say fluxcd.io too), and so that the engine can
 * tell a saved file that cannot change the environments (no reload) from one that can.
 */
export function mayDeclareEnvironments(text: string): boolean {
  return (
    text.includes('argoproj.io') ||
    // An argocd-cm's resource.customizations.ignoreDifferences become ignore rules of the Applications.
    text.includes('argocd-cm') ||
    // Argo CD's CA certificates for repositories (chart downloads over TLS).
    text.includes('argocd-tls-certs-cm') ||
    text.includes('kustomize.toolkit.fluxcd.io') ||
    text.includes('source.extensions.fluxcd.io') ||
    (text.includes('source.toolkit.fluxcd.io') && text.includes('GitRepository'))
  );
}

/**
 * This repo's remote URLs, normalised (`normalizeGitUrl`), read from `.git/config` through the FileSystem port;
 * empty outside a git repo, for a worktree (`.git` is a file) or without remotes.
 */
async function repoRemotes(fs: FileSystem, repoRoot: string): Promise<Set<string>> {
  const text = (await fs.stat(joinPath(repoRoot, '.git/config')))?.isFile
    ? await fs.readFile(joinPath(repoRoot, '.git/config')).catch(() => '')
    : '';
  const urls = new Set<string>();
  let inRemote = false;
  for (const line of text.split('\n')) {
    const section = /^\s*\[([^\]]+)\]/.exec(line);
    if (section) inRemote = /^remote\s+"/.test(section[1]);
    const url = inRemote ? /^\s*url\s*=\s*(.+?)\s*$/.exec(line)?.[1] : undefined;
    if (url) urls.add(normalizeGitUrl(url));
  }
  return urls;
}

/**
 * A git URL reduced to host and path, lower case, without scheme, user, port, `.git` or trailing slash, so that
 * `git@github.com:Acme/Apps.git`, `ssh://git@github.com/acme/apps` and `https://github.com/acme/apps/` compare equal.
 */
export function normalizeGitUrl(url: string): string {
  let u = url.trim().replace(/^[a-z+]+:\/\//i, '');
  u = u.replace(/^[^@/]+@/, '');
  // scp-like `host:path` (no scheme): the first colon separates host and path.
  if (!/^[^/]+:\d+\//.test(u)) u = u.replace(/^([^/:]+):/, '$1/');
  u = u.replace(/^([^/:]+):\d+\//, '$1/');
  return u
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
}

/**
 * An Argo CD Application (a manifest of the repo, one an ApplicationSet generates, or one an app-of-apps renders) as
 * Argo CD reads it: an environment per source folder of this repo, with its `ignoreDifferences`; a source in another
 * repo is listed in `outside` (with no remotes to compare, every source counts as this repo's).
 */
export function applicationEnvironments(
  doc: Document,
  name: string,
  loc: FileLocator,
  isThisRepo: (url: string) => boolean,
  chartAccess?: ArgoChartAccess,
): { environments: RepoEnvironment[]; outside: OutsideSource[]; problems: Problem[] } {
  const ignore = applicationIgnoreRules(doc, loc);
  const environments: RepoEnvironment[] = [];
  const outside: OutsideSource[] = [];
  for (const env of argoEnvironments(doc, name, loc, isThisRepo, chartAccess)) {
    if (ignore.rules.length) env.ignore = [...ignore.rules];
    const repoURL = env.repoURL;
    delete env.repoURL;
    if (repoURL && !isThisRepo(repoURL))
      outside.push({ name: env.name, tool: 'argocd', source: repoURL, definedAt: env.definedAt! });
    else environments.push(env);
  }
  return { environments, outside, problems: ignore.problems };
}

/**
 * The environment of an Argo CD Application: one application per `spec.source` / `spec.sources[]` entry that has a
 * path (a remote `chart:` source has none; a `ref:`-only source only lends its files to the others' value files).
 * A multi-source Application is one environment whose applications are its sources (`NAME/FOLDER`), so each source's
 * objects are its own and none is extra to the other; a source of another repo is an application marked outside.
 */
function argoEnvironments(
  doc: Document,
  name: string,
  loc: FileLocator,
  isThisRepo: (repoURL: string) => boolean,
  chartAccess?: ArgoChartAccess,
): (RepoEnvironment & { repoURL?: string })[] {
  const namespace = str(doc.getIn(['spec', 'destination', 'namespace']));
  const project = str(doc.getIn(['spec', 'project']));
  const sources: YAMLMap[] = [];
  const single = doc.getIn(['spec', 'source'], true);
  if (isMap(single)) sources.push(single);
  const many = doc.getIn(['spec', 'sources'], true);
  if (isSeq(many)) for (const s of many.items) if (isMap(s)) sources.push(s);
  const refs = argoRefs(sources, (url) => !url || isThisRepo(url));
  // Argo CD's order of source types (reposerver runRepoOperation): `oci://` first, then `chart:`, then git's path.
  const remote = (s: YAMLMap) => isOciSource(s) || Boolean(s.get('chart'));
  const withPath = sources.filter((s) => remote(s) || typeof s.get('path') === 'string');
  const apps: { app: Application; repoURL?: string; definedAt: SourceLocation; path: string }[] = [];
  const declaringFolder = dirOf(loc.of(doc.contents).file);
  for (const source of withPath) {
    const chart = remote(source) ? remoteChartOf(source) : undefined;
    const path = chart ? declaringFolder : normalizeRepoPath(String(source.get('path')));
    if (path === undefined) continue;
    const appName =
      withPath.length > 1
        ? `${name}/${chart ? ('chart' in chart && chart.chart) || 'chart' : path.split('/').pop()}`
        : name;
    const app = argoApplication(appName, path, source, loc, loc.of(doc.contents), name, namespace);
    if (chart && 'outside' in chart) app.source = { type: 'outside', description: chart.outside };
    else if (chart) {
      // Nothing of it is in this repo: downloaded through the ChartSource port when downloads are on.
      app.source = { type: 'remote-chart', ...chart };
      app.renderer = 'helm';
      const named = source.get('chart', true) ?? source.get('repoURL', true);
      if (named) app.argo!.at = loc.of(named as Node);
      // Argo CD's repository Secrets of this repo, matched on the repoURL as written.
      const repoURL = str(source.get('repoURL')) ?? '';
      if (chartAccess) {
        app.argo!.chartCredentials = () => chartAccess.credentials(repoURL);
        app.argo!.chartTls = () => chartAccess.tls(repoURL);
      }
    }
    if (namespace) app.namespace = namespace;
    const argo = app.argo!;
    argo.applicationName = name;
    // The Application whose status Argo CD writes (namespace absent: Argo CD's own).
    const appNamespace = str(doc.getIn(['metadata', 'namespace']));
    argo.application = { name, ...(appNamespace ? { namespace: appNamespace } : {}) };
    if (project) argo.project = project;
    const repoURL = str(source.get('repoURL'));
    if (repoURL) argo.repoURL = repoURL;
    const revision = str(source.get('targetRevision'));
    if (revision) argo.targetRevision = revision;
    argo.rawPath = typeof source.get('path') === 'string' ? String(source.get('path')) : '';
    if (refs) argo.refs = refs;
    apps.push({
      app,
      definedAt: chart ? app.argo!.at : loc.of(source.get('path', true) as Node),
      path,
      // A remote chart is never this repo's folder, whatever its repoURL: it is rendered (or said) here.
      ...(repoURL && !chart ? { repoURL } : {}),
    });
  }
  const server = str(doc.getIn(['spec', 'destination', 'server']));
  const clusterName = str(doc.getIn(['spec', 'destination', 'name']));
  const env = (envName: string, list: typeof apps, repoURL?: string): RepoEnvironment & { repoURL?: string } => ({
    name: envName,
    // Its first source in this repo's folder (a remote chart's is the Application's own folder).
    path: (list.find((a) => sourcePath(a.app) !== undefined) ?? list[0]).path,
    source: 'argocd',
    definedAt: list[0].definedAt,
    tracking: { argocdApp: name },
    applications: list.map((a) => a.app),
    ...(repoURL ? { repoURL } : {}),
    ...(server || clusterName
      ? {
          argoDestination: {
            ...(server ? { server } : {}),
            ...(clusterName ? { name: clusterName } : {}),
            at: loc.of(doc.getIn(['spec', 'destination'], true) as Node),
          },
        }
      : {}),
    ...(namespace ? { namespace } : {}),
  });
  if (apps.length <= 1) return apps.map((a) => env(name, [a], a.repoURL));
  const here = apps.filter((a) => !a.repoURL || isThisRepo(a.repoURL));
  // Every source in another repo: each is listed outside, as a single-source Application is.
  if (!here.length) return apps.map((a) => env(a.app.name, [a], a.repoURL));
  for (const a of apps)
    if (!here.includes(a)) a.app.source = { type: 'outside', description: a.repoURL ?? 'another repository' };
  return [env(name, [...here, ...apps.filter((a) => !here.includes(a))])];
}

/**
 * An Argo CD source's application: `argo-directory` until its folder is read (repo/applications.ts settles it as
 * Argo CD's discovery does: a kustomization file makes it kustomize, `Chart.yaml` Helm), with what the source says
 * of directories and plugins.
 */
function argoApplication(
  name: string,
  path: string,
  source: YAMLMap,
  loc: FileLocator,
  declaredAt: SourceLocation,
  applicationName: string,
  appNamespace: string | undefined,
): Application {
  const app = folderApplication(name, path, declaredAt);
  app.renderer = 'argo-directory';
  const argo: ArgoSource = { at: loc.of(source) };
  const directory = source.get('directory', true);
  if (isMap(directory)) {
    const text = (key: string) => (typeof directory.get(key) === 'string' ? String(directory.get(key)) : undefined);
    const jsonnet = directory.get('jsonnet', true);
    argo.directory = {
      recurse: directory.get('recurse') === true,
      jsonnet: isMap(jsonnet) && jsonnet.items.some((p) => !(isSeq(p.value) && !p.value.items.length)),
    };
    const include = text('include');
    const exclude = text('exclude');
    if (include) argo.directory.include = include;
    if (exclude) argo.directory.exclude = exclude;
  }
  if (source.get('plugin', true) !== undefined) argo.plugin = true;
  const helm = readArgoHelm(source, loc);
  if (helm) argo.helm = helm;
  const kustomize = source.get('kustomize', true);
  if (isMap(kustomize)) {
    const fields = kustomize.items.flatMap((p) =>
      isScalar(p.key) && p.key.value !== 'version' ? [String(p.key.value)] : [],
    );
    const fieldsAt: Record<string, SourceLocation> = {};
    for (const p of kustomize.items) if (isScalar(p.key)) fieldsAt[String(p.key.value)] = loc.of(p.value as Node);
    const values = (kustomize.toJSON() ?? {}) as Record<string, unknown>;
    if (fields.length)
      argo.kustomizeOverrides = {
        fields,
        at: loc.of(kustomize),
        values,
        fieldsAt,
        appName: applicationName,
        ...(appNamespace ? { appNamespace } : {}),
      };
  }
  app.argo = argo;
  return app;
}

/** Makes names unique: colliding names become their path without conventional noise, or the whole path. */
function uniqueNames(envs: RepoEnvironment[]): RepoEnvironment[] {
  const seen = new Set<string>();
  const deduped = envs.filter((e) => {
    const key = `${e.path}\0${e.namespace ?? ''}\0${e.source === 'discovered' ? '' : e.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const count = (names: string[]) => names.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());
  const first = count(deduped.map((e) => e.name));
  for (const e of deduped) {
    if (first.get(e.name)! < 2) continue;
    const short = shortName(e.path);
    e.name = short && short !== e.name ? (e.source === 'discovered' ? short : `${short}/${e.name}`) : e.path || e.name;
  }
  const second = count(deduped.map((e) => e.name));
  return deduped.map((e) => (second.get(e.name)! > 1 ? { ...e, name: `${e.path}:${e.name}` } : e));
}

/** Siblings in promotion order (dev, staging, prod), then by name; folders alphabetically. */
function byFolderThenStage(a: RepoEnvironment, b: RepoEnvironment): number {
  const folder = (e: RepoEnvironment) => e.path.slice(0, Math.max(0, e.path.lastIndexOf('/')));
  const rank = (e: RepoEnvironment) => stageRank(e.name) ?? 99;
  const fa = folder(a);
  const fb = folder(b);
  if (fa !== fb) return fa < fb ? -1 : 1;
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Every folder holding YAML or a kustomization, with its ancestors (what an ApplicationSet's globs can match). */
export function repoFolders(yamlFiles: string[], kustomizationDirs: string[]): string[] {
  const folders = new Set<string>();
  for (const path of [...yamlFiles.map((f) => f.slice(0, Math.max(0, f.lastIndexOf('/')))), ...kustomizationDirs]) {
    for (let p = path; p && !folders.has(p); p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) folders.add(p);
  }
  return [...folders].sort();
}

/** A path without conventional folder names: `apps/shop/overlays/prod` → `shop/prod`. */
function shortName(path: string): string {
  return path
    .split('/')
    .filter((s) => !NOISE_SEGMENTS.has(s))
    .join('/');
}

/** Whether the text nests deeper than go-yaml reads (the parser would overflow its stack): reported, then skipped. */
function tooDeep(text: string, file: string, problems: Problem[]): boolean {
  const at = tooDeepAt(text);
  if (at === undefined) return false;
  problems.push({
    severity: 'warning',
    message: `cannot parse: nested deeper than ${MAX_YAML_DEPTH} levels`,
    location: { file, line: text.slice(0, at).split('\n').length, column: 0 },
  });
  return true;
}

/**
 * The file's text, or undefined with a problem at the file: an error for a kustomization file (its environment
 * cannot be rendered: a FIFO, a link out of the repo, a file over the size limit), a warning for another manifest.
 */
async function readOrReport(
  fs: FileSystem,
  repoRoot: string,
  file: string,
  problems: Problem[],
  severity: Problem['severity'] = 'warning',
): Promise<string | undefined> {
  try {
    return await fs.readFile(joinPath(repoRoot, file));
  } catch (e) {
    const { line, column, reason } = e as FileError;
    const message = line && reason ? `cannot read: ${reason}` : `cannot read: ${describeReadError(e)}`;
    problems.push({
      severity,
      message,
      location: { file, line: line ?? 0, column: column ?? 0 },
      code: UNREADABLE_FILE,
    });
    return undefined;
  }
}

/**
 * Every cycle of kustomizations including each other (a folder listing itself, `a` → `b` → `a`), once, at the entry
 * that closes it: kustomize refuses them, and a cycle nothing else includes would otherwise just not be found.
 */
function kustomizationCycles(edges: Map<string, { to: string; at: SourceLocation }[]>): Problem[] {
  const problems: Problem[] = [];
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: string[] = [];
  const reported = new Set<string>();
  const visit = (dir: string): void => {
    onPath.set(dir, path.length);
    path.push(dir);
    for (const edge of edges.get(dir) ?? []) {
      const start = onPath.get(edge.to);
      if (start !== undefined) {
        const cycle = [...path.slice(start), edge.to];
        const key = [...cycle.slice(0, -1)].sort().join('\0');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({
            severity: 'error',
            message: `kustomization cycle: ${cycle.map((d) => d || '.').join(' -> ')} (kustomize refuses it)`,
            location: edge.at,
          });
        }
      } else if (!done.has(edge.to)) visit(edge.to);
    }
    path.pop();
    onPath.delete(dir);
    done.add(dir);
  };
  for (const dir of [...edges.keys()].sort()) if (!done.has(dir)) visit(dir);
  return problems;
}

/** Whether an Argo CD source is an OCI artifact (`repoURL: oci://…`; Argo CD's ApplicationSource.IsOCI). */
function isOciSource(source: YAMLMap): boolean {
  const repoURL = source.get('repoURL');
  return typeof repoURL === 'string' && repoURL.startsWith('oci://');
}

/**
 * The chart an Argo CD source names outside git, as its repo server pulls it: `oci://REGISTRY/PATH` is the chart
 * itself (an OCI artifact whose path must be `.`); `chart:` with a `repoURL` that has no scheme (`ghcr.io/org/charts`,
 * Argo CD's IsHelmOciRepo) is an OCI registry holding `PATH/CHART`; any other `repoURL` is a Helm repository. The
 * version is `targetRevision` as written (a version, a Masterminds constraint, a tag or digest for OCI).
 */
function remoteChartOf(source: YAMLMap): RemoteChart | { outside: string } {
  const repoURL = str(source.get('repoURL')) ?? '';
  const version = str(source.get('targetRevision')) ?? '';
  if (repoURL.startsWith('oci://')) {
    const path = str(source.get('path')) ?? '.';
    if (normalizeRepoPath(path) !== '')
      return { outside: `${repoURL} path ${path}: a folder inside an OCI artifact is not rendered` };
    const url = repoURL.replace(/\/+$/, '');
    return { kind: 'oci', url, chart: url.split('/').pop() ?? '', version };
  }
  const chart = str(source.get('chart')) ?? '';
  if (!repoURL) return { outside: `chart ${chart}: no repoURL` };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(repoURL))
    return { kind: 'oci', url: `oci://${repoURL.replace(/\/+$/, '')}/${chart}`, chart, version };
  return { kind: 'helm-repository', url: repoURL, chart, version };
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

function str(value: unknown): string | undefined {
  if (isScalar(value)) value = value.value;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * 1 when the folder's parent is conventional (`envs/prod`), 2 for a region or cluster under a stage
 * (`overlays/prod/eu`; Flux's own `flux-system` folders excepted), else 0.
 */
function conventionalDepth(dir: string): number {
  const parts = dir.split('/');
  if (parts.length >= 2 && CONVENTIONAL_PARENTS.has(parts[parts.length - 2])) return 1;
  if (
    parts.length >= 3 &&
    CONVENTIONAL_PARENTS.has(parts[parts.length - 3]) &&
    parts[parts.length - 1] !== 'flux-system'
  )
    return 2;
  return 0;
}

/** The files a kustomization names as patches (`patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`). */
function patchFilesOf(k: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const field of ['patches', 'patchesStrategicMerge', 'patchesJson6902']) {
    const list = k[field];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const path =
        typeof item === 'string'
          ? item
          : item && typeof item === 'object'
            ? (item as { path?: unknown }).path
            : undefined;
      // An inline strategic-merge patch is a YAML string with a newline; a file name has none.
      if (typeof path === 'string' && !path.includes('\n')) out.push(path);
    }
  }
  return out;
}

/** A remote base (git URL, `github.com/...`, http): never a folder of this repo. */
function isRemote(entry: string): boolean {
  return (
    /^[a-z]+:\/\//i.test(entry) || entry.startsWith('git@') || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry)
  );
}
