/**
 * Argo CD ApplicationSets expanded as the ApplicationSet controller expands them (argo-cd `applicationset/generators/`,
 * `applicationset/utils/utils.go`), over what this repo holds: the list, git directories, git files, clusters (the
 * cluster Secrets found in the repo, and the in-cluster one), matrix and merge generators, generator `selector`s,
 * each generator's own `template`, `goTemplate` with `goTemplateOptions` and `templatePatch` (repo/argoTemplate.ts),
 * fasttemplate otherwise. The result is the Applications Argo CD would create, named as it names them; discovery
 * reads each one as it reads an Application in the repo.
 *
 * What is not read: the SCM provider, pull request, cluster-decision-resource and plugin generators (named in a
 * warning at the generator); git generators whose repoURL is another repo (nothing here to list).
 */
import { isMap, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { parse as parseYaml } from 'yaml';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import type { FileLocator } from '../yaml/yamlLocate';
import { globToRegExp } from '../glob';
import {
  fastTemplate,
  goTemplate,
  goTemplateOptions,
  sanitizeName,
  TemplateError,
  type GoTemplateOptions,
} from './argoTemplate';
import { IN_CLUSTER_SERVER } from './argoDestinations';

/** An Argo CD cluster Secret (`argocd.argoproj.io/secret-type: cluster`) found in the repo. */
export interface ClusterSecret {
  name: string;
  server: string;
  project?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  at: SourceLocation;
}

/** What the generators can read of the repo. */
export interface ApplicationSetRepo {
  /** Every folder (repo-relative, no `.` folders): what a git directory generator lists. */
  folders: readonly string[];
  /** Every file a git files generator may match (YAML and JSON). */
  files: readonly string[];
  readFile(path: string): Promise<string | undefined>;
  clusters: readonly ClusterSecret[];
  /** Whether a generator's repoURL is this repo (unknown remotes: yes). */
  isThisRepo(url: string): boolean;
}

/** One Application an ApplicationSet generates: the object as Argo CD creates it, and the generator entry behind it. */
export interface GeneratedApplication {
  name: string;
  object: Record<string, unknown>;
  /** The generator element, directory entry, file or cluster Secret that produced its parameters. */
  at: SourceLocation;
}

type Params = Record<string, unknown>;
interface ParamSet {
  params: Params;
  at: SourceLocation;
}

interface Settings {
  goTemplate: boolean;
  options: GoTemplateOptions;
}

/** Generators that read Argo CD's own state or outside services: named, not expanded. */
const UNSUPPORTED_GENERATORS = ['scmProvider', 'pullRequest', 'clusterDecisionResource', 'plugin'];

/** The Applications one ApplicationSet document generates; a broken one yields none, with a problem at its line. */
export async function expandApplicationSet(
  doc: Document,
  loc: FileLocator,
  repo: ApplicationSetRepo,
): Promise<{ applications: GeneratedApplication[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const spec = doc.get('spec', true);
  if (!isMap(spec)) return { applications: [], problems };
  const appSetName = String(doc.getIn(['metadata', 'name']) ?? '');
  const namespace = doc.getIn(['metadata', 'namespace']);
  const appSetNamespace = typeof namespace === 'string' && namespace ? namespace : undefined;
  let settings: Settings;
  try {
    const rawOptions = spec.get('goTemplateOptions');
    settings = {
      goTemplate: spec.get('goTemplate') === true,
      options: goTemplateOptions(Array.isArray(rawOptions) ? rawOptions.map(String) : toStrings(rawOptions)),
    };
  } catch (e) {
    problems.push(
      loc.error(spec.get('goTemplateOptions', true) as Node, `ApplicationSet ${appSetName}: ${(e as Error).message}`),
    );
    return { applications: [], problems };
  }
  const generators = spec.get('generators', true);
  const template = toPlain(spec.get('template', true)) as Params | undefined;
  const templatePatch = spec.get('templatePatch');
  const out: GeneratedApplication[] = [];
  if (!isSeq(generators)) return { applications: out, problems };
  const expander = new Expander(loc, repo, settings);
  for (const generator of generators.items) {
    if (!isMap(generator)) continue;
    try {
      const results = await expander.generate(generator, undefined);
      for (const result of results) {
        const base = mergeTemplates(result.template, template ?? {});
        for (const set of result.sets) {
          let app = renderTemplate(base, set.params, settings);
          if (settings.goTemplate && typeof templatePatch === 'string' && templatePatch.trim()) {
            const patch: unknown = parseYaml(goTemplate(templatePatch, set.params, settings.options));
            if (isObject(patch)) app = mergePatch(app, patch);
          }
          const name = isObject(app.metadata) ? app.metadata.name : undefined;
          if (typeof name !== 'string' || !name) {
            problems.push({
              severity: 'error',
              message: `ApplicationSet ${appSetName}: a generated Application has no name (template metadata.name)`,
              location: set.at,
            });
            continue;
          }
          out.push({
            name,
            object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...asWritten(app, appSetNamespace) },
            at: set.at,
          });
        }
      }
    } catch (e) {
      // Argo CD generates nothing for an ApplicationSet with a failing generator or template (an ErrorOccurred
      // condition), so neither does this: the problem says why, at the generator.
      if (!(e instanceof TemplateError || e instanceof GeneratorError)) throw e;
      problems.push({
        severity: 'error',
        message: `ApplicationSet ${appSetName}: ${e.message}; Argo CD generates no Application from it`,
        location: e instanceof GeneratorError && e.at ? e.at : loc.of(generator),
      });
      return { applications: [], problems };
    }
  }
  problems.push(...expander.problems);
  // Generated Applications sharing a name: Argo CD creates none of them (a validation error on the ApplicationSet,
  // applicationset_controller.go validateGeneratedApplications) and creates the others.
  const count = new Map<string, number>();
  for (const app of out) count.set(app.name, (count.get(app.name) ?? 0) + 1);
  const reported = new Set<string>();
  for (const app of out) {
    if (count.get(app.name)! < 2 || reported.has(app.name)) continue;
    reported.add(app.name);
    problems.push({
      severity: 'error',
      message: `ApplicationSet ${appSetName}: ${count.get(app.name)} generated Applications are named '${app.name}': Argo CD creates none of them (duplicate name)`,
      location: out.filter((a) => a.name === app.name)[1].at,
    });
  }
  return { applications: out.filter((a) => count.get(a.name) === 1), problems };
}

/**
 * A rendered Application as the ApplicationSet controller writes it: in the ApplicationSet's namespace whatever the
 * template says (controllers/template GenerateApplications), its spec normalised (util/argo NormalizeApplicationSpec:
 * an empty project is `default`, an empty syncPolicy and empty kustomize, helm and directory options are dropped, so
 * `directory: {}` does not make a kustomize folder a directory source).
 */
function asWritten(app: Params, appSetNamespace: string | undefined): Params {
  const metadata: Params = { ...(isObject(app.metadata) ? app.metadata : {}) };
  if (appSetNamespace) metadata.namespace = appSetNamespace;
  else delete metadata.namespace;
  if (!isObject(app.spec)) return { ...app, metadata };
  const spec: Params = { ...app.spec };
  if (!spec.project) spec.project = 'default';
  if (spec.syncPolicy !== undefined && isZeroSyncPolicy(spec.syncPolicy)) delete spec.syncPolicy;
  if (Array.isArray(spec.sources) && spec.sources.length) spec.sources = spec.sources.map(normalizeSource);
  else if (isObject(spec.source)) spec.source = normalizeSource(spec.source);
  return { ...app, metadata, spec };
}

/** The fields each source kind's IsZero reads (argo-cd pkg/apis/application/v1alpha1 types.go). */
const KUSTOMIZE_ZERO_FIELDS = [
  'namePrefix',
  'nameSuffix',
  'version',
  'namespace',
  'images',
  'replicas',
  'commonLabels',
  'commonAnnotations',
  'patches',
  'components',
  'kubeVersion',
  'apiVersions',
  'ignoreMissingComponents',
];
const HELM_ZERO_FIELDS = [
  'version',
  'releaseName',
  'valueFiles',
  'parameters',
  'fileParameters',
  'values',
  'valuesObject',
  'passCredentials',
  'ignoreMissingValueFiles',
  'skipCrds',
  'skipTests',
  'skipSchemaValidation',
  'kubeVersion',
  'apiVersions',
  'namespace',
];

function isZeroSyncPolicy(v: unknown): boolean {
  if (!isObject(v)) return true;
  return (
    (v.automated === undefined || v.automated === null) &&
    isEmpty(v.syncOptions) &&
    (v.retry === undefined || v.retry === null) &&
    (v.managedNamespaceMetadata === undefined || v.managedNamespaceMetadata === null)
  );
}

function normalizeSource(source: unknown): unknown {
  if (!isObject(source)) return source;
  const out: Params = { ...source };
  const zero = (v: unknown, fields: string[]) => !isObject(v) || fields.every((f) => isEmpty(v[f]));
  if (out.kustomize !== undefined && zero(out.kustomize, KUSTOMIZE_ZERO_FIELDS)) delete out.kustomize;
  if (out.helm !== undefined && zero(out.helm, HELM_ZERO_FIELDS)) delete out.helm;
  if (out.directory !== undefined) {
    const d = isObject(out.directory) ? out.directory : {};
    const jsonnet = isObject(d.jsonnet) ? d.jsonnet : {};
    if (d.recurse !== true && isEmpty(jsonnet.extVars) && isEmpty(jsonnet.tlas) && isEmpty(jsonnet.libs)) {
      const kept: Params = {};
      if (typeof d.exclude === 'string' && d.exclude) kept.exclude = d.exclude;
      if (typeof d.include === 'string' && d.include) kept.include = d.include;
      if (Object.keys(kept).length) out.directory = kept;
      else delete out.directory;
    }
  }
  return out;
}

class GeneratorError extends Error {
  constructor(
    message: string,
    readonly at?: SourceLocation,
  ) {
    super(message);
  }
}

class Expander {
  readonly problems: Problem[] = [];
  constructor(
    private readonly loc: FileLocator,
    private readonly repo: ApplicationSetRepo,
    private readonly settings: Settings,
  ) {}

  /** A generator's parameter sets (with its own template, if any), after interpolating `outer` params into it. */
  async generate(node: YAMLMap, outer: Params | undefined): Promise<{ sets: ParamSet[]; template: Params }[]> {
    let generator = toPlain(node) as Params;
    if (outer) generator = interpolateGenerator(generator, outer, this.settings);
    const at = this.loc.of(node);
    const out: { sets: ParamSet[]; template: Params }[] = [];
    for (const [kind, body] of Object.entries(generator)) {
      if (kind === 'selector' || !isObject(body)) continue;
      const bodyNode = node.get(kind, true) as Node | undefined;
      let sets: ParamSet[];
      if (kind === 'list') sets = this.list(body, bodyNode, at);
      else if (kind === 'git') sets = await this.git(body, bodyNode, at);
      else if (kind === 'clusters') sets = this.clusters(body, at);
      else if (kind === 'matrix') sets = await this.matrix(body, bodyNode, at);
      else if (kind === 'merge') sets = await this.merge(body, bodyNode, at);
      else {
        this.problems.push({
          severity: 'warning',
          message: UNSUPPORTED_GENERATORS.includes(kind)
            ? `ApplicationSet generator '${kind}' is not read (it asks Argo CD or an outside service): its Applications are not listed`
            : `unknown ApplicationSet generator '${kind}'`,
          location: this.loc.of(bodyNode),
        });
        continue;
      }
      const selector = generator.selector;
      if (isObject(selector)) sets = sets.filter((s) => matchesSelector(flatten(s.params), selector));
      out.push({ sets, template: isObject(body.template) ? body.template : {} });
    }
    return out;
  }

  private list(body: Params, node: Node | undefined, at: SourceLocation): ParamSet[] {
    const elementsNode = isMap(node) ? node.get('elements', true) : undefined;
    const elements = Array.isArray(body.elements) ? body.elements : [];
    const sets: ParamSet[] = elements.map((element, i) => {
      const where = isSeq(elementsNode) ? this.loc.of(elementsNode.items[i] as Node) : at;
      if (!isObject(element)) throw new GeneratorError('list element is not an object', where);
      if (this.settings.goTemplate) return { params: element, at: where };
      const params: Params = {};
      for (const [key, value] of Object.entries(element)) {
        if (key === 'values' && isObject(value)) {
          for (const [k, v] of Object.entries(value)) {
            if (typeof v !== 'string') throw new GeneratorError('error parsing value as string', where);
            params[`values.${k}`] = v;
          }
        } else if (typeof value !== 'string')
          throw new GeneratorError(
            `list element '${key}': error parsing value as string (use goTemplate for other values)`,
            where,
          );
        else params[key] = value;
      }
      return { params, at: where };
    });
    if (typeof body.elementsYaml === 'string' && body.elementsYaml.trim()) {
      const parsed: unknown = parseYaml(body.elementsYaml);
      if (!Array.isArray(parsed)) throw new GeneratorError('elementsYaml is not a list', at);
      for (const element of parsed) if (isObject(element)) sets.push({ params: element, at });
    }
    return sets;
  }

  private async git(body: Params, node: Node | undefined, at: SourceLocation): Promise<ParamSet[]> {
    if (typeof body.repoURL === 'string' && !this.repo.isThisRepo(body.repoURL)) {
      this.problems.push({
        severity: 'warning',
        message: `ApplicationSet git generator reads ${body.repoURL}, not this repo: its Applications are not listed`,
        location: at,
      });
      return [];
    }
    const prefix = typeof body.pathParamPrefix === 'string' ? body.pathParamPrefix : '';
    const values = isObject(body.values) ? body.values : undefined;
    const sets: ParamSet[] = [];
    if (Array.isArray(body.directories) && body.directories.length) {
      const entriesNode = isMap(node) ? node.get('directories', true) : undefined;
      const include: { re: RegExp; at: SourceLocation }[] = [];
      const exclude: RegExp[] = [];
      body.directories.forEach((entry, i) => {
        if (!isObject(entry) || typeof entry.path !== 'string') return;
        const re = globToRegExp(entry.path, { path: true });
        const where =
          isSeq(entriesNode) && isMap(entriesNode.items[i])
            ? this.loc.of((entriesNode.items[i] as YAMLMap).get('path', true) as Node)
            : at;
        if (entry.exclude === true) exclude.push(re);
        else include.push({ re, at: where });
      });
      for (const folder of this.repo.folders) {
        const match = include.find((i) => i.re.test(folder));
        if (!match || exclude.some((re) => re.test(folder))) continue;
        sets.push({
          params: this.withValues(pathParams(folder, undefined, prefix, this.settings.goTemplate), values),
          at: match.at,
        });
      }
    } else if (Array.isArray(body.files) && body.files.length) {
      // `git ls-files -- PATTERN`: a pathspec glob where `*` crosses `/`.
      const include: RegExp[] = [];
      const exclude: RegExp[] = [];
      for (const entry of body.files) {
        if (!isObject(entry) || typeof entry.path !== 'string') continue;
        (entry.exclude === true ? exclude : include).push(globToRegExp(entry.path));
      }
      const files = this.repo.files.filter(
        (f) => include.some((re) => re.test(f)) && !exclude.some((re) => re.test(f)),
      );
      for (const file of [...files].sort()) {
        const text = await this.repo.readFile(file);
        if (text === undefined) throw new GeneratorError(`unable to read file '${file}'`, at);
        let parsed: unknown;
        try {
          parsed = parseYaml(text);
        } catch (e) {
          throw new GeneratorError(
            `unable to process file '${file}': unable to parse file: ${(e as Error).message.split('\n')[0]}`,
            {
              file,
              line: 1,
              column: 1,
            },
          );
        }
        const objects = Array.isArray(parsed) ? parsed : [parsed ?? {}];
        for (const object of objects) {
          if (!isObject(object))
            throw new GeneratorError(`unable to process file '${file}': not an object`, { file, line: 1, column: 1 });
          const params: Params = {};
          if (this.settings.goTemplate) Object.assign(params, object);
          else for (const [k, v] of Object.entries(flatten(object))) params[k] = v;
          Object.assign(params, pathParams(dirname(file), file, prefix, this.settings.goTemplate));
          sets.push({ params: this.withValues(params, values), at: { file, line: 1, column: 1 } });
        }
      }
    }
    return sets;
  }

  private clusters(body: Params, at: SourceLocation): ParamSet[] {
    const selector = isObject(body.selector) ? body.selector : undefined;
    const hasSelector =
      !!selector &&
      ((isObject(selector.matchLabels) && Object.keys(selector.matchLabels).length > 0) ||
        (Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0));
    const values = isObject(body.values) ? body.values : undefined;
    const sets: ParamSet[] = [];
    const secrets = this.repo.clusters.filter((c) => !selector || matchesSelector(c.labels, selector));
    for (const c of secrets) {
      const params: Params = {
        name: c.name,
        nameNormalized: sanitizeName(c.name),
        server: c.server,
        project: c.project ?? '',
      };
      if (this.settings.goTemplate) {
        const meta: Params = {};
        if (Object.keys(c.annotations).length) meta.annotations = c.annotations;
        if (Object.keys(c.labels).length) meta.labels = c.labels;
        params.metadata = meta;
      } else {
        for (const [k, v] of Object.entries(c.annotations)) params[`metadata.annotations.${k}`] = v;
        for (const [k, v] of Object.entries(c.labels)) params[`metadata.labels.${k}`] = v;
      }
      sets.push({ params: this.withValues(params, values), at: c.at });
    }
    // The cluster Argo CD runs in is a cluster without a Secret, unless a selector asks for labels or a Secret names it.
    if (!hasSelector && !this.repo.clusters.some((c) => c.server === IN_CLUSTER_SERVER)) {
      const params: Params = {
        name: 'in-cluster',
        nameNormalized: 'in-cluster',
        server: IN_CLUSTER_SERVER,
        project: '',
      };
      sets.push({ params: this.withValues(params, values), at });
    }
    return sets;
  }

  private async matrix(_body: Params, node: Node | undefined, at: SourceLocation): Promise<ParamSet[]> {
    const children = this.children(node, 'matrix', at);
    if (children.length !== 2)
      throw new GeneratorError(`matrix needs exactly 2 child generators, found ${children.length}`, at);
    const out: ParamSet[] = [];
    for (const a of (await this.generate(children[0], undefined)).flatMap((r) => r.sets)) {
      for (const b of (await this.generate(children[1], a.params)).flatMap((r) => r.sets)) {
        // goTemplate: mergo with override, a over b; fasttemplate: CombineStringMaps refuses a key with two values.
        if (this.settings.goTemplate) out.push({ params: deepMerge(deepMerge({}, b.params), a.params), at: a.at });
        else {
          for (const [k, v] of Object.entries(b.params))
            if (k in a.params && a.params[k] !== v)
              throw new GeneratorError(
                `found duplicate key ${k} with different value, a: ${String(a.params[k])} ,b: ${String(v)}`,
                at,
              );
          out.push({ params: { ...a.params, ...b.params }, at: a.at });
        }
      }
    }
    return out;
  }

  private async merge(body: Params, node: Node | undefined, at: SourceLocation): Promise<ParamSet[]> {
    const children = this.children(node, 'merge', at);
    if (children.length < 2) throw new GeneratorError('merge needs at least 2 child generators', at);
    const keys = Array.isArray(body.mergeKeys) ? [...new Set(body.mergeKeys.map(String))] : [];
    if (!keys.length) throw new GeneratorError('merge: no merge keys were specified', at);
    const byKey = (sets: ParamSet[]) => {
      const map = new Map<string, ParamSet>();
      for (const s of sets) {
        const key = JSON.stringify(Object.fromEntries([...keys].sort().map((k) => [k, s.params[k] ?? null])));
        if (map.has(key))
          throw new GeneratorError(`merge: param set with duplicate merge keys. Duplicate key was ${key}`, s.at);
        map.set(key, s);
      }
      return map;
    };
    const all = [];
    for (const child of children) all.push((await this.generate(child, undefined)).flatMap((r) => r.sets));
    const base = byKey(all[0]);
    for (const sets of all.slice(1)) {
      const other = byKey(sets);
      for (const [key, set] of base) {
        const override = other.get(key);
        if (!override) continue;
        base.set(key, {
          params: this.settings.goTemplate
            ? deepMerge(deepMerge({}, set.params), override.params)
            : { ...set.params, ...override.params },
          at: set.at,
        });
      }
    }
    return [...base.values()];
  }

  private children(node: Node | undefined, kind: string, at: SourceLocation): YAMLMap[] {
    const list = isMap(node) ? node.get('generators', true) : undefined;
    if (!isSeq(list)) throw new GeneratorError(`${kind} has no generators`, at);
    return list.items.filter((i): i is YAMLMap => isMap(i));
  }

  /** `values:` of a git or cluster generator, templated with the params (appendTemplatedValues). */
  private withValues(params: Params, values: Params | undefined): Params {
    if (!values) return params;
    const rendered: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) rendered[k] = replace(String(v), params, this.settings);
    if (this.settings.goTemplate) params.values = rendered;
    else for (const [k, v] of Object.entries(rendered)) params[`values.${k}`] = v;
    return params;
  }
}

