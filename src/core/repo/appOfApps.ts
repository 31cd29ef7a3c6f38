/**
 * Argo CD's app-of-apps: an Application whose render holds more Applications, each of which Argo CD then syncs as an
 * Application of its own, recursively. The root is often created by hand (`argocd app create apps --path apps`), so a
 * folder (or chart) of this repo that declares Applications, and that no Application of the repo points at, is a root
 * and becomes an environment of its own, as Argo CD's root Application would be.
 *
 * Children are read from the parent's render (what Argo CD applies: a kustomization's namePrefix and patches
 * included), replacing the same Applications read from their files; a cycle or nesting deeper than MAX_DEPTH is a
 * problem at the Application that closes it, and the rest is still expanded.
 *
 * An Application whose source is a chart of a Helm repository or OCI registry may be an app-of-apps too: with chart
 * downloads on (`chartSource`), its chart is downloaded and rendered here, and its Applications are expanded as a
 * folder's are; off, it stays one Application whose state says its children are unknown (render/argo/helm.ts).
 */
import { Document as YamlDocument, type Document } from 'yaml';
import { folderApplication, sourcePath, type Application, type ApplicationParent } from '../model/environment';
import type { Problem } from '../model/problem';
import type { SourceLocation } from '../model/location';
import type { FileSystem } from '../ports';
import { renderApplication } from '../render/application';
import type { RenderOptions } from '../render/types';
import { FixedLocator } from '../yaml/yamlLocate';
import { applicationEnvironments, normalizeGitUrl, type OutsideSource } from './discover';
import type { RepoEnvironment } from './config';
import type { ArgoChartAccess } from './argoRepositories';
import { settleRenderers } from './applications';

/** How deep Applications may nest (root → child → grandchild ...) before expansion stops with a problem. */
export const MAX_APP_OF_APPS_DEPTH = 8;

/**
 * Adds the roots and the Applications the app-of-apps of the repo render to `environments` (in place, with renderers
 * settled), and those whose source is another repo to `outside`; each child's applications carry their parent (name
 * and source line), whichever environment they land in. Returns the problems found on the way.
 */
