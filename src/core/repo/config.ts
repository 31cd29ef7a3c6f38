import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import type { FileError } from '../fileErrors';
import { LINT_CODES, type LintCode } from '../model/lintCodes';
import type { IgnoreRule, TrackingOptions } from '../drift/options';
import type { Environment } from '../model/environment';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import { plainText } from '../model/untrustedText';
import type { FileSystem } from '../ports';
import { folderApplication } from '../model/environment';
import { FileLocator } from '../yaml/yamlLocate';

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
}

const TOP_LEVEL_KEYS = ['environments', 'promotion', 'ignore', 'appliers', 'outOfBandManagers', 'controllerManagers', 'exact', 'lint'];
const LINT_KEYS = ['disable'];
const ENVIRONMENT_KEYS = ['name', 'path', 'context', 'namespace', 'exact', 'tracking'];
const TRACKING_KEYS = ['argocdApp', 'argocdLabel', 'fluxKustomization', 'labels'];
const IGNORE_KEYS = ['group', 'kind', 'name', 'namespace', 'environments', 'jsonPointers', 'managedFieldsManagers'];
const ENV_NAME = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An empty config: what a repo without `.gitops-drift.yaml` has. */
export function emptyRepoConfig(file = CONFIG_FILE): RepoConfig {
  return { file, environments: [], promotion: [], promotionDefinedAt: [], ignore: [], exact: false, lint: { disable: [] } };
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
  for (const e of doc.errors) problems.push({ severity: 'error', message: e.message.split('\n')[0], location: loc.at(e.pos[0]) });
  if (doc.errors.length) return { config, problems };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { config, problems };
  if (!isMap(root)) {
    problems.push(loc.error(root, `${file} must be a mapping with keys ${TOP_LEVEL_KEYS.join(', ')}`));
    return { config, problems };
  }
  const p = new Parser(loc, problems);
  for (const pair of root.items) {
    const key = keyName(pair.key);
    const value = pair.value as Node | null;
    switch (key) {
      case 'environments':
        config.environments = p.environments(value);
        break;
      case 'promotion':
        [config.promotion, config.promotionDefinedAt] = p.promotion(value);
        break;
      case 'ignore':
        config.ignore = p.ignoreRules(value);
        break;
      case 'appliers':
        config.appliers = p.stringList(value, 'appliers');
        break;
      case 'controllerManagers':
        config.controllerManagers = p.stringList(value, 'controllerManagers');
        break;
      case 'outOfBandManagers':
        config.outOfBandManagers = p.stringList(value, 'outOfBandManagers');
        break;
      case 'exact':
        config.exact = p.boolean(value, 'exact') ?? false;
        break;
      case 'lint':
        config.lint = p.lint(value);
        break;
      default:
        problems.push(loc.warning(pair.key as Node, unknownKey(key, TOP_LEVEL_KEYS)));
    }
  }
  if (config.environments.length) problems.push(...checkPromotion(config, config.environments.map((e) => e.name)));
  // Reported in file order, the way an editor lists them.
  problems.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
  return { config, problems };
}

/**
 * Reads `.gitops-drift.yaml` from the repo root. Undefined config when there is none; declared environment
 * paths that do not exist in the repo are reported (and dropped) here, since parsing alone cannot see them.
 */
export async function loadRepoConfig(fs: FileSystem, repoRoot: string): Promise<{ config: RepoConfig | undefined; problems: Problem[] }> {
  let text: string;
  try {
    text = await fs.readFile(joinPath(repoRoot, CONFIG_FILE));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { config: undefined, problems: [] };
    // A refused read says why without the absolute path; bad text is reported at its line.
    const { line, column, reason } = e as FileError;
    const why = reason ?? plainText((e as Error).message, { visible: true });
    return { config: undefined, problems: [{ severity: 'error', message: `cannot read ${CONFIG_FILE}: ${why}`, location: { file: CONFIG_FILE, line: line ?? 0, column: column ?? 0 } }] };
  }
  const { config, problems } = parseRepoConfig(text);
  const kept: RepoEnvironment[] = [];
  for (const env of config.environments) {
    const stat = await fs.stat(joinPath(repoRoot, env.path));
    if (stat?.isDirectory) kept.push(env);
    else problems.push({ severity: 'error', message: plainText(`environment '${env.name}': path '${env.path}' ${stat ? 'is not a directory' : 'does not exist in the repo'}`, { visible: true }), location: env.definedAt });
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
      if (!known.has(name)) problems.push({ severity: 'error', message: plainText(`promotion: unknown environment '${name}' (known: ${[...known].join(', ') || 'none'})`, { visible: true }), location: config.promotionDefinedAt[i]?.[j] });
    }),
  );
  return problems;
}

/** Validates one section at a time, collecting Problems instead of throwing. */
class Parser {
  constructor(
    private readonly loc: FileLocator,
    private readonly problems: Problem[],
  ) {}

