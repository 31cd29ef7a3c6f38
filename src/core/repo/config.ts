import { isScalar, LineCounter, parseDocument } from 'yaml';
import type { FileError } from '../fileErrors';
import type { LintCode } from '../model/lintCodes';
import type { IgnoreRule, TrackingOptions } from '../drift/options';
import type { Environment } from '../model/environment';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import { plainText } from '../model/untrustedText';
import type { FileSystem } from '../ports';
import { type Application, folderApplication, sourcePath } from '../model/environment';
import { childPointer, valueAt } from '../yaml/pointer';
import { FileLocator } from '../yaml/yamlLocate';
import { checkConfigShape, type ConfigShape } from './configSchema';

/** The config file's name, at the repo root. */
export const CONFIG_FILE = '.gitops-drift.yaml';

/**
 * An ignore rule from the config: the drift engine's rule (Argo CD `ignoreDifferences` shape; in YAML the managers
 * key is `managedFieldsManagers`, as in Argo CD), optionally limited to some environments.
 */
export interface ConfigIgnoreRule extends IgnoreRule {
  /** Restricts the rule to these environments (all when absent). */
  environments?: string[];
  /** Where the rule is declared, for diagnostics. */
  definedAt?: SourceLocation;
}

/** An environment with what the repo says about it beyond the shared model. */
export interface RepoEnvironment extends Environment {
  /** Compare with a server-side apply dry-run instead of the fast local diff. */
  exact?: boolean;
  /** How its live objects are marked (Argo CD app, Flux Kustomization), for the Extra verdict. */
  tracking?: TrackingOptions;
  /** Ignore rules of its own: an Argo CD Application's `ignoreDifferences` and those of the repo's `argocd-cm`. */
  ignore?: IgnoreRule[];
  /** An Argo CD Application's `spec.destination` (server or name), and where it is: which cluster it runs in. */
  argoDestination?: { server?: string; name?: string; at: SourceLocation };
  /** An Argo CD Application another one's render holds (app-of-apps): that parent's name. */
  parentApplication?: string;
  /** A folder of Applications no Application of the repo points at: the app-of-apps root Argo CD was given by hand. */
  appOfAppsRoot?: boolean;
}

/** The parsed `.gitops-drift.yaml`. Invalid entries are left out and reported as Problems. */
export interface RepoConfig {
  /** Repo-relative path of the config file. */
  file: string;
  /** Declared environments; empty means "discover them". */
  environments: RepoEnvironment[];
  /** Promotion chains, each in order (e.g. `[['dev', 'staging', 'prod']]`). */
  promotion: string[][];
  /** Where each promotion entry is declared, parallel to `promotion`. */
  promotionDefinedAt: SourceLocation[][];
  ignore: ConfigIgnoreRule[];
  /** Controllers allowed to own fields git sets (e.g. an HPA's `kube-controller-manager`); undefined = built-in. */
  controllerManagers?: string[];
  /** Field managers that apply desired state (their fields are compared); undefined = the built-in list. */
  appliers?: string[];
  /** Managers whose edits count as out-of-band drift; undefined = the built-in list. */
  outOfBandManagers?: string[];
  /** Exact mode for every environment. */
  exact: boolean;
  /** Authoring checks (`gitops-drift lint`, the editor's authoring diagnostics). */
  lint: { disable: LintCode[] };
  /** How promotion classifies values: globs over `object: path` labels that always move, or always stay. */
  promote: PromotePolicy;
  /** How Flux's kustomize-controller runs on the repo's clusters (its feature gates that change a render). */
  flux: FluxSettings;
  /** Where Argo CD Applications' destinations are (`argocd:`). */
  argocd: ArgoSettings;
}

/** `argocd:` in the config: which kube context each Argo CD destination is. */
export interface ArgoSettings {
  /** `destination.name` (an Argo CD cluster's name) → kube context. */
  clusters: Record<string, string>;
  /** The context of the cluster Argo CD runs in (`https://kubernetes.default.svc`, `in-cluster`); default: current. */
  inClusterContext?: string;
  /**
   * What an environment of discovered Argo CD Applications is (repo/argoEnvironments.ts): one per destination
   * cluster (the default: an Argo CD repo as its owners think of it), per destination cluster and namespace, or per
   * Application (the opt-out, the old model).
   */
  environments: ArgoEnvironmentGrouping;
}

