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
  const pulled = remote ? await fetchRemoteChart(options.chartSource, remote, at, what) : undefined;
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
      values = mergeMaps(values, loadValuesText(await read(file, where)));
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      fail(`failed to parse ${path}: ${(e as Error).message.split('\n')[0]}`, where);
    }
  }
  if (helm.valuesObject) values = mergeMaps(values, structuredClone(helm.valuesObject));
  else if (helm.values)
    try {
      values = mergeMaps(values, loadValuesText(helm.values));
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
        parseSetInto(`${p.name}=${cleanSetParameter(envsubst(p.value, env))}`, values, { asString });
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
  const render = pulled
    ? await renderChartFiles({
        files: pulled.files,
        chart: { downloaded: `${pulled.name} ${pulled.version}` },
        request,
        engine: options.helmEngine,
        at,
        what,
      })
    : await renderChartFolder({
        fs: options.fs,
        repoRoot: options.repoRoot,
        chartPath,
        request,
        engine: options.helmEngine,
        at,
        what,
      });
  const objects: RenderedObject[] = [];
  for (const doc of render.documents) {
    // Argo CD runs hooks (helm.sh/hook becomes its own hook), it never compares them.
    if (doc.hook) continue;
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
    objects.push({
      object: doc.object,
      key: keyOf(doc.object),
      origins: new Map([['', origin]]),
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