  environments(node: Node | null): RepoEnvironment[] {
    const out: RepoEnvironment[] = [];
    const seen = new Set<string>();
    for (const item of this.seq(node, 'environments')) {
      const map = this.map(item, 'an environment', '{ name, path, context?, namespace? }');
      if (!map) continue;
      const fields = this.fields(map, ENVIRONMENT_KEYS, 'environment');
      const name = this.requiredString(map, fields, 'name', 'environment');
      const path = this.requiredString(map, fields, 'path', 'environment');
      const context = this.string(fields.get('context'), 'context');
      const namespace = this.string(fields.get('namespace'), 'namespace');
      const exact = fields.has('exact') ? this.boolean(fields.get('exact') ?? null, 'exact') : undefined;
      const tracking = fields.has('tracking') ? this.tracking(fields.get('tracking') ?? null) : undefined;
      let ok = name !== undefined && path !== undefined;
      if (name !== undefined && !ENV_NAME.test(name)) {
        this.problems.push(this.loc.error(fields.get('name'), `environment name '${name}' may only contain letters, digits, '.', '_', '-' and '/'`));
        ok = false;
      } else if (name !== undefined && seen.has(name)) {
        this.problems.push(this.loc.error(fields.get('name'), `duplicate environment name '${name}'`));
        ok = false;
      }
      const cleanPath = path === undefined ? undefined : normalizeRepoPath(path);
      if (path !== undefined && cleanPath === undefined) {
        this.problems.push(this.loc.error(fields.get('path'), `environment path '${path}' must be relative to the repo root and stay inside it`));
        ok = false;
      }
      if (namespace !== undefined && !DNS_LABEL.test(namespace)) {
        this.problems.push(this.loc.error(fields.get('namespace'), `namespace '${namespace}' is not a valid Kubernetes namespace name`));
        ok = false;
      }
      if (!ok || name === undefined || cleanPath === undefined) continue;
      seen.add(name);
      const env: RepoEnvironment = { name, path: cleanPath, source: 'config', definedAt: this.loc.of(map), applications: [folderApplication(name, cleanPath)] };
      if (context !== undefined) env.context = context;
      if (namespace !== undefined) env.namespace = namespace;
      if (exact !== undefined) env.exact = exact;
      if (tracking !== undefined) env.tracking = tracking;
      out.push(env);
    }
    return out;
  }

  /** How an environment's live objects are marked: `{ argocdApp?, argocdLabel?, fluxKustomization: ns/name, labels? }`. */
  tracking(node: Node | null): TrackingOptions | undefined {
    const map = this.map(node, 'tracking marks', '{ argocdApp?, argocdLabel?, fluxKustomization?: namespace/name, labels? }');
    if (!map) return undefined;
    const fields = this.fields(map, TRACKING_KEYS, 'tracking');
    const out: TrackingOptions = {};
    const app = this.string(fields.get('argocdApp'), 'argocdApp');
    if (app !== undefined) out.argocdApp = app;
    const label = this.string(fields.get('argocdLabel'), 'argocdLabel');
    if (label !== undefined) out.argocdLabel = label;
    const flux = this.string(fields.get('fluxKustomization'), 'fluxKustomization');
    if (flux !== undefined) {
      const m = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(flux);
      if (m) out.fluxKustomization = { namespace: m[1], name: m[2] };
      else this.problems.push(this.loc.error(fields.get('fluxKustomization'), `fluxKustomization must be namespace/name (e.g. flux-system/apps), not '${flux}'`));
    }
    const labelsNode = fields.get('labels');
    if (labelsNode !== undefined) {
      if (!isMap(labelsNode)) this.problems.push(this.loc.error(labelsNode, 'labels must be a mapping of label keys to values'));
      else {
        const labels: Record<string, string> = {};
        for (const pair of labelsNode.items) {
          const value = this.string((pair.value as Node | null) ?? null, `label ${keyName(pair.key)}`);
          if (value !== undefined) labels[keyName(pair.key)] = value;
        }
        out.labels = labels;
      }
    }
    return out;
  }

  /** `promotion: [dev, staging, prod]` or several chains: `promotion: [[dev, prod], [qa, prod-eu]]`. */
  promotion(node: Node | null): [string[][], SourceLocation[][]] {
    const items = this.seq(node, 'promotion');
    const chains = items.length && items.every((i) => isSeq(i)) ? items : [node];
    const names: string[][] = [];
    const where: SourceLocation[][] = [];
    for (const chain of chains) {
      const chainNames: string[] = [];
      const chainWhere: SourceLocation[] = [];
      for (const item of chain === node ? items : this.seq(chain, 'promotion')) {
        const name = this.string(item, 'promotion entry');
        if (name === undefined) continue;
        if (chainNames.includes(name)) {
          this.problems.push(this.loc.error(item, `promotion: '${name}' appears twice in one chain`));
          continue;
        }
        chainNames.push(name);
        chainWhere.push(this.loc.of(item));
      }
      if (chainNames.length) {
        names.push(chainNames);
        where.push(chainWhere);
      }
    }
    return [names, where];
  }

