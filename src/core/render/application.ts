/**
 * The one way an application becomes rendered objects, whatever its renderer kind: the engine calls only this (through
 * its pipeline port). Kustomize folders render as `kustomize build`; plain folders through the kustomization Flux
 * generates for them; Flux Kustomizations as kustomize-controller renders them (flux/). Helm charts and Argo CD
 * directories join here as they land.
 */
import { type Application, sourcePath } from '../model/environment';
import { ProblemError, SKIPPED_CONTENT, type Problem } from '../model/problem';
import { GeneratedKustomizationFileSystem, generatedKustomization } from './plain/plainFolder';
import { renderKustomization } from './kustomize/kustomize';
import { renderFluxKustomization } from './flux/fluxKustomization';
import { renderArgoDirectory } from './argo/directory';
import { renderArgoHelm } from './argo/helm';
import { applyKustomizeOverrides } from './argo/kustomizeOverrides';
import type { RenderOptions, RenderResult } from './types';

/** Renders one application whose source is in this repo (callers handle sources outside it). */
export async function renderApplication(app: Application, options: RenderOptions): Promise<RenderResult> {
  // A chart of a Helm repository or OCI registry (an Argo CD source): downloaded through options.chartSource.
  if (app.source.type === 'remote-chart' && app.argo) return renderArgoHelm(app, '', options);
  const path = sourcePath(app);
  if (path === undefined)
    throw new ProblemError({
      severity: 'error',
      message: `application '${app.name}': its source is outside this repo, so there is nothing here to render`,
    });
  switch (app.renderer) {
    case 'kustomize':
    case 'plain-directory': {
      const overrides = app.argo?.kustomizeOverrides;
      if (!overrides || app.renderer !== 'kustomize') return renderFolder(path, options);
      // Argo CD edits the kustomization with these before it builds (`kustomize edit set ...` on a copy).
      const problems: Problem[] = [];
      const outer = options.amendRoot;
      const result = await renderFolder(path, {
        ...options,
        amendRoot: (k) =>
          applyKustomizeOverrides(
            outer ? outer(k) : k,
            { values: overrides.values, at: overrides.fieldsAt, where: overrides.at },
            { appName: overrides.appName, ...(overrides.appNamespace ? { appNamespace: overrides.appNamespace } : {}) },
            problems,
          ),
      });
      result.problems.unshift(...problems);
      return result;
    }
    case 'flux-kustomization':
      return renderFluxKustomization(app, options, (opts) =>
        renderFolder(
          path,
          {
            ...opts,
            helmChartsRefused:
              "kustomize-controller builds without Helm, so a Flux Kustomization's build fails here (a HelmRelease renders a chart under Flux)",
          },
          { flux: true },
        ),
      );
    case 'argo-directory':
      return renderArgoDirectory(app, path, options);
    case 'helm':
      if (app.argo) return renderArgoHelm(app, path, options);
      throw new ProblemError({
        severity: 'error',
        message: `application '${app.name}': a Helm chart is rendered here only as an Argo CD Helm source`,
        ...(app.declaredAt ? { location: app.declaredAt } : {}),
      });
    default:
      throw new ProblemError({
        severity: 'error',
        message: `application '${app.name}': the ${app.renderer} renderer is not available yet`,
        ...(app.declaredAt ? { location: app.declaredAt } : {}),
      });
  }
}

/**
 * A folder with a kustomization file as `kustomize build` renders it; one without, through the kustomization Flux
 * generates (the folder's content decides, not the kind settled at load time, so a kustomization file added since is
 * used at once). `flux`: a Flux Kustomization's folder: its manifests listed exactly as kustomize-controller lists them,
 * and no note about the generated kustomization (that is how Flux renders such folders by design).
 */
async function renderFolder(path: string, options: RenderOptions, how: { flux?: boolean } = {}): Promise<RenderResult> {
  const dir = path ? `${options.repoRoot.replace(/\/+$/, '')}/${path}` : options.repoRoot;
  const generated = await generatedKustomization(options.fs, dir, { flux: how.flux === true }).catch(() => undefined);
  if (generated === undefined) return renderKustomization(dir, options);
  const result = await renderKustomization(dir, {
    ...options,
    fs: new GeneratedKustomizationFileSystem(options.fs, dir, generated.text),
  });
  const charts = generated.charts.map((c) => (path && c ? `${path}/${c}` : path || c || '.'));
  const notes: Problem[] = [
    // A Flux Kustomization's folder without a kustomization is the normal case there: no note.
    ...(generated.charts.includes('') || how.flux
      ? []
      : [
          {
            severity: 'warning' as const,
            message: `no kustomization file: every manifest in ${path || '.'} is rendered, as Flux's kustomize-controller does`,
            location: { file: path || '.', line: 0, column: 0 },
          },
        ]),
    ...charts.map((chart) => ({
      severity: 'warning' as const,
      code: SKIPPED_CONTENT,
      message: `${chart} is a Helm chart: it is not rendered until Helm support lands, so nothing from it is compared with the cluster`,
      location: { file: chart === '.' ? 'Chart.yaml' : `${chart}/Chart.yaml`, line: 1, column: 1 },
    })),
  ];
  result.problems.unshift(...notes);
  return result;
}