function pathParams(folder: string, file: string | undefined, prefix: string, go: boolean): Params {
  const basename = folder.split('/').pop() ?? folder;
  if (go) {
    const path: Params = {
      path: folder,
      basename,
      basenameNormalized: sanitizeName(basename),
      segments: folder.split('/'),
    };
    if (file !== undefined) {
      const filename = file.split('/').pop()!;
      path.filename = filename;
      path.filenameNormalized = sanitizeName(filename);
    }
    return prefix ? { [prefix]: { path } } : { path };
  }
  const name = prefix ? `${prefix}.path` : 'path';
  const params: Params = {
    [name]: folder,
    [`${name}.basename`]: basename,
    [`${name}.basenameNormalized`]: sanitizeName(basename),
  };
  if (file !== undefined) {
    const filename = file.split('/').pop()!;
    params[`${name}.filename`] = filename;
    params[`${name}.filenameNormalized`] = sanitizeName(filename);
  }
  folder.split('/').forEach((segment, i) => {
    if (segment) params[`${name}[${i}]`] = segment;
  });
  return params;
}

/** `path.Dir`: `.` for a file at the root. */
function dirname(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
}

function replace(text: string, params: Params, settings: Settings): string {
  return settings.goTemplate ? goTemplate(text, params, settings.options) : fastTemplate(text, params);
}

