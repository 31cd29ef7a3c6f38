/**
 * An Argo CD Helm source whose chart is a folder of this repo, rendered as Argo CD's repo server renders it
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
import { renderChartFolder } from '../helm/chartRender';
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
  const files = new Set<string>();
  const read = async (repoPath: string, where: SourceLocation): Promise<string> => {
    files.add(repoPath);
    try {
      return await options.fs.readFile(repoPath ? `${root}/${repoPath}` : root);
    } catch (e) {
      return fail(`cannot read ${repoPath}: ${(e as Error).message.split('\n')[0]}`, where);
    }
  };
  const exists = async (repoPath: string) =>
    (await options.fs.stat(`${root}/${repoPath}`).catch(() => undefined))?.isFile === true;
  const env = buildEnvironment(app);

  // 1. --values: the value files, then values/valuesObject.
  let values: Record<string, unknown> = {};
  const resolved: string[] = [];
  for (const entry of helm.valueFiles ?? []) {
    const target = resolveValueFile(entry.value, chartPath, argo?.refs, env);
    if ('outside' in target) fail(target.outside, entry.at);
    if ('error' in target) fail(target.error, entry.at);
    const path = (target as { path: string }).path;
    if (/[*?[]/.test(path)) {
      const matches = await globFiles(options, root, path);
      if (!matches.length) {
        if (helm.ignoreMissingValueFiles) continue;
        fail(`values file glob ${entry.value} matched no files`, entry.at);
      }
      for (const m of matches) if (!resolved.includes(m)) resolved.push(m);
      continue;
    }
    if (!(await exists(path))) {
      if (helm.ignoreMissingValueFiles) continue;
      fail(`values file ${entry.value} (${path}) does not exist (Helm fails: no such file or directory)`, entry.at);
    }
    // An explicit entry takes its own place: a glob before it skips it (Argo CD's explicitPaths).
    const before = resolved.indexOf(path);
    if (before >= 0) resolved.splice(before, 1);
    resolved.push(path);
  }
  for (const path of resolved) {
    const where = (helm.valueFiles ?? []).find((v) => path.endsWith(v.value.replace(/^\$[^/]+\//, '')))?.at ?? at;
    try {
      values = mergeMaps(values, loadValuesText(await read(path, where)));
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
    const target = resolveValueFile(p.path, chartPath, argo?.refs, env);
    if ('outside' in target) fail(target.outside, p.at);
    if ('error' in target) fail(target.error, p.at);
    const path = (target as { path: string }).path;
    if (!(await exists(path))) fail(`fileParameters ${p.name}: ${p.path} (${path}) does not exist`, p.at);
    const text = await read(path, p.at);
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
  const render = await renderChartFolder({
    fs: options.fs,
    repoRoot: options.repoRoot,
    chartPath,
    request: {
      values,
      releaseName,
      namespace,
      includeCRDs: helm.skipCrds !== true,
      ...(kubeVersion ? { kubeVersion } : {}),
      ...(helm.apiVersions?.length ? { apiVersions: helm.apiVersions } : {}),
      ...(helm.skipSchemaValidation ? { skipSchemaValidation: true } : {}),
    },
    engine: options.helmEngine,
    at,
    what,
  });
  const objects: RenderedObject[] = [];
  for (const doc of render.documents) {
    // Argo CD runs hooks (helm.sh/hook becomes its own hook), it never compares them.
    if (doc.hook) continue;
    const origin: Origin = {
      file: doc.file,
      line: 1,
      column: 1,
      kind: 'resource',
      related: [{ location: at, message: `rendered by this Argo CD Helm source (release ${releaseName})` }],
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
    root: chartPath,
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
  // doublestar: `**` as a whole segment crosses folders; `*`, `?` and classes stay within one (Go's path.Match).
  const re = new RegExp(
    `^${pattern
      .split('/')
      .map((seg) => (seg === '**' ? '\u0000' : globToRegExp(seg, { path: true }).source.slice(1, -1)))
      .join('/')
      .replace(/\u0000\//g, '(?:.*/)?')
      .replace(/\/?\u0000$/, '(?:/.*)?')}$`,
  );
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
