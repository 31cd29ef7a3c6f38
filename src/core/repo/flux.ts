/**
 * Flux clusters as environments: the Flux objects discovery reads (Kustomizations, GitRepositories,
 * ArtifactGenerators), grouped into one environment per cluster whose applications are the Kustomizations reachable
 * from it, in `dependsOn` order, each with its source resolved to a folder of this repo or marked as outside it.
 */
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Application } from '../model/environment';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import type { KubeObject } from '../model/resource';
import { toPlain, type TMap, type TNode } from '../yaml/tree';
import type { FileLocator } from '../yaml/yamlLocate';
import { normalizeRepoPath, type RepoEnvironment } from './config';

/** A Flux Kustomization as its manifest declares it. */
export interface FluxKustomizationDecl {
  name: string;
  /** `metadata.namespace`, or undefined (then the including kustomization's `namespace`, else `flux-system`). */
  namespace: string | undefined;
  /** Repo-relative file holding it. */
  file: string;
  /** Where its document starts. */
  at: SourceLocation;
  /** Where `spec.path` is (the document when absent). */
  pathAt: SourceLocation;
  /** `spec.path` normalised, relative to its source's root ('' for `./`); undefined when it climbs out of it. */
  path: string | undefined;
  sourceRef: { kind: string; name: string; namespace: string };
  /** `namespace` undefined: the Kustomization's own. */
  dependsOn: { name: string; namespace?: string; at: SourceLocation }[];
  targetNamespace?: string;
  object: KubeObject;
}

/** An ArtifactGenerator (source.extensions.fluxcd.io): artifacts made by copying files out of Flux sources. */
interface ArtifactGeneratorDecl {
  namespace: string;
  /** Repo-relative file holding it. */
  file: string;
  /** Source alias → the Flux source it names. */
  sources: Map<string, { kind: string; name: string; namespace: string }>;
  artifacts: { name: string; copy: { from: string; to: string }[] }[];
}

/** The Flux objects of a repo, as discovery reads them. */
export class FluxObjects {
  readonly kustomizations: FluxKustomizationDecl[] = [];
  /** GitRepository URLs by `namespace/name`. */
  readonly gitRepositories = new Map<string, string>();
  readonly generators: ArtifactGeneratorDecl[] = [];