/** Every string (and map key) of the template replaced with the params, as Render.RenderTemplateParams walks it. */
function renderTemplate(template: Params, params: Params, settings: Settings): Params {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replace(v, params, settings);
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) {
      const out: Params = {};
      for (const [k, inner] of Object.entries(v))
        if (inner !== null && inner !== undefined) out[replace(k, params, settings)] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(template) as Params;
}

/** A generator with another generator's params put in (a matrix's second child): its strings templated. */
function interpolateGenerator(generator: Params, params: Params, settings: Settings): Params {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      try {
        return replace(v, params, settings);
      } catch (e) {
        // A key the outer params lack may be one of the generator's own (Argo CD keeps the text then).
        if (e instanceof TemplateError && /no entry for key|can't evaluate field/.test(e.message)) return v;
        throw e;
      }
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v))
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, k === 'template' ? inner : walk(inner)]));
    return v;
  };
  return walk(generator) as Params;
}

/** A generator's own template with the ApplicationSet's filling what it leaves empty (mergo.Merge without override). */
function mergeTemplates(own: Params, base: Params): Params {
  const out: Params = structuredClone(own);
  for (const [k, v] of Object.entries(base)) {
    if (isEmpty(out[k])) out[k] = structuredClone(v);
    else if (isObject(out[k]) && isObject(v)) out[k] = mergeTemplates(out[k], v);
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === '' ||
    v === false ||
    v === 0 ||
    (Array.isArray(v) && !v.length) ||
    (isObject(v) && !Object.keys(v).length)
  );
}