/** `argocd.environments`: how discovered Argo CD Applications make environments. */
export type ArgoEnvironmentGrouping = 'cluster' | 'namespace' | 'application';

/** `flux:` in the config. */
export interface FluxSettings {
  /**
   * `--feature-gates=StrictPostBuildSubstitutions=true`: a variable used without a default that no source sets fails
   * the build instead of becoming empty. Default false, the controller's default.
   */
  strictPostBuildSubstitutions: boolean;
}

/** `promote:` in the config; `keep` wins over `move`. */
export interface PromotePolicy {
  move: string[];
  keep: string[];
}

/**
 * The keys the parser reads, per section. The schema (schemas/gitops-drift.schema.json) declares exactly these:
 * test/unit/repo/configSchema.test.ts fails when the two disagree.
 */
export const CONFIG_KEYS = {
  topLevel: [
    'environments',
    'promotion',
    'ignore',
    'appliers',
    'outOfBandManagers',
    'controllerManagers',
    'exact',
    'lint',
    'promote',
    'flux',
    'argocd',
  ],
  environment: ['name', 'path', 'applications', 'context', 'namespace', 'exact', 'tracking'],
  application: ['name', 'path', 'namespace'],
  tracking: ['argocdApp', 'argocdLabel', 'fluxKustomization', 'labels'],
  ignoreRule: ['group', 'kind', 'name', 'namespace', 'environments', 'jsonPointers', 'managedFieldsManagers'],
  lint: ['disable'],
  promote: ['move', 'keep'],
  flux: ['strictPostBuildSubstitutions'],
  argocd: ['clusters', 'inClusterContext', 'environments'],
} as const;

type ConfigSection = keyof typeof CONFIG_KEYS;

/** An empty config: what a repo without `.gitops-drift.yaml` has. */
export function emptyRepoConfig(file = CONFIG_FILE): RepoConfig {
  return {
    file,
    environments: [],
    promotion: [],
    promotionDefinedAt: [],
    ignore: [],
    exact: false,
    lint: { disable: [] },
    promote: { move: [], keep: [] },
    flux: { strictPostBuildSubstitutions: false },
    argocd: { clusters: {}, environments: 'cluster' },
  };
}

/**
 * Parses the text of `.gitops-drift.yaml`. Never throws: every invalid entry becomes a Problem with its
 * file:line:col and is left out of the result, so one typo does not hide the rest of the config.
 */
export function parseRepoConfig(text: string, file = CONFIG_FILE): { config: RepoConfig; problems: Problem[] } {
  const { config, problems } = parseConfigText(text, file);
  // Messages quote names and values from the file: an escape sequence in one must not reach a terminal raw.
  return { config, problems: problems.map((p) => ({ ...p, message: plainText(p.message, { visible: true }) })) };
}