export async function expandAppOfApps(
  fs: FileSystem,
  repoRoot: string,
  environments: RepoEnvironment[],
  applicationFiles: readonly string[],
  remotes: readonly string[],
  helmEngine?: RenderOptions['helmEngine'],
  chartSource?: RenderOptions['chartSource'],
  /** The repo's Argo CD repository Secrets: a child's chart is pulled with them, as a file's Application's is. */
  chartAccess?: ArgoChartAccess,
  outside: OutsideSource[] = [],
): Promise<Problem[]> {
  if (!applicationFiles.length) return [];
  const problems: Problem[] = [];
  const remoteSet = new Set(remotes);
  const isThisRepo = (url: string) => !remoteSet.size || remoteSet.has(normalizeGitUrl(url));
  const declaringFolders = new Set(
    applicationFiles.map((f) => (f.endsWith('.yaml') || f.endsWith('.yml') || f.endsWith('.json') ? dirOf(f) : f)),
  );
  const argoApplications = environments.filter((e) => e.source === 'argocd').flatMap((e) => e.applications);
  // The folders and charts of this repo the Applications render (a destination's environment holds several).
  const argoPaths = new Set(argoApplications.map(sourcePath).filter((path): path is string => path !== undefined));
  // Folders whose only Applications are remote charts: rendered, they yield nothing of this repo, so they are no root.
  const declaringFolder = (app: Application) => (app.declaredAt ? dirOf(app.declaredAt.file) : undefined);
  const declaringRepoSources = new Set(
    argoApplications.filter((a) => sourcePath(a) !== undefined).map(declaringFolder),
  );
  const onlyRemoteCharts = new Set(
    argoApplications
      .filter((a) => a.source.type === 'remote-chart')
      .map(declaringFolder)
      .filter((folder) => !declaringRepoSources.has(folder)),
  );
  const holdsApplications = (path: string) => [...declaringFolders].some((d) => isInside(d, path));

  // Roots: folders declaring Applications that no Application points at (and that are not inside one that is).
  const roots: RepoEnvironment[] = [];
  for (const folder of [...declaringFolders].sort()) {
    if (argoPaths.has(folder) || [...argoPaths].some((p) => p !== '' && folder.startsWith(`${p}/`))) continue;
    if (onlyRemoteCharts.has(folder)) continue;
    if (roots.some((r) => folder.startsWith(`${r.path}/`))) continue;
    const name = folder.split('/').pop() || 'root';
    const app: Application = folderApplication(name, folder, { file: folder ? `${folder}/` : '.', line: 0, column: 0 });
    app.renderer = 'argo-directory';
    app.argo = { at: { file: folder || '.', line: 0, column: 0 } };
    roots.push({
      name,
      path: folder,
      source: 'argocd',
      applications: [app],
      tracking: { argocdApp: name },
      appOfAppsRoot: true,
    });
  }
  await settleRenderers(fs, repoRoot, roots);

  const byName = new Map(environments.map((e) => [e.name, e]));
  const queue: RepoEnvironment[] = [...roots];
  for (const env of environments)
    if (env.source === 'argocd' && (holdsApplications(env.path) || (chartSource && remoteChartOf(env))))
      queue.push(env);
  /** Parent name → its children's names, with where each child is declared in the parent's render. */
  const edges = new Map<string, { child: string; at: SourceLocation }[]>();
  const rendered = new Set<RepoEnvironment>();
  const keptRoots = new Set<RepoEnvironment>();
  // Each Application that may hold more is rendered once; what it yields joins the queue when it may hold more too.
  while (queue.length) {
    const env = queue.shift()!;
    if (rendered.has(env)) continue;
    rendered.add(env);
    // A folder or chart of this repo; else, with downloads on, a chart of a Helm repository or OCI registry.
    const app = env.applications[0] && sourcePath(env.applications[0]) !== undefined ? env.applications[0] : undefined;
    const remote = app ? undefined : chartSource ? remoteChartOf(env) : undefined;
    if (!app && !remote) continue;
    let objects;
    let filesRead: Set<string>;
    try {
      // An app-of-apps written as a chart needs Helm's engine: asked for only when such a parent is rendered.
      const result = await renderApplication((app ?? remote)!, {
        fs,
        repoRoot,
        ...(helmEngine ? { helmEngine } : {}),
        ...(remote && chartSource ? { chartSource } : {}),
      });
      objects = result.objects;
      filesRead = new Set(result.files);
    } catch (e) {
      // The parent's own render reports why (a Helm app-of-apps before Helm sources render, a broken kustomization).
      // Applications read from files of its folder are what it would render: Argo CD does not apply them as they are
      // now, which their environments say at the parent's source line.
      const failed = parentOf(env, `app-of-apps '${env.name}' failed to render: ${(e as Error).message}`);
      // (A remote chart's folder is only where its Application is declared: nothing there is its render.)
      for (const other of app ? environments : [])
        if (
          other !== env &&
          other.source === 'argocd' &&
          !other.parentApplication &&
          other.definedAt &&
          isInside(dirOf(other.definedAt.file), env.path)
        ) {
          other.parentApplication = env.name;
          for (const a of other.applications) a.parent = failed;
        }
      if (env.appOfAppsRoot) {
        keptRoots.add(env);
        problems.push({
          severity: 'warning',
          message: `app-of-apps '${env.name}': its Applications are not listed: ${(e as Error).message}`,
          location: { file: env.path || '.', line: 0, column: 0 },
        });
      }
      continue;
    }
    const yielded = new Set<string>();
    const children: { child: string; at: SourceLocation }[] = [];
    for (const object of objects) {
      const o = object.object;
      if (o.kind !== 'Application' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('argoproj.io/'))
        continue;
      const name = typeof o.metadata?.name === 'string' ? o.metadata.name : undefined;
      if (!name) continue;
      const read = applicationEnvironments(
        new YamlDocument(o) as Document,
        name,
        new FixedLocator(object.source),
        isThisRepo,
        chartAccess,
      );
      problems.push(...read.problems);
      const parent = parentOf(env);
      // A child whose source is another repo: listed outside (as its file was, or added when only the render has it),
      // with the parent that makes it.
      for (const o of read.outside) {
        const i = outside.findIndex((x) => x.name === o.name && x.tool === 'argocd');
        if (i < 0) outside.push({ ...o, parent });
        else outside[i] = { ...outside[i], parent };
      }
      if (!read.environments.length) continue;
      if (env.appOfAppsRoot) keptRoots.add(env);
      for (const child of read.environments) {
        yielded.add(child.name);
        children.push({ child: child.name, at: object.source });
        if (child.name === env.name) continue;
        child.parentApplication = env.name;
        for (const a of child.applications) a.parent = parent;
        const known = byName.get(child.name);
        if (known && known.definedAt?.file === object.source.file && sameSpec(known, child)) {
          // The render holds the Application as its file declares it: the file's reading keeps every line.
          known.parentApplication = env.name;
          for (const a of known.applications) a.parent = parent;
        } else if (known) {
          // The render is what Argo CD applies: it replaces the Application as its file declares it.
          for (const key of Object.keys(known)) delete (known as unknown as Record<string, unknown>)[key];
          Object.assign(known, child);
          await settleRenderers(fs, repoRoot, [known]);
        } else {
          await settleRenderers(fs, repoRoot, [child]);
          environments.push(child);
          byName.set(child.name, child);
        }
        const target = byName.get(child.name)!;
        if (holdsApplications(target.path) || (chartSource && remoteChartOf(target))) queue.push(target);
      }
    }
    edges.set(env.name, children);
    // Applications read from files this render consumed, that it does not yield as such (a namePrefix renamed them, a
    // patch dropped them): Argo CD applies the render, not the files.
    for (let i = environments.length - 1; i >= 0; i--) {
      const other = environments[i];
      if (other === env || other.source !== 'argocd' || other.parentApplication || yielded.has(other.name)) continue;
      if (other.definedAt && filesRead.has(other.definedAt.file)) {
        environments.splice(i, 1);
        byName.delete(other.name);
      }
    }
  }
  for (const root of roots) if (keptRoots.has(root) && !byName.has(root.name)) environments.push(root);
  problems.push(...cyclesAndDepth(edges));
  return problems;
}