/** `templatePatch` applied as a strategic merge patch on an Application: maps merge, lists and scalars replace. */
function mergePatch(target: Params, patch: Params): Params {
  const out: Params = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = mergePatch(out[k], v);
    else out[k] = v;
  }
  return out;
}

/** mergo.Merge(dst, src, WithOverride): src's values win, maps merge. */
function deepMerge(dst: Params, src: Params): Params {
  for (const [k, v] of Object.entries(src)) {
    if (isObject(v) && isObject(dst[k])) dst[k] = deepMerge({ ...dst[k] }, v);
    else if (!isEmpty(v) || !(k in dst)) dst[k] = structuredClone(v);
  }
  return dst;
}

/** jeremywohl/flatten in DotStyle, values as `%v`: what a selector and fasttemplate see. */
function flatten(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, v: unknown): void => {
    if (isObject(v) && Object.keys(v).length)
      for (const [k, inner] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, inner);
    else if (Array.isArray(v) && v.length) v.forEach((inner, i) => walk(prefix ? `${prefix}.${i}` : String(i), inner));
    else
      out[prefix] = isObject(v)
        ? 'map[]'
        : Array.isArray(v)
          ? '[]'
          : v === null || v === undefined
            ? '<nil>'
            : typeof v === 'string'
              ? v
              : String(v);
  };
  walk('', params);
  return out;
}