  /** Records the document when it is a Flux object of interest; returns whether it was one. */
  read(doc: Document, loc: FileLocator): boolean {
    const apiVersion = str(doc.get('apiVersion'));
    const kind = str(doc.get('kind'));
    const name = str(doc.getIn(['metadata', 'name']));
    if (!apiVersion || !kind || !name) return false;
    const declaredNamespace = str(doc.getIn(['metadata', 'namespace']));
    const namespace = declaredNamespace ?? 'flux-system';
    if (apiVersion.startsWith('source.toolkit.fluxcd.io/') && kind === 'GitRepository') {
      const url = str(doc.getIn(['spec', 'url']));
      if (url) this.gitRepositories.set(`${namespace}/${name}`, url);
      return true;
    }
    if (apiVersion.startsWith('source.extensions.fluxcd.io/') && kind === 'ArtifactGenerator') {
      this.generators.push(readGenerator(doc, namespace, loc.file));
      return true;
    }
    if (!apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') || kind !== 'Kustomization') return false;
    const pathNode = doc.getIn(['spec', 'path'], true) as Node | undefined;
    const dependsOn: FluxKustomizationDecl['dependsOn'] = [];
    const deps = doc.getIn(['spec', 'dependsOn'], true);
    if (isSeq(deps)) {
      for (const item of deps.items) {
        if (!isMap(item)) continue;
        const depName = str(item.get('name'));
        const depNamespace = str(item.get('namespace'));
        if (depName)
          dependsOn.push({
            name: depName,
            ...(depNamespace ? { namespace: depNamespace } : {}),
            at: loc.of(item as Node),
          });
      }
    }
    const object = doc.toJS() as KubeObject;
    const targetNamespace = str(doc.getIn(['spec', 'targetNamespace']));
    this.kustomizations.push({
      name,
      namespace: declaredNamespace,
      file: loc.file,
      at: loc.of(doc.contents),
      pathAt: loc.of(pathNode ?? doc.contents),
      path: normalizeRepoPath(str(doc.getIn(['spec', 'path'])) ?? './'),
      sourceRef: {
        kind: str(doc.getIn(['spec', 'sourceRef', 'kind'])) ?? 'GitRepository',
        name: str(doc.getIn(['spec', 'sourceRef', 'name'])) ?? '',
        namespace: str(doc.getIn(['spec', 'sourceRef', 'namespace'])) ?? '',
      },
      dependsOn,
      ...(targetNamespace ? { targetNamespace } : {}),
      object,
    });
    return true;
  }

  /**
   * `read` for a document of the renderer's fast reader (a tenth of the cost of `yaml`'s Document; the same values,
   * and each node's origin is where `yaml` starts it), for the objects `fastReadable` lets through.
   */
  readTree(doc: TMap, file: string, text: string): boolean {
    const apiVersion = treeStr(doc.entries.get('apiVersion'));
    const kind = treeStr(doc.entries.get('kind'));
    const name = treeStr(treeAt(doc, 'metadata', 'name'));
    if (!apiVersion || !kind || !name) return false;
    const declaredNamespace = treeStr(treeAt(doc, 'metadata', 'namespace'));
    const namespace = declaredNamespace ?? 'flux-system';
    if (apiVersion.startsWith('source.toolkit.fluxcd.io/') && kind === 'GitRepository') {
      const url = treeStr(treeAt(doc, 'spec', 'url'));
      if (url) this.gitRepositories.set(`${namespace}/${name}`, url);
      return true;
    }
    if (!apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') || kind !== 'Kustomization') return false;
    const at = (node: TNode): SourceLocation => ({ file, line: node.origin.line, column: node.origin.column });
    const pathNode = treeAt(doc, 'spec', 'path');
    const dependsOn: FluxKustomizationDecl['dependsOn'] = [];
    const deps = treeAt(doc, 'spec', 'dependsOn');
    if (deps?.kind === 'seq') {
      for (const item of deps.items) {
        if (item.kind !== 'map') continue;
        const depName = treeStr(item.entries.get('name'));
        const depNamespace = treeStr(item.entries.get('namespace'));
        if (depName)
          dependsOn.push({ name: depName, ...(depNamespace ? { namespace: depNamespace } : {}), at: at(item) });
      }
    }
    const targetNamespace = treeStr(treeAt(doc, 'spec', 'targetNamespace'));
    this.kustomizations.push({
      name,
      namespace: declaredNamespace,
      file,
      at: at(doc),
      pathAt: pathNode ? valueStart(pathNode, file, text) : at(doc),
      path: normalizeRepoPath(treeStr(pathNode) ?? './'),
      sourceRef: {
        kind: treeStr(treeAt(doc, 'spec', 'sourceRef', 'kind')) ?? 'GitRepository',
        name: treeStr(treeAt(doc, 'spec', 'sourceRef', 'name')) ?? '',
        namespace: treeStr(treeAt(doc, 'spec', 'sourceRef', 'namespace')) ?? '',
      },
      dependsOn,
      ...(targetNamespace ? { targetNamespace } : {}),
      object: toPlain(doc) as KubeObject,
    });
    return true;
  }
}

/**
 * Whether `readTree` reads a document of the fast reader as `read` reads it (with discovery's other readers): a
 * document that is no object, one discovery skips, a Flux Kustomization or GitRepository. The rest (Argo CD objects,
 * `v1` ConfigMaps and Secrets, ArtifactGenerators) go through `yaml`'s Document.
 */
export function fastReadable(doc: TNode): boolean {
  if (doc.kind !== 'map') return true;
  const apiVersion = treeStr(doc.entries.get('apiVersion'));
  const kind = treeStr(doc.entries.get('kind'));
  if (!apiVersion || !kind || !treeStr(treeAt(doc, 'metadata', 'name'))) return true;
  if (apiVersion === 'v1' || apiVersion.startsWith('argoproj.io/')) return false;
  // `spec.path` is placed by its text (valueStart): a block scalar or a non-string one is left to `yaml`.
  const path = treeAt(doc, 'spec', 'path');
  if (path && (path.kind !== 'scalar' || !path.text || path.text.block)) return false;
  return !(apiVersion.startsWith('source.extensions.fluxcd.io/') && kind === 'ArtifactGenerator');
}

/**
 * Where a string's value starts, its opening quote included, as `yaml` places it: a fast-reader scalar's origin is
 * its key's place, and its text's place is past the quote.
 */
function valueStart(node: TNode, file: string, text: string): SourceLocation {
  if (node.kind !== 'scalar' || !node.text || node.text.block)
    return { file, line: node.origin.line, column: node.origin.column };
  const { line, column } = node.text;
  let lineStart = 0;
  for (let l = 1; l < line; l++) lineStart = text.indexOf('\n', lineStart) + 1;
  const before = text[lineStart + column - 2];
  return { file, line, column: before === '"' || before === "'" ? column - 1 : column };
}

/** The node at a path of map keys. */
function treeAt(node: TNode | undefined, ...keys: string[]): TNode | undefined {
  for (const key of keys) node = node?.kind === 'map' ? node.entries.get(key) : undefined;
  return node;
}

/** `str` for a tree node: a non-empty string scalar's value. */
function treeStr(node: TNode | undefined): string | undefined {
  return node?.kind === 'scalar' && typeof node.value === 'string' && node.value !== '' ? node.value : undefined;
}

/** What a folder of this repo renders from, for following one Kustomization's path to the Kustomizations it holds. */
export interface RepoLayout {
  /** Folders holding a kustomization file. */
  kustomizationDirs: ReadonlySet<string>;
  /** A kustomization folder → its `resources`/`components` entries (repo-relative, remote ones left out). */
  entries: ReadonlyMap<string, readonly string[]>;
  /** Every YAML file of the repo. */
  yamlFiles: readonly string[];
  /** Files kustomizations use as patches: a partial Kustomization there is not one Flux applies. */
  patchFiles: ReadonlySet<string>;
  /** The `namespace` a kustomization listing the file sets on its objects (home-ops `ks.yaml` files name none). */
  namespaceOf(file: string): string | undefined;
  /** Whether a repo-relative path is a folder. */
  isFolder(path: string): boolean;
}

/** Flux's clusters: environments, and the problems found ordering their Kustomizations. */
export interface FluxClusters {
  environments: RepoEnvironment[];
  problems: Problem[];
  /** Every folder of this repo a Kustomization renders, and every cluster folder: not environments of their own. */
  claimedFolders: Set<string>;
  /**
   * The Kustomizations of "clusters" whose every source is outside this repo (another repo's test data, snippets):
   * nothing here is theirs to render, so they are listed, not made an environment.
   */
  outside: { name: string; source: string; definedAt: SourceLocation }[];
}

/**
 * Groups the Kustomizations into clusters. A root is a Kustomization no other one's path reaches (Flux's bootstrap
 * Kustomization reaches only itself); its cluster folder is the folder it syncs when it reaches itself (bootstrap's
 * `clusters/staging`), else the folder of its file (a `flux-system` subfolder counting as its parent). A cluster's
 * applications are every Kustomization reachable from its roots (a Kustomization's path may hold more of them),
 * ordered by `dependsOn`. `remotes` compares GitRepository URLs with this repo's remotes (`known`: it has some).
 */
export function fluxClusters(
  flux: FluxObjects,
  layout: RepoLayout,
  remotes: { known: boolean; has(url: string): boolean },
): FluxClusters {
  const problems: Problem[] = [];
  const all = flux.kustomizations
    .filter((k) => !layout.patchFiles.has(k.file))
    .map((k) => withNamespace(k, layout.namespaceOf(k.file)))
    .sort((a, b) => a.file.localeCompare(b.file) || a.at.line - b.at.line);
  const files = new Map<string, Set<string>>();
  /** The folders with a kustomization file each path renders through (its own, and those Flux's generated one lists). */
  const dirs = new Map<string, Set<string>>();
  const yamlSet = new Set(layout.yamlFiles);
  const filesOf = (path: string): Set<string> => {
    let reached = files.get(path);
    if (!reached) {
      const through = new Set<string>();
      files.set(path, (reached = renderedFiles(path, layout, yamlSet, through)));
      dirs.set(path, through);
    }
    return reached;
  };
  // Without remotes to compare URLs, a GitRepository is still this repo when a Kustomization syncing from it reaches
  // its own file: the repo that holds the folder holds the Kustomization, so it is this one (home-ops' own source).
  const selfSynced = new Set<string>();
  if (!remotes.known) {
    for (const k of all) {
      if (k.sourceRef.kind === 'GitRepository' && k.path !== undefined && filesOf(k.path).has(k.file))
        selfSynced.add(`${k.sourceRef.namespace}/${k.sourceRef.name}`);
    }
  }
  const isThisRepo = (namespace: string, name: string, url: string | undefined) =>
    selfSynced.has(`${namespace}/${name}`) || (url !== undefined && remotes.has(url));
  const sources = all.map((k) => resolveSource(k, flux, isThisRepo));
  const byFile = new Map<string, number[]>();
  all.forEach((k, i) => byFile.set(k.file, [...(byFile.get(k.file) ?? []), i]));
  /** Kustomizations each one's path reaches, in file order. */
  const children = all.map((_, i) => {
    const source = sources[i];
    if (source.type !== 'folder') return [];
    return [...filesOf(source.path)].sort().flatMap((f) => byFile.get(f) ?? []);
  });
  const reachedByOther = new Set<number>();
  children.forEach((list, i) => list.forEach((j) => j !== i && reachedByOther.add(j)));
  // Kustomizations that reach each other and nothing else reaches: the first of them stands as the root.
  const roots: number[] = [];
  const assigned = new Set<number>();
  const closure = (from: number[]): number[] => {
    const order: number[] = [];
    const seen = new Set<number>();
    const queue = [...from];
    while (queue.length) {
      const i = queue.shift()!;
      if (seen.has(i)) continue;
      seen.add(i);
      order.push(i);
      queue.push(...children[i]);
    }
    return order;
  };
  all.forEach((_, i) => !reachedByOther.has(i) && roots.push(i));
  for (const i of closure(roots)) assigned.add(i);
  all.forEach((_, i) => {
    if (assigned.has(i)) return;
    roots.push(i);
    for (const j of closure([i])) assigned.add(j);
  });
  const clusters = new Map<string, number[]>();
  for (const r of roots) {
    // A root that reaches its own file is what Flux bootstraps: the folder it syncs is the cluster.
    const source = sources[r];
    const folder = source.type === 'folder' && children[r].includes(r) ? source.path : clusterFolder(all[r].file);
    clusters.set(folder, [...(clusters.get(folder) ?? []), r]);
  }
  const claimedFolders = new Set<string>();
  // A folder a Kustomization renders is that Kustomization's, and so is one its render includes: a cluster folder's
  // `vars/` (with a kustomization of its own) listed by the kustomization Flux generates for `clusters/home`.
  for (const s of sources)
    if (s.type === 'folder') {
      claimedFolders.add(s.path);
      filesOf(s.path);
      for (const dir of dirs.get(s.path) ?? []) claimedFolders.add(dir);
    }
  const environments: RepoEnvironment[] = [];
  const outside: FluxClusters['outside'] = [];
  for (const [folder, clusterRoots] of clusters) {
    const members = closure(clusterRoots);
    if (members.every((i) => sources[i].type === 'outside')) {
      for (const i of members)
        outside.push({ name: all[i].name, source: describeResolved(sources[i]), definedAt: all[i].pathAt });
      continue;
    }
    const ordered = dependsOnOrder(members, all, problems);
    // The Kustomization whose render applies each one (its parent's patches and postBuild reach it), nearest first.
    const parentOf = (j: number) => members.find((i) => i !== j && children[i].includes(j));
    const apps = applicationsOf(
      ordered.map((i) => ({ index: i, decl: all[i], source: sources[i], parent: parentOf(i) })),
    );
    const first = all[clusterRoots[0]];
    claimedFolders.add(folder);
    environments.push({
      name: clusterName(folder) || first.name,
      path: folder,
      source: 'flux',
      definedAt: first.pathAt,
      // Objects of a Kustomization whose source is another repo are that repo's: never Extra here.
      tracking: {
        fluxKustomizations: ordered
          .filter((i) => sources[i].type !== 'outside')
          .map((i) => ({ name: all[i].name, namespace: all[i].namespace })),
      },
      applications: apps,
    });
  }
  for (const [i, s] of sources.entries()) {
    if (s.type === 'folder' && !layout.isFolder(s.path)) {
      problems.push({
        severity: 'warning',
        message: `Flux Kustomization '${all[i].name}': path '${s.path || '.'}' is not a folder of this repo`,
        location: all[i].pathAt,
      });
    }
  }
  return { environments, problems, claimedFolders, outside };
}

/**
 * The Kustomization in the namespace it is applied to: the including kustomization's (kustomize overrides the
 * manifest's), else its own, else `flux-system`; its dependsOn and sourceRef default to it.
 */
function withNamespace(
  k: FluxKustomizationDecl,
  including: string | undefined,
): FluxKustomizationDecl & { namespace: string } {
  const namespace = including ?? k.namespace ?? 'flux-system';
  return {
    ...k,
    namespace,
    dependsOn: k.dependsOn.map((d) => ({ ...d, namespace: d.namespace ?? namespace })),
    sourceRef: { ...k.sourceRef, namespace: k.sourceRef.namespace || namespace },
  };
}

/** The cluster folder of a root Kustomization's file: its folder, or the parent of bootstrap's `flux-system`. */
function clusterFolder(file: string): string {
  const parts = file.split('/').slice(0, -1);
  if (parts.length && parts[parts.length - 1] === 'flux-system') parts.pop();
  return parts.join('/');
}

/** Folder names that say "Flux" rather than which cluster: `kubernetes/main/flux` is the cluster `main`. */
const GENERIC_SEGMENTS = new Set(['flux', 'flux-system', 'config', 'cluster', 'kubernetes', 'k8s']);

/** The cluster's name: its folder's last segment that is not a generic one (else the last segment). */
function clusterName(folder: string): string {
  const parts = folder.split('/').filter(Boolean);
  return [...parts].reverse().find((p) => !GENERIC_SEGMENTS.has(p)) ?? parts[parts.length - 1] ?? '';
}

type ResolvedSource = { type: 'folder'; path: string } | { type: 'outside'; description: string };

function describeResolved(source: ResolvedSource): string {
  return source.type === 'outside' ? source.description : source.path;
}

/**
 * A GitRepository that is this repo (bootstrap's `flux-system`, or one whose URL is a remote of this repo) is a folder
 * of it; an ExternalArtifact an ArtifactGenerator copies out of such a GitRepository is the folder its copy rules
 * take the path from; anything else is outside this repo.
 */
function resolveSource(
  k: FluxKustomizationDecl,
  flux: FluxObjects,
  isThisRepo: (namespace: string, name: string, url: string | undefined) => boolean,
): ResolvedSource {
  const ref = k.sourceRef;
  const refText = `${ref.kind} ${ref.namespace}/${ref.name}`;
  const gitIsThisRepo = (namespace: string, name: string): { ours: boolean; url?: string } => {
    const url = flux.gitRepositories.get(`${namespace}/${name}`);
    // No sourceRef (invalid for Flux, common in snippets): nothing says it is elsewhere.
    return { ours: name === '' || name === 'flux-system' || isThisRepo(namespace, name, url), ...(url ? { url } : {}) };
  };
  if (ref.kind === 'GitRepository') {
    const { ours, url } = gitIsThisRepo(ref.namespace, ref.name);
    if (!ours) return { type: 'outside', description: `${refText}${url ? ` (${url})` : ''}` };
    if (k.path === undefined) return { type: 'outside', description: `${refText}: path climbs out of the repo` };
    return { type: 'folder', path: k.path };
  }
  if (ref.kind === 'ExternalArtifact' && k.path !== undefined) {
    // Each cluster usually declares a generator of the same name: its own cluster's first (the one whose folder holds
    // the Kustomization's file), then any other that copies the path from this repo.
    const near = (file: string) => k.file.startsWith(`${clusterFolder(file)}/`);
    const generators = flux.generators.filter(
      (g) => g.namespace === ref.namespace && g.artifacts.some((a) => a.name === ref.name),
    );
    generators.sort((a, b) => Number(near(b.file)) - Number(near(a.file)) || a.file.localeCompare(b.file));
    for (const gen of generators) {
      const artifact = gen.artifacts.find((a) => a.name === ref.name)!;
      const path = artifactPathInRepo(k.path, artifact.copy, (alias) => {
        const source = gen.sources.get(alias);
        return source?.kind === 'GitRepository' && gitIsThisRepo(source.namespace, source.name).ours;
      });
      if (path !== undefined) return { type: 'folder', path };
    }
    if (generators.length)
      return { type: 'outside', description: `${refText}: ./${k.path} is not copied from a folder of this repo` };
  }
  return { type: 'outside', description: refText };
}

/**
 * The repo folder an artifact's path comes from, by the copy rule (`from: "@src/apps/staging/**"`, `to:
 * "@artifact/staging/"`) whose destination holds the path, the most specific first; undefined when no rule copies a
 * folder of this repo there.
 */
function artifactPathInRepo(
  path: string,
  copy: { from: string; to: string }[],
  ours: (alias: string) => boolean,
): string | undefined {
  let best: { dest: string; repo: string } | undefined;
  for (const rule of copy) {
    const from = /^@([^/]+)\/?(.*?)\/?\*\*$/.exec(rule.from);
    const to = /^@artifact\/?(.*)$/.exec(rule.to);
    if (!from || !to || !ours(from[1])) continue;
    const base = normalizeRepoPath(from[2]);
    const dest = normalizeRepoPath(to[1]);
    if (base === undefined || dest === undefined) continue;
    const inside = dest === '' || path === dest || path.startsWith(`${dest}/`);
    if (!inside || (best && best.dest.length >= dest.length)) continue;
    const rest = path.slice(dest.length).replace(/^\//, '');
    best = { dest, repo: [base, rest].filter(Boolean).join('/') };
  }
  return best?.repo;
}

function readGenerator(doc: Document, namespace: string, file: string): ArtifactGeneratorDecl {
  const sources = new Map<string, { kind: string; name: string; namespace: string }>();
  const list = doc.getIn(['spec', 'sources'], true);
  if (isSeq(list)) {
    for (const s of list.items) {
      if (!isMap(s)) continue;
      const alias = str(s.get('alias'));
      const name = str(s.get('name'));
      if (alias && name)
        sources.set(alias, {
          kind: str(s.get('kind')) ?? 'GitRepository',
          name,
          namespace: str(s.get('namespace')) ?? namespace,
        });
    }
  }
  const artifacts: ArtifactGeneratorDecl['artifacts'] = [];
  const arts = doc.getIn(['spec', 'artifacts'], true);
  if (isSeq(arts)) {
    for (const a of arts.items) {
      const name = isMap(a) ? str(a.get('name')) : undefined;
      const copy = isMap(a) ? a.get('copy', true) : undefined;
      if (!name) continue;
      const rules = isSeq(copy)
        ? copy.items.filter(isMap).map((c) => ({ from: str(c.get('from')) ?? '', to: str(c.get('to')) ?? '' }))
        : [];
      artifacts.push({ name, copy: rules });
    }
  }
  return { namespace, file, sources, artifacts };
}

/**
 * The YAML files a folder's render reads: through its kustomization's entries, or, without one, every YAML file
 * below it, as the kustomization Flux generates lists them (a subfolder with its own kustomization counts as that).
 */
function renderedFiles(
  path: string,
  layout: RepoLayout,
  yamlSet: ReadonlySet<string>,
  kustomizationDirs: Set<string>,
): Set<string> {
  const out = new Set<string>();
  const visited = new Set<string>();
  const visit = (dir: string): void => {
    if (visited.has(dir)) return;
    visited.add(dir);
    if (layout.kustomizationDirs.has(dir)) {
      kustomizationDirs.add(dir);
      for (const entry of layout.entries.get(dir) ?? []) {
        if (yamlSet.has(entry)) out.add(entry);
        else visit(entry);
      }
      return;
    }
    const prefix = dir ? `${dir}/` : '';
    for (const f of layout.yamlFiles) {
      if (!f.startsWith(prefix)) continue;
      const rest = f.slice(prefix.length).split('/');
      // The nearest subfolder with a kustomization file stands for everything below it.
      let sub = dir;
      let nested = false;
      for (const seg of rest.slice(0, -1)) {
        sub = sub ? `${sub}/${seg}` : seg;
        if (layout.kustomizationDirs.has(sub)) {
          visit(sub);
          nested = true;
          break;
        }
      }
      if (!nested) out.add(f);
    }
  };
  visit(path);
  return out;
}

/**
 * The cluster's Kustomizations with every one after those it depends on, otherwise in the order they were reached.
 * A `dependsOn` naming a Kustomization the cluster does not hold, or closing a cycle, is a problem at its entry.
 */
function dependsOnOrder(
  members: number[],
  all: (FluxKustomizationDecl & { namespace: string })[],
  problems: Problem[],
): number[] {
  const byKey = new Map<string, number>();
  for (const i of members)
    if (!byKey.has(`${all[i].namespace}/${all[i].name}`)) byKey.set(`${all[i].namespace}/${all[i].name}`, i);
  const order: number[] = [];
  const done = new Set<number>();
  const path: number[] = [];
  const visit = (i: number): void => {
    if (done.has(i)) return;
    path.push(i);
    for (const dep of all[i].dependsOn) {
      const j = byKey.get(`${dep.namespace}/${dep.name}`);
      if (j === undefined) {
        problems.push({
          severity: 'warning',
          message: `Flux Kustomization '${all[i].name}' depends on '${dep.namespace}/${dep.name}', which this cluster does not declare: Flux waits for it`,
          location: dep.at,
        });
      } else if (path.includes(j)) {
        const cycle = [...path.slice(path.indexOf(j)), j].map((n) => all[n].name);
        problems.push({
          severity: 'error',
          message: `Flux Kustomization dependsOn cycle: ${cycle.join(' -> ')} (Flux never applies them)`,
          location: dep.at,
        });
      } else visit(j);
    }
    path.pop();
    done.add(i);
    order.push(i);
  };
  for (const i of members) visit(i);
  return order;
}

/**
 * One application per Kustomization; names qualified with the namespace only where two share one. `parent`: the
 * index of the Kustomization whose render holds this one (its application's name becomes `appliedBy`).
 */
function applicationsOf(
  list: {
    index: number;
    decl: FluxKustomizationDecl & { namespace: string };
    source: ResolvedSource;
    parent?: number;
  }[],
): Application[] {
  const count = new Map<string, number>();
  for (const { decl } of list) count.set(decl.name, (count.get(decl.name) ?? 0) + 1);
  const nameOf = (decl: FluxKustomizationDecl & { namespace: string }) =>
    count.get(decl.name)! > 1 ? `${decl.namespace}/${decl.name}` : decl.name;
  const byIndex = new Map(list.map((e) => [e.index, e.decl]));
  return list.map(({ decl, source, parent }) => {
    const parentDecl = parent === undefined ? undefined : byIndex.get(parent);
    return {
      name: nameOf(decl),
      declaredAt: decl.at,
      source,
      renderer: 'flux-kustomization',
      ...(decl.targetNamespace ? { namespace: decl.targetNamespace } : {}),
      controller: { object: decl.object, at: decl.at, ...(parentDecl ? { appliedBy: nameOf(parentDecl) } : {}) },
    };
  });
}

function str(value: unknown): string | undefined {
  if (isScalar(value)) value = value.value;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