function parseConfigText(text: string, file: string): { config: RepoConfig; problems: Problem[] } {
  const config = emptyRepoConfig(file);
  const problems: Problem[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const loc = new FileLocator(file, lines);
  for (const e of doc.errors)
    problems.push({ severity: 'error', message: e.message.split('\n')[0], location: loc.at(e.pos[0]) });
  if (doc.errors.length) return { config, problems };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { config, problems };
  const shape = checkConfigShape(root, loc);
  problems.push(...shape.problems);
  if (!shape.refused('')) {
    const r = new ConfigReader(shape, loc, problems);
    config.environments = r.environments();
    [config.promotion, config.promotionDefinedAt] = r.promotion();
    config.ignore = r.ignoreRules();
    config.appliers = r.stringList('', 'topLevel', 'appliers');
    config.controllerManagers = r.stringList('', 'topLevel', 'controllerManagers');
    config.outOfBandManagers = r.stringList('', 'topLevel', 'outOfBandManagers');
    config.exact = r.field('', 'topLevel', 'exact') === true;
    config.lint = { disable: (r.stringList('/lint', 'lint', 'disable') ?? []) as LintCode[] };
    config.promote = {
      move: r.stringList('/promote', 'promote', 'move') ?? [],
      keep: r.stringList('/promote', 'promote', 'keep') ?? [],
    };
    config.flux = {
      strictPostBuildSubstitutions: r.field('/flux', 'flux', 'strictPostBuildSubstitutions') === true,
    };
    const clusters = r.field('/argocd', 'argocd', 'clusters');
    const inCluster = r.field('/argocd', 'argocd', 'inClusterContext');
    const grouping = r.field('/argocd', 'argocd', 'environments');
    config.argocd = {
      clusters:
        clusters && typeof clusters === 'object' && !Array.isArray(clusters)
          ? Object.fromEntries(Object.entries(clusters).filter((e): e is [string, string] => typeof e[1] === 'string'))
          : {},
      ...(typeof inCluster === 'string' ? { inClusterContext: inCluster } : {}),
      environments: grouping === 'application' || grouping === 'namespace' ? grouping : 'cluster',
    };
  }
  if (config.environments.length)
    problems.push(
      ...checkPromotion(
        config,
        config.environments.map((e) => e.name),
      ),
    );
  // Reported in file order, the way an editor lists them.
  problems.sort(
    (a, b) =>
      (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0),
  );
  return { config, problems };
}

/**
 * Reads `.gitops-drift.yaml` from the repo root. Undefined config when there is none; declared environment
 * paths that do not exist in the repo are reported (and dropped) here, since parsing alone cannot see them.
 */
export async function loadRepoConfig(
  fs: FileSystem,
  repoRoot: string,
): Promise<{ config: RepoConfig | undefined; problems: Problem[] }> {
  let text: string;
  try {
    text = await fs.readFile(joinPath(repoRoot, CONFIG_FILE));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { config: undefined, problems: [] };
    // A refused read says why without the absolute path; bad text is reported at its line.
    const { line, column, reason } = e as FileError;
    const why = reason ?? plainText((e as Error).message, { visible: true });
    return {
      config: undefined,
      problems: [
        {
          severity: 'error',
          message: `cannot read ${CONFIG_FILE}: ${why}`,
          location: { file: CONFIG_FILE, line: line ?? 0, column: column ?? 0 },
        },
      ],
    };
  }
  const { config, problems } = parseRepoConfig(text);
  const kept: RepoEnvironment[] = [];
  for (const env of config.environments) {
    // One missing application drops its environment: the others' union would show its live objects as Extra.
    const roots = env.applications.map((app) =>
      app.declaredAt
        ? { what: `application '${app.name}': `, path: sourcePath(app) ?? '', at: app.declaredAt }
        : { what: '', path: env.path, at: env.definedAt },
    );
    let ok = true;
    for (const root of roots) {
      const stat = await fs.stat(joinPath(repoRoot, root.path));
      if (stat?.isDirectory) continue;
      problems.push({
        severity: 'error',
        message: plainText(
          `environment '${env.name}': ${root.what}path '${root.path}' ${stat ? 'is not a directory' : 'does not exist in the repo'}`,
          { visible: true },
        ),
        location: root.at,
      });
      ok = false;
    }
    if (ok) kept.push(env);
  }
  config.environments = kept;
  return { config, problems };
}

/** Problems for promotion entries that name no known environment. */
export function checkPromotion(config: RepoConfig, environmentNames: string[]): Problem[] {
  const known = new Set(environmentNames);
  const problems: Problem[] = [];
  config.promotion.forEach((chain, i) =>
    chain.forEach((name, j) => {
      if (!known.has(name))
        problems.push({
          severity: 'error',
          message: plainText(`promotion: unknown environment '${name}' (known: ${[...known].join(', ') || 'none'})`, {
            visible: true,
          }),
          location: config.promotionDefinedAt[i]?.[j],
        });
    }),
  );
  return problems;
}

/**
 * Reads the config's values once the schema has checked their shape: what it refused is absent here. Only the checks
 * the schema cannot express are left (duplicate names, paths leaving the repo, a promotion chain naming one
 * environment twice, an ignore rule left with nothing to ignore).
 */
class ConfigReader {
  constructor(
    private readonly shape: ConfigShape,
    private readonly loc: FileLocator,
    private readonly problems: Problem[],
  ) {}

  /** A key's value in the mapping at `pointer`; undefined when absent or refused by the schema. */
  field<S extends ConfigSection>(pointer: string, _section: S, key: (typeof CONFIG_KEYS)[S][number]): unknown {
    const at = childPointer(pointer, key);
    return this.shape.refused(at) ? undefined : valueAt(this.shape.data, at);
  }

  /** Whether a key is written at all, valid or not. */
  private has<S extends ConfigSection>(pointer: string, _section: S, key: (typeof CONFIG_KEYS)[S][number]): boolean {
    return valueAt(this.shape.data, childPointer(pointer, key)) !== undefined;
  }

  /** The pointers of a list's items the schema kept. */
  private items(pointer: string): string[] {
    const list = this.shape.refused(pointer) ? undefined : valueAt(this.shape.data, pointer);
    if (!Array.isArray(list)) return [];
    return list.map((_, i) => childPointer(pointer, i)).filter((p) => !this.shape.refused(p));
  }

  private string(pointer: string): string | undefined {
    const value = this.shape.refused(pointer) ? undefined : valueAt(this.shape.data, pointer);
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * A list of names; undefined when the key is absent. A list the schema refused reads as empty, as before: an
   * `environments: prod` typo in an ignore rule must not widen the rule to every environment.
   */
  stringList<S extends ConfigSection>(
    pointer: string,
    section: S,
    key: (typeof CONFIG_KEYS)[S][number],
  ): string[] | undefined {
    if (!this.has(pointer, section, key)) return undefined;
    return this.items(childPointer(pointer, key)).flatMap((p) => this.string(p) ?? []);
  }

  environments(): RepoEnvironment[] {
    const out: RepoEnvironment[] = [];
    const seen = new Set<string>();
    for (const at of this.items('/environments')) {
      const name = this.field(at, 'environment', 'name') as string | undefined;
      const path = this.repoPath(at, 'environment');
      const applications =
        this.field(at, 'environment', 'applications') === undefined
          ? undefined
          : this.applications(childPointer(at, 'applications'));
      const namespace = this.field(at, 'environment', 'namespace') as string | undefined;
      // A refused name, path, application or namespace drops the environment: rendering it without would mislead.
      let ok =
        name !== undefined &&
        !this.shape.refused(childPointer(at, 'namespace')) &&
        (path !== undefined || applications !== undefined);
      if (name !== undefined && seen.has(name)) {
        this.problems.push(
          this.loc.error(this.shape.nodeAt(childPointer(at, 'name')), `duplicate environment name '${name}'`),
        );
        ok = false;
      }
      if (!ok || name === undefined) continue;
      seen.add(name);
      // An environment of applications keeps a `path` (its first application's), for the callers that read one root.
      const envPath = path ?? sourcePath(applications![0]) ?? '';
      const env: RepoEnvironment = {
        name,
        path: envPath,
        source: 'config',
        definedAt: this.loc.of(this.shape.nodeAt(at)),
        applications: applications ?? [folderApplication(name, envPath)],
      };
      const context = this.field(at, 'environment', 'context') as string | undefined;
      if (context !== undefined) env.context = context;
      if (namespace !== undefined) env.namespace = namespace;
      const exact = this.field(at, 'environment', 'exact') as boolean | undefined;
      if (exact !== undefined) env.exact = exact;
      if (this.field(at, 'environment', 'tracking') !== undefined)
        env.tracking = this.tracking(childPointer(at, 'tracking'));
      out.push(env);
    }
    return out;
  }

  /** An environment's `applications`; undefined (the environment is dropped) when one of them is invalid. */
  private applications(pointer: string): Application[] | undefined {
    const out: Application[] = [];
    const all = valueAt(this.shape.data, pointer) as unknown[];
    const kept = this.items(pointer);
    let ok = kept.length === all.length;
    for (const at of kept) {
      const name = this.field(at, 'application', 'name') as string;
      const path = this.repoPath(at, 'application');
      if (out.some((a) => a.name === name)) {
        this.problems.push(
          this.loc.error(
            this.shape.nodeAt(childPointer(at, 'name')),
            `duplicate application name '${name}' in one environment`,
          ),
        );
        ok = false;
      }
      // As for an environment: without its path or namespace it would render somewhere else.
      if (path === undefined || this.shape.refused(childPointer(at, 'namespace'))) {
        ok = false;
        continue;
      }
      const app = folderApplication(name, path, this.loc.of(this.shape.nodeAt(at)));
      const namespace = this.field(at, 'application', 'namespace') as string | undefined;
      if (namespace !== undefined) app.namespace = namespace;
      out.push(app);
    }
    return ok && out.length ? out : undefined;
  }

  /** An environment's or application's `path`, normalised; undefined (and a Problem) when it leaves the repo. */
  private repoPath(pointer: string, section: 'environment' | 'application'): string | undefined {
    const path = this.field(pointer, section, 'path') as string | undefined;
    if (path === undefined) return undefined;
    const clean = normalizeRepoPath(path);
    if (clean === undefined)
      this.problems.push(
        this.loc.error(
          this.shape.nodeAt(childPointer(pointer, 'path')),
          `${section} path '${path}' must be relative to the repo root and stay inside it`,
        ),
      );
    return clean;
  }

  /** How an environment's live objects are marked: `{ argocdApp?, argocdLabel?, fluxKustomization: ns/name, labels? }`. */
  private tracking(pointer: string): TrackingOptions {
    const out: TrackingOptions = {};
    const app = this.field(pointer, 'tracking', 'argocdApp') as string | undefined;
    if (app !== undefined) out.argocdApp = app;
    const label = this.field(pointer, 'tracking', 'argocdLabel') as string | undefined;
    if (label !== undefined) out.argocdLabel = label;
    const flux = this.field(pointer, 'tracking', 'fluxKustomization') as string | undefined;
    if (flux !== undefined) {
      const [namespace, name] = flux.split('/');
      out.fluxKustomization = { namespace, name };
    }
    const labels = this.field(pointer, 'tracking', 'labels') as Record<string, unknown> | undefined;
    if (labels !== undefined) {
      const kept: Record<string, string> = {};
      for (const key of Object.keys(labels)) {
        const value = this.string(childPointer(childPointer(pointer, 'labels'), key));
        if (value !== undefined) kept[key] = value;
      }
      out.labels = kept;
    }
    return out;
  }

  /** `promotion: [dev, staging, prod]` or several chains: `promotion: [[dev, prod], [qa, prod-eu]]`. */
  promotion(): [string[][], SourceLocation[][]] {
    const items = this.items('/promotion');
    const isChain = (p: string) => Array.isArray(valueAt(this.shape.data, p));
    const chains = items.length && items.every(isChain) ? items : ['/promotion'];
    const names: string[][] = [];
    const where: SourceLocation[][] = [];
    for (const chain of chains) {
      const chainNames: string[] = [];
      const chainWhere: SourceLocation[] = [];
      for (const at of this.items(chain)) {
        const name = this.string(at);
        const node = this.shape.nodeAt(at);
        if (name === undefined) {
          // The schema allows a name or a chain per entry; one list cannot mix them.
          if (isChain(at))
            this.problems.push(
              this.loc.error(node, 'promotion entry must be a non-empty string (a list of chains holds only lists)'),
            );
          continue;
        }
        if (chainNames.includes(name)) {
          this.problems.push(this.loc.error(node, `promotion: '${name}' appears twice in one chain`));
          continue;
        }
        chainNames.push(name);
        chainWhere.push(this.loc.of(node));
      }
      if (chainNames.length) {
        names.push(chainNames);
        where.push(chainWhere);
      }
    }
    return [names, where];
  }

  ignoreRules(): ConfigIgnoreRule[] {
    const out: ConfigIgnoreRule[] = [];
    for (const at of this.items('/ignore')) {
      const rule: ConfigIgnoreRule = { definedAt: this.loc.of(this.shape.nodeAt(at)) };
      for (const key of ['group', 'kind', 'name', 'namespace'] as const) {
        const value = this.field(at, 'ignoreRule', key) as string | undefined;
        if (value !== undefined) rule[key] = value;
      }
      const environments = this.stringList(at, 'ignoreRule', 'environments');
      if (environments) rule.environments = environments;
      const pointers = this.stringList(at, 'ignoreRule', 'jsonPointers');
      if (pointers) rule.jsonPointers = pointers;
      const managers = this.stringList(at, 'ignoreRule', 'managedFieldsManagers');
      if (managers) rule.managers = managers;
      // Also when the schema refused every pointer or manager it had.
      if (!rule.jsonPointers?.length && !rule.managers?.length) {
        this.problems.push(
          this.loc.error(
            this.shape.nodeAt(at),
            'ignore rule needs jsonPointers or managedFieldsManagers (otherwise it ignores nothing)',
          ),
        );
        continue;
      }
      out.push(rule);
    }
    return out;
  }
}

/** `./envs/prod/` → `envs/prod`; undefined for absolute paths or paths that leave the repo. `.` → ''. */
export function normalizeRepoPath(path: string): string | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return undefined;
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Joins an absolute directory and a repo-relative path with `/`. */
export function joinPath(dir: string, rel: string): string {
  if (!rel) return dir;
  return dir.replace(/\/+$/, '') + '/' + rel.replace(/^\/+/, '');
}
