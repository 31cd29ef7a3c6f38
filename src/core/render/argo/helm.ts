/**
 * An Argo CD Helm source whose chart is a folder of this repo, or a chart of a Helm repository or OCI registry
 * (downloaded through the ChartSource port: render/helm/remoteChart.ts), rendered as Argo CD's repo server renders it
 * (argo-cd `reposerver/repository/repository.go` helmTemplate, `util/helm/cmd.go` template): the release name is
 * `helm.releaseName`, else the Application's name; the namespace `helm.namespace`, else the destination's; the values
 * are what `helm template` merges from the flags Argo CD passes, in Helm's order:
 *
 * 1. `--values` for each `helm.valueFiles` entry in order (relative to the chart folder, `/…` from the repo root,
 *    `$ref/…` from a `ref:` source of the Application; globs expanded in lexical order; missing ones skipped with
 *    `ignoreMissingValueFiles`), then `--values` for `valuesObject` (or the `values` text);
 * 2. `--set` for `parameters`, then `--set-string` for those with `forceString`, then `--set-file` for
 *    `fileParameters` (each after Argo CD's `$ARGOCD_APP_*` substitution and its comma escaping).
 *
 * `--include-crds` unless `skipCrds`; `kubeVersion`/`apiVersions` as given (Argo CD passes the cluster's otherwise;
 * offline Helm's defaults stand in). Hooks are left out: Argo CD runs them, it never diffs them.
 *
 * With `traceHelmValues`, rendered fields point at the values line that set them (valuesTrace.ts): a value file's
 * line (this repo's files only), the Application's `valuesObject`/`values` line, a parameter's `value:` line, else
 * the chart's own values.yaml (a chart folder of this repo only), whichever Helm's order made win.
 */
import type { Application, ArgoHelm } from '../../model/environment';
import type { Origin, SourceLocation } from '../../model/location';
import { ProblemError } from '../../model/problem';
import { keyOf } from '../../model/resource';
import { globToRegExp } from '../../glob';
import { mergeMaps } from '../helm/chartFiles';
import { renderChartFiles, renderChartFolder } from '../helm/chartRender';
import { fetchRemoteChart } from '../helm/remoteChart';
import { loadValuesText, parseSetInto } from '../helm/helmValues';
import { traceRender, tracedOrigin, type TemplateDocument, type ValueSite } from '../helm/valuesTrace';
import { parseYaml } from '../../yaml/parseYaml';
import { isMap, valueAt } from '../../yaml/pointer';
import { collectOrigins } from '../../yaml/tree';
import type { RenderedObject, RenderOptions, RenderResult } from '../types';