/** An app-of-apps as its children carry it: its name, and its source's line (a root: its folder). */
function parentOf(env: RepoEnvironment, problem?: string): ApplicationParent {
  const at = env.applications[0]?.argo?.at ?? env.definedAt ?? { file: env.path || '.', line: 0, column: 0 };
  return { name: env.name, at, ...(problem ? { problem } : {}) };
}

/** Whether folder `dir` is `path` or inside it ('' is the repo root). */
function isInside(dir: string, path: string): boolean {
  return path === '' || dir === path || dir.startsWith(`${path}/`);
}

/** The application of an Argo CD environment whose source is a chart of a Helm repository or OCI registry. */
function remoteChartOf(env: RepoEnvironment): Application | undefined {
  return env.applications.find((a) => a.source.type === 'remote-chart' && a.argo);
}

/**
 * Walks the parent → children graph from the Applications no other one holds (then from any left, all in cycles):
 * each cycle once, at the Application that closes it, and each chain deeper than MAX_APP_OF_APPS_DEPTH once.
 */
function cyclesAndDepth(edges: Map<string, { child: string; at: SourceLocation }[]>): Problem[] {
  const problems: Problem[] = [];
  const held = new Set([...edges.values()].flatMap((c) => c.map((e) => e.child)));
  const starts = [...edges.keys()].filter((n) => !held.has(n)).sort();
  const done = new Set<string>();
  const cycles = new Set<string>();
  let tooDeep = false;
  const visit = (name: string, path: string[]): void => {
    const here = [...path, name];
    for (const { child, at } of edges.get(name) ?? []) {
      const i = here.indexOf(child);
      if (i >= 0) {
        const cycle = [...here.slice(i), child];
        const key = [...new Set(cycle)].sort().join('\0');
        if (!cycles.has(key)) {
          cycles.add(key);
          problems.push({
            severity: 'error',
            message: `app-of-apps cycle: ${cycle.join(' -> ')} (not expanded further)`,
            location: at,
          });
        }
        continue;
      }
      if (here.length >= MAX_APP_OF_APPS_DEPTH) {
        if (!tooDeep)
          problems.push({
            severity: 'error',
            message: `app-of-apps nested deeper than ${MAX_APP_OF_APPS_DEPTH} levels: ${[...here, child].join(' -> ')} (not expanded further)`,
            location: at,
          });
        tooDeep = true;
        continue;
      }
      if (!done.has(child)) visit(child, here);
    }
    done.add(name);
  };
  for (const start of starts) visit(start, []);
  for (const name of [...edges.keys()].sort()) if (!done.has(name)) visit(name, []);
  return problems;
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

/** Whether two readings of one Application name the same source folder, namespace and source settings. */
/** The fields of an Argo CD `helm:` reading that hold lines (values-line origins included), not the spec. */
const HELM_LINE_FIELDS = new Set(['at', 'valuesAt', 'valueAt', 'valuesOrigins']);

function sameSpec(a: RepoEnvironment, b: RepoEnvironment): boolean {
  const view = (e: RepoEnvironment) =>
    JSON.stringify([
      e.path,
      e.namespace ?? '',
      // A chart's source is settled as `chart` on the file's reading only: the path is what is compared. Helm fields
      // are compared without their lines (a render's reading has none).
      e.applications.map((x) => [
        'path' in x.source ? x.source.path : x.source,
        x.argo?.directory,
        x.argo?.kustomizeOverrides?.fields,
        JSON.stringify(x.argo?.helm ?? null, (k, v: unknown) => (HELM_LINE_FIELDS.has(k) ? undefined : v)),
      ]),
    ]);
  return view(a) === view(b);
}