  ignoreRules(node: Node | null): ConfigIgnoreRule[] {
    const out: ConfigIgnoreRule[] = [];
    for (const item of this.seq(node, 'ignore')) {
      const map = this.map(item, 'an ignore rule', '{ kind?, name?, namespace?, jsonPointers?, managedFieldsManagers? }');
      if (!map) continue;
      const fields = this.fields(map, IGNORE_KEYS, 'ignore rule');
      const rule: ConfigIgnoreRule = { definedAt: this.loc.of(map) };
      for (const key of ['group', 'kind', 'name', 'namespace'] as const) {
        const value = this.string(fields.get(key), key);
        if (value !== undefined) rule[key] = value;
      }
      if (fields.has('environments')) rule.environments = this.stringList(fields.get('environments') ?? null, 'environments');
      if (fields.has('jsonPointers')) {
        const pointersNode = fields.get('jsonPointers') ?? null;
        const pointers: string[] = [];
        for (const p of this.seq(pointersNode, 'jsonPointers')) {
          const pointer = this.string(p, 'JSON pointer');
          if (pointer === undefined) continue;
          if (!/^(\/([^~/]|~[01])*)+$/.test(pointer)) this.problems.push(this.loc.error(p, `'${pointer}' is not a JSON pointer (RFC 6901: '/spec/replicas'; escape '/' as ~1 and '~' as ~0)`));
          else pointers.push(pointer);
        }
        rule.jsonPointers = pointers;
      }
      if (fields.has('managedFieldsManagers')) rule.managers = this.stringList(fields.get('managedFieldsManagers') ?? null, 'managedFieldsManagers');
      if (!rule.jsonPointers?.length && !rule.managers?.length) {
        this.problems.push(this.loc.error(map, 'ignore rule needs jsonPointers or managedFieldsManagers (otherwise it ignores nothing)'));
        continue;
      }
      out.push(rule);
    }
    return out;
  }

  /** `lint: { disable: [codes] }`; an unknown code is a warning at its entry (with the closest code) and left out. */
  lint(node: Node | null): RepoConfig['lint'] {
    const out: RepoConfig['lint'] = { disable: [] };
    const map = this.map(node, 'lint', '{ disable: [lint codes] }');
    const disable = map ? this.fields(map, LINT_KEYS, 'lint').get('disable') : undefined;
    if (disable === undefined) return out;
    for (const item of this.seq(disable, 'lint.disable')) {
      const code = this.string(item, 'lint.disable entry');
      if (code === undefined) continue;
      if ((LINT_CODES as readonly string[]).includes(code)) out.disable.push(code as LintCode);
      else this.problems.push(this.loc.warning(item!, unknownKey(code, [...LINT_CODES], 'lint.disable', 'lint code')));
    }
    return out;
  }

  stringList(node: Node | null, what: string): string[] {
    const out: string[] = [];
    for (const item of this.seq(node, what)) {
      const s = this.string(item, `${what} entry`);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  boolean(node: Node | null, what: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.problems.push(this.loc.error(node, `${what} must be true or false`));
    return undefined;
  }

  /** A non-empty string scalar; undefined (and a Problem) otherwise. Absent nodes give undefined silently. */
  string(node: Node | null | undefined, what: string): string | undefined {
    if (node === undefined) return undefined;
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value;
    // Unquoted numbers and booleans (e.g. `name: 2024`) are almost always meant as text; say how to quote them.
    const hint = isScalar(node) && node.value !== null && typeof node.value !== 'object' ? ` (quote it: "${String(node.value)}")` : '';
    this.problems.push(this.loc.error(node, `${what} must be a non-empty string${hint}`));
    return undefined;
  }

  private requiredString(map: YAMLMap, fields: Map<string, Node | null>, key: string, what: string): string | undefined {
    if (!fields.has(key)) {
      this.problems.push(this.loc.error(map, `${what} is missing '${key}'`));
      return undefined;
    }
    return this.string(fields.get(key) ?? null, key);
  }

  private seq(node: Node | null, what: string): (Node | null)[] {
    if (isSeq(node)) return node.items as (Node | null)[];
    this.problems.push(this.loc.error(node, `${what} must be a list`));
    return [];
  }

  private map(node: Node | null, what: string, shape: string): YAMLMap | undefined {
    if (isMap(node)) return node;
    this.problems.push(this.loc.error(node, `expected ${what}: ${shape}`));
    return undefined;
  }

  /** The map's values by key; unknown keys are reported as warnings (likely typos). */
  private fields(map: YAMLMap, allowed: string[], what: string): Map<string, Node | null> {
    const out = new Map<string, Node | null>();
    for (const pair of map.items) {
      const key = keyName(pair.key);
      if (allowed.includes(key)) out.set(key, (pair.value as Node | null) ?? null);
      else this.problems.push(this.loc.warning(pair.key as Node, unknownKey(key, allowed, what)));
    }
    return out;
  }
}

function keyName(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function unknownKey(key: string, allowed: string[], where?: string, noun = 'key'): string {
  const close = allowed.find((a) => a.toLowerCase() === key.toLowerCase() || editDistance(a.toLowerCase(), key.toLowerCase()) <= 2);
  return `unknown ${noun} '${key}'${where ? ` in ${where}` : ''}${close ? ` (did you mean '${close}'?)` : ` (expected ${allowed.join(', ')})`}`;
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
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