/** Renders an Argo CD Application's Helm source (`app.source` is its chart folder). */
export async function renderArgoHelm(
  app: Application,
  chartPath: string,
  options: RenderOptions,
): Promise<RenderResult> {
  const argo = app.argo;
  const at = argo?.at ?? app.declaredAt ?? { file: chartPath || '.', line: 0, column: 0 };
  const what = `application '${app.name}'`;
  const fail = (message: string, location: SourceLocation = at): never => {
    throw new ProblemError({ severity: 'error', message: `${what}: ${message}`, location });
  };
  const helm: ArgoHelm = argo?.helm ?? {};
  const root = options.repoRoot.replace(/\/+$/, '');
  // A chart of a Helm repository or OCI registry: downloaded (a state of the application when it cannot be), and its
  // own files are where relative value files are (Argo CD reads them in the pulled chart); `$ref/…` stays this repo's.
  const remote = app.source.type === 'remote-chart' ? app.source : undefined;
  // Argo CD applies Applications a chart renders (app-of-apps): without the chart, those are unknown too.
  const pulled = remote
    ? await fetchRemoteChart(
        options.chartSource,
        remote,
        at,
        what,
        '; if the chart renders Argo CD Applications (app-of-apps), they are unknown until it is downloaded',
        argo?.chartCredentials?.(),
        argo?.chartTls?.(),
      )
    : undefined;
  const inChart = pulled ? new Map(pulled.files.map((f) => [f.name, f.data])) : undefined;
  const files = new Set<string>();
  /** A value file: `path` in this repo, or (`inChart`) in the downloaded chart. Keys tell the two apart. */
  type ValueFile = { path: string; inChart: boolean };
  const keyOfFile = (f: ValueFile) => `${f.inChart ? 'chart' : 'repo'}:${f.path}`;
  const read = async (file: ValueFile, where: SourceLocation): Promise<string> => {
    if (file.inChart) return new TextDecoder().decode(inChart!.get(file.path));
    files.add(file.path);
    try {
      return await options.fs.readFile(file.path ? `${root}/${file.path}` : root);
    } catch (e) {
      return fail(`cannot read ${file.path}: ${(e as Error).message.split('\n')[0]}`, where);
    }
  };
  const exists = async (file: ValueFile) =>
    file.inChart
      ? inChart!.has(file.path)
      : (await options.fs.stat(`${root}/${file.path}`).catch(() => undefined))?.isFile === true;
  const env = buildEnvironment(app);
  /** Where a value file entry is: a `$ref/…` of this repo always; any other in the downloaded chart, if there is one. */
  const place = (raw: string, path: string): ValueFile => ({
    path,
    inChart: inChart !== undefined && !(raw.startsWith('$') && argo?.refs?.[raw.split('/')[0].slice(1)] !== undefined),
  });
  const chartBase = remote ? '' : chartPath;

  /**
   * What each layer of values set, lowest first (Helm's order), with the line of each leaf when git has one: the
   * values tracing asks the last layer that sets a leaf where it came from.
   */
  const layers: { values: Record<string, unknown>; lines: (pointer: string) => SourceLocation | undefined }[] = [];
  const noLines = () => undefined;
  const linesOfFile = (text: string, path: string): ((pointer: string) => SourceLocation | undefined) => {
    if (!options.traceHelmValues) return noLines;
    try {
      const tree = parseYaml(text, path, 'resource')[0];
      const origins = tree ? collectOrigins(tree) : new Map();
      return (pointer) => origins.get(pointer);
    } catch {
      return noLines;
    }
  };

  // 1. --values: the value files, then values/valuesObject.
  let values: Record<string, unknown> = {};
  const resolved: ValueFile[] = [];
  const indexOf = (f: ValueFile) => resolved.findIndex((r) => keyOfFile(r) === keyOfFile(f));
  for (const entry of helm.valueFiles ?? []) {
    const target = resolveValueFile(entry.value, chartBase, argo?.refs, env);
    if ('outside' in target) fail(target.outside, entry.at);
    if ('error' in target) fail(target.error, entry.at);
    const file = place(entry.value, (target as { path: string }).path);
    if (/[*?[]/.test(file.path)) {
      const matches = file.inChart
        ? [...inChart!.keys()].filter((k) => globRegExp(file.path).test(k)).sort()
        : await globFiles(options, root, file.path);
      if (!matches.length) {
        if (helm.ignoreMissingValueFiles) continue;
        fail(`values file glob ${entry.value} matched no files`, entry.at);
      }
      for (const m of matches) {
        const f = { path: m, inChart: file.inChart };
        if (indexOf(f) < 0) resolved.push(f);
      }
      continue;
    }
    if (!(await exists(file))) {
      if (helm.ignoreMissingValueFiles) continue;
      fail(
        `values file ${entry.value} (${file.inChart ? `${pulled!.name} ${pulled!.version}: ` : ''}${file.path}) does not exist (Helm fails: no such file or directory)`,
        entry.at,
      );
    }
    // An explicit entry takes its own place: a glob before it skips it (Argo CD's explicitPaths).
    const before = indexOf(file);
    if (before >= 0) resolved.splice(before, 1);
    resolved.push(file);
  }
  for (const file of resolved) {
    const path = file.path;
    const where = (helm.valueFiles ?? []).find((v) => path.endsWith(v.value.replace(/^\$[^/]+\//, '')))?.at ?? at;
    try {
      const text = await read(file, where);
      const layer = loadValuesText(text);
      values = mergeMaps(values, layer);
      // A downloaded chart's value file is no file of the repo: not traced.
      layers.push({ values: layer, lines: file.inChart ? noLines : linesOfFile(text, path) });
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      fail(`failed to parse ${path}: ${(e as Error).message.split('\n')[0]}`, where);
    }
  }
  const inlineLines = (pointer: string) => helm.valuesOrigins?.[pointer];
  if (helm.valuesObject) {
    values = mergeMaps(values, structuredClone(helm.valuesObject));
    layers.push({ values: helm.valuesObject, lines: inlineLines });
  } else if (helm.values)
    try {
      const layer = loadValuesText(helm.values);
      values = mergeMaps(values, layer);
      layers.push({ values: layer, lines: inlineLines });
    } catch (e) {
      fail(`helm.values: ${(e as Error).message.split('\n')[0]}`, helm.valuesAt ?? at);
    }

  // 2. --set, --set-string, --set-file (Argo CD keys each map by name: the last entry of a name wins).
  const lastByName = <T extends { name: string }>(list: T[]) => [...new Map(list.map((p) => [p.name, p])).values()];
  const sets = lastByName((helm.parameters ?? []).filter((p) => !p.forceString));
  const strings = lastByName((helm.parameters ?? []).filter((p) => p.forceString));
  for (const [list, asString] of [
    [sets, false],
    [strings, true],
  ] as const)
    for (const p of list) {
      try {
        const line = `${p.name}=${cleanSetParameter(envsubst(p.value, env))}`;
        parseSetInto(line, values, { asString });
        // What this parameter alone sets, each leaf at the entry's `value:` line.
        const alone: Record<string, unknown> = {};
        parseSetInto(line, alone, { asString });
        // No `value:` line (an Application built in memory): it hides what lower layers set, untraced.
        const valueLine = p.valueAt;
        layers.push({ values: alone, lines: () => valueLine });
      } catch (e) {
        fail(
          `parameter ${p.name}: failed parsing --set${asString ? '-string' : ''} data: ${(e as Error).message}`,
          p.at,
        );
      }
    }
  for (const p of lastByName(helm.fileParameters ?? [])) {
    const target = resolveValueFile(p.path, chartBase, argo?.refs, env);
    if ('outside' in target) fail(target.outside, p.at);
    if ('error' in target) fail(target.error, p.at);
    const file = place(p.path, (target as { path: string }).path);
    const path = file.path;
    if (!(await exists(file))) fail(`fileParameters ${p.name}: ${p.path} (${path}) does not exist`, p.at);
    const text = await read(file, p.at);
    try {
      // The path is handed to Helm escaped as any --set-file value; the reader gets the file's text.
      parseSetInto(`${p.name}=${cleanSetParameter(path)}`, values, { file: () => text });
      // A file's text has no line of its own to point at: it hides what lower layers set there (not traced).
      const alone: Record<string, unknown> = {};
      parseSetInto(`${p.name}=${cleanSetParameter(path)}`, alone, { file: () => text });
      layers.push({ values: alone, lines: noLines });
    } catch (e) {
      fail(`fileParameters ${p.name}: failed parsing --set-file data: ${(e as Error).message}`, p.at);
    }
  }

  const releaseName = helm.releaseName || argo?.applicationName || app.name;
  // Without a namespace Argo CD passes no --namespace, and Helm's is `default` (the repo server has no kube context).
  const namespace = helm.namespace || app.namespace || 'default';
  const kubeVersion = helm.kubeVersion;
  const request = {
    values,
    releaseName,
    namespace,
    includeCRDs: helm.skipCrds !== true,
    ...(kubeVersion ? { kubeVersion } : {}),
    ...(helm.apiVersions?.length ? { apiVersions: helm.apiVersions } : {}),
    ...(helm.skipSchemaValidation ? { skipSchemaValidation: true } : {}),
  };
  const renderWith = (req: typeof request & { skipSchemaValidation?: boolean }) =>
    pulled
      ? renderChartFiles({
          files: pulled.files,
          chart: { downloaded: `${pulled.name} ${pulled.version}` },
          request: req,
          engine: options.helmEngine,
          at,
          what,
        })
      : renderChartFolder({
          fs: options.fs,
          repoRoot: options.repoRoot,
          chartPath,
          request: req,
          engine: options.helmEngine,
          at,
          what,
        });
  const render = await renderWith(request);
  // Argo CD runs hooks (helm.sh/hook becomes its own hook), it never compares them.
  const documents = render.documents.filter((d) => !d.hook);
  const traced = options.traceHelmValues
    ? await traceArgoValues(values, layers, pulled ? undefined : chartPath, options, documents, async (marked) => {
        try {
          const again = await renderWith({ ...request, values: marked, skipSchemaValidation: true });
          return { documents: again.documents.filter((d) => !d.hook) };
        } catch (e) {
          return { message: (e as Error).message };
        }
      })
    : undefined;
  const objects: RenderedObject[] = [];
  for (const [i, doc] of documents.entries()) {
    // A downloaded chart's templates are in no file of the repo: its objects point at the source's line.
    const origin: Origin = {
      file: doc.file,
      line: pulled ? at.line : 1,
      column: pulled ? at.column : 1,
      kind: 'resource',
      related: [
        {
          location: at,
          message: pulled
            ? `rendered by this Argo CD Helm source (release ${releaseName}) through the template ${doc.template} of ${pulled.name} ${pulled.version} (downloaded)`
            : `rendered by this Argo CD Helm source (release ${releaseName})`,
        },
      ],
    };
    const origins = new Map([['', origin]]);
    const through = pulled
      ? { location: at, message: `through the template ${doc.template} of ${pulled.name} ${pulled.version}` }
      : { location: { file: doc.file, line: 1, column: 1 }, message: `through the template ${doc.template}` };
    for (const [pointer, sites] of traced?.byDocument.get(i) ?? [])
      origins.set(
        pointer,
        tracedOrigin(sites, [through, { location: at, message: 'rendered by this Argo CD Helm source' }]),
      );
    objects.push({
      object: doc.object,
      key: keyOf(doc.object),
      origins,
      source: at,
      template: doc.template,
    });
  }
  return {
    root: remote ? '' : chartPath,
    objects,
    problems:
      helm.version && helm.version !== 'v3'
        ? [
            {
              severity: 'warning',
              message: `${what}: helm.version ${helm.version}: Argo CD renders every chart with Helm 3; rendered with Helm's engine as it does`,
              location: at,
            },
          ]
        : [],
    files: [...new Set([...render.files, ...files])].sort(),
  };
}

/**
 * The values lines behind an Argo CD Helm render's fields: every leaf of the merged `values` points at the last layer
 * (Helm's order) that set it, at its line there when git has one; the chart's own values.yaml (a folder of this repo)
 * under them all.
 */
async function traceArgoValues(
  values: Record<string, unknown>,
  layers: readonly { values: Record<string, unknown>; lines: (pointer: string) => SourceLocation | undefined }[],
  chartFolder: string | undefined,
  options: RenderOptions,
  documents: readonly TemplateDocument[],
  renderMarked: (values: Record<string, unknown>) => Promise<{ documents: TemplateDocument[] } | { message: string }>,
) {
  let chartValues: Record<string, unknown> = {};
  let chartLines = new Map<string, Origin>();
  if (chartFolder !== undefined) {
    const path = chartFolder ? `${chartFolder}/values.yaml` : 'values.yaml';
    try {
      const text = await options.fs.readFile(`${options.repoRoot.replace(/\/+$/, '')}/${path}`);
      chartValues = loadValuesText(text);
      const tree = parseYaml(text, path, 'resource')[0];
      if (tree) chartLines = collectOrigins(tree);
    } catch {
      // No values.yaml, or a broken one (the render reports it): no defaults to trace.
    }
  }
  const siteOf = (pointer: string): Omit<ValueSite, 'value'> | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const set = valueAt(layers[i].values, pointer);
      if (set === undefined) continue;
      const line = isMap(set) || Array.isArray(set) ? undefined : layers[i].lines(pointer);
      return line ? { origin: { ...line, kind: 'helmValue' }, layer: 'release' } : undefined;
    }
    const origin = chartLines.get(pointer);
    return origin ? { origin, layer: 'chart' } : undefined;
  };
  // Chart defaults are given as user values too, so that each can carry a marker (as for HelmReleases).
  return traceRender(mergeMaps(chartValues, values), siteOf, documents, renderMarked);
}

/** Argo CD's build environment for `$VAR` substitution (newEnv): what the repo says of the Application. */
function buildEnvironment(app: Application): Record<string, string> {
  const argo = app.argo;
  return {
    ARGOCD_APP_NAME: argo?.applicationName ?? app.name,
    ARGOCD_APP_NAMESPACE: app.namespace ?? '',
    ARGOCD_APP_PROJECT_NAME: argo?.project ?? '',
    ARGOCD_APP_SOURCE_REPO_URL: argo?.repoURL ?? '',
    ARGOCD_APP_SOURCE_PATH: argo?.rawPath ?? '',
    ARGOCD_APP_SOURCE_TARGET_REVISION: argo?.targetRevision ?? '',
  };
}

/** Go's os.Expand with Argo CD's mapping: `$NAME`/`${NAME}` from `env` (unknown ones empty), `$$` a dollar. */
export function envsubst(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$(\{([^}]*)\}|([A-Za-z0-9_]+)|(\$)|([*#$@!?\-0-9]))/g,
    (_m, _a, braced, name, dollar, special) => {
      if (dollar !== undefined) return '$';
      const key = braced ?? name ?? special;
      return env[key] ?? '';
    },
  );
}

/** Argo CD's cleanSetParameters: commas escaped (unless already, or a `{a,b}` list) so Helm reads one value. */
export function cleanSetParameter(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  let out = '';
  let prev = '';
  for (const r of value) {
    out += r === ',' && prev !== '\\' ? '\\,' : r;
    prev = r;
  }
  return out;
}

/**
 * A value file entry as a repo path: `$ref/…` in the ref source's folder (a ref to another repo: `outside`), `/…`
 * from the repo root, else from the chart folder; one that climbs out of its repo is an error, as Argo CD's path
 * boundary makes it. Substitution comes after the ref is resolved, as in Argo CD.
 */
export function resolveValueFile(
  raw: string,
  chartPath: string,
  refs: Record<string, { path: string } | { outside: string }> | undefined,
  env: Record<string, string>,
): { path: string } | { outside: string } | { error: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw))
    return { outside: `values file ${raw} is a URL: not fetched (Argo CD would download it)` };
  if (raw.startsWith('$')) {
    const name = raw.split('/')[0];
    const ref = refs?.[name.slice(1)];
    if (ref) {
      if ('outside' in ref)
        return {
          outside: `values file ${raw}: source ref '${name.slice(1)}' is another repository (${ref.outside}): not rendered`,
        };
      const rest = envsubst(raw.slice(name.length), env);
      const path = joinInside(ref.path, rest.replace(/^\/+/, ''));
      return path === undefined ? { error: `values file ${raw} resolves outside the repository` } : { path };
    }
  }
  const text = envsubst(raw, env);
  const path = text.startsWith('/') ? joinInside('', text.slice(1)) : joinInside(chartPath, text);
  return path === undefined
    ? { error: `values file ${raw} resolves outside the repository root (Argo CD refuses it)` }
    : { path };
}

function joinInside(base: string, rel: string): string | undefined {
  const parts = base ? base.split('/') : [];
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Files under the repo matching a doublestar glob (`*`, `?`, `[…]`, `**`), in lexical order. */
async function globFiles(options: RenderOptions, root: string, pattern: string): Promise<string[]> {
  const fixed: string[] = [];
  for (const part of pattern.split('/')) {
    if (/[*?[]/.test(part)) break;
    fixed.push(part);
  }
  const base = fixed.join('/');
  const re = globRegExp(pattern);
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await options.fs.readDir(dir ? `${root}/${dir}` : root).catch(() => []);
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory && e.name !== '.git') await walk(rel);
      else if (e.isFile && re.test(rel)) out.push(rel);
    }
  };
  await walk(base);
  return out.sort();
}

/** A doublestar glob as a RegExp: `**` as a whole segment crosses folders; `*`, `?` and classes stay within one (Go's path.Match). */
function globRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('/')
      .map((seg) => (seg === '**' ? '\u0000' : globToRegExp(seg, { path: true }).source.slice(1, -1)))
      .join('/')
      .replace(/\u0000\//g, '(?:.*/)?')
      .replace(/\/?\u0000$/, '(?:/.*)?')}$`,
  );
}