/** A Kubernetes label selector (`matchLabels`, `matchExpressions` with In, NotIn, Exists, DoesNotExist). */
function matchesSelector(labels: Record<string, string>, selector: Params): boolean {
  if (isObject(selector.matchLabels))
    for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== String(v)) return false;
  if (Array.isArray(selector.matchExpressions))
    for (const e of selector.matchExpressions) {
      if (!isObject(e)) continue;
      const key = String(e.key);
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      const op = String(e.operator);
      if (op === 'In' && !(has && values.includes(labels[key]))) return false;
      if (op === 'NotIn' && has && values.includes(labels[key])) return false;
      if (op === 'Exists' && !has) return false;
      if (op === 'DoesNotExist' && has) return false;
    }
  return true;
}

/** A YAML node as plain data (toJS), or undefined. */
function toPlain(node: unknown): unknown {
  if (
    node &&
    typeof node === 'object' &&
    'toJSON' in node &&
    typeof (node as { toJSON: unknown }).toJSON === 'function'
  )
    return (node as { toJSON(): unknown }).toJSON();
  return undefined;
}

function toStrings(v: unknown): string[] {
  if (isSeq(v)) return v.items.map((i) => String((i as { value?: unknown }).value ?? i));
  return [];
}

function isObject(v: unknown): v is Params {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a cluster Secret (`argocd.argoproj.io/secret-type: cluster`) of the repo: its name, server and labels. */
export function clusterSecret(doc: Document, loc: FileLocator): ClusterSecret | undefined {
  const obj = doc.toJS() as Params | null;
  if (!isObject(obj) || obj.kind !== 'Secret' || !isObject(obj.metadata)) return undefined;
  const labels = isObject(obj.metadata.labels) ? stringMap(obj.metadata.labels) : {};
  if (labels['argocd.argoproj.io/secret-type'] !== 'cluster') return undefined;
  // Only `name`, `server` and `project` are read: `config` holds credentials and is never looked at.
  const field = (key: string): string | undefined => {
    if (isObject(obj.stringData) && typeof obj.stringData[key] === 'string') return obj.stringData[key];
    if (isObject(obj.data) && typeof obj.data[key] === 'string') {
      try {
        return new TextDecoder().decode(
          Uint8Array.from(atob(obj.data[key].replace(/\s+/g, '')), (c) => c.charCodeAt(0)),
        );
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
  const server = field('server');
  // Argo CD reads the name from the data only (an empty name when it is absent).
  const name = field('name') ?? '';
  if (!server) return undefined;
  const secret: ClusterSecret = {
    name,
    server,
    labels,
    annotations: isObject(obj.metadata.annotations) ? stringMap(obj.metadata.annotations) : {},
    at: loc.of(doc.contents),
  };
  const project = field('project');
  if (project) secret.project = project;
  return secret;
}

function stringMap(v: Params): Record<string, string> {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}
