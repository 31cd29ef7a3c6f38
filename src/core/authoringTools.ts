/**
 * The authoring half of a session (loaded lazily with it): lint, effective values, previews, comparisons,
 * completion and path references, all over the engine's cached renders. Nothing here needs a cluster.
 */
import { type CompletionEntry, kustomizationCompletions } from './authoring/completion';
import { type ComparedEnvironments, compareEnvironments } from './authoring/compareEnvironments';
import { type DeprecatedField, type FieldRewrite, rewriteDeprecatedField } from './authoring/deprecatedFields';
import {
  type EffectiveValuesSummary,
  type EnvironmentRender,
  effectiveValues,
  environmentsUsing,
  fieldAtPosition,
  summarizeEffectiveValues,
} from './authoring/effectiveValues';
import { type HelmValueSummary, helmValueUses, summarizeHelmValueUses } from './authoring/helmValues';
import { type LintReport, lintRepository } from './authoring/lint';
import { type PathReference, pathReferences, resolveReference } from './authoring/pathReferences';
import { objectCountLabel, renderedYaml } from './authoring/renderedText';
import type { SourceLocation } from './model/location';
import type { DriftEngine } from './engine';
import { ProblemError } from './model/problem';
import type { FileSystem } from './ports';
import { joinPath, type RepoEnvironment } from './repo/config';
import { folderApplication } from './model/environment';

/** Authoring features over one engine. */
export class AuthoringTools {
  constructor(
    private readonly engine: DriftEngine,
    private readonly fs: FileSystem,
    private readonly repoRoot: string,
  ) {}

  /** Every authoring diagnostic of the repo. */
  async lint(): Promise<LintReport> {
    const repo = await this.engine.repo();
    return lintRepository({
      fs: this.fs,
      repoRoot: this.repoRoot,
      environments: repo.environments,
      render: (env) => this.engine.render(env),
      renderDirectory: (dir) => this.engine.render(directoryRoot(dir)),
      disabled: repo.config.lint.disable,
    });
  }

  /** Each environment's render, in the repo's order; environments that fail to render are left out. */
  async renders(): Promise<EnvironmentRender[]> {
    const repo = await this.engine.repo();
    const out: EnvironmentRender[] = [];
    for (const env of repo.environments) {
      const result = await this.engine.render(env).catch(() => undefined);
      if (result) out.push({ name: env.name, result });
    }
    return out;
  }

  /**
   * The effective value, per environment, of the field at a 1-based position of a repo file: that file's own
   * environment alone when only one environment reads it, else each distinct value (see summarizeEffectiveValues).
   */
  async hover(file: string, text: string, line: number, column: number): Promise<EffectiveValuesSummary | undefined> {
    const field = fieldAtPosition(text, file, line, column);
    if (!field) return undefined;
    const renders = await this.renders();
    const values = effectiveValues(field, renders);
    if (!values.length) return undefined;
    return summarizeEffectiveValues(field.key, values, environmentsUsing(file, renders));
  }

  /**
   * On a Helm values key (a HelmRelease's `spec.values`, an Argo CD Helm source's `valuesObject` or `parameters`
   * entry, or a values file): the rendered fields it sets in each environment, through the values-line origins of the
   * charts' renders. Undefined elsewhere, or when no field is traced to that line (then the effective-values hover
   * speaks).
   */
  async helmValueHover(
    file: string,
    text: string,
    line: number,
    column: number,
  ): Promise<HelmValueSummary | undefined> {
    const field = fieldAtPosition(text, file, line, column);
    if (!field) return undefined;
    const inRelease = field.documentKind === 'HelmRelease' && field.pointer.startsWith('/spec/values/');
    const inApplication =
      field.documentKind === 'Application' &&
      /^\/spec\/(source|sources\/\d+)\/helm\/(valuesObject|parameters)\//.test(field.pointer);
    // HelmReleases' charts are rendered for the hover only on their own values and on files named as values files;
    // an Argo CD source's `valueFiles` may have any name, and its fields are in the environment's render anyway.
    const releaseCharts = inRelease || (!inApplication && /(^|\/)values[^/]*\.ya?ml$/.test(file));
    const repo = await this.engine.repo();
    const releases = [];
    for (const env of repo.environments) {
      if (!inRelease) {
        // Argo CD renders its Helm sources inside the environment's render: their fields carry values-line origins.
        const rendered = await this.engine.render(env).catch(() => undefined);
        if (rendered) releases.push({ environment: env.name, release: 'Argo CD', objects: rendered.objects });
      }
      if (!releaseCharts) continue;
      const apps = await this.engine.helmApplications(env).catch(() => []);
      for (const app of apps) {
        // A HelmRelease's values are its own: only the releases its file declares.
        if (inRelease && app.declaredAt.file !== file) continue;
        const render = await app.render();
        if (render.ok) releases.push({ environment: env.name, release: app.name, objects: render.objects });
      }
    }
    const uses = helmValueUses(field.at, releases);
    return uses.length ? summarizeHelmValueUses(field.key, uses) : undefined;
  }

  /**
   * The applications of kind `helm` declared in `file` (a HelmRelease's file), per environment that renders them:
   * where the `Preview Rendered Chart` CodeLens goes.
   */
  async helmApplicationsIn(file: string): Promise<{ env: string; app: string; at: SourceLocation }[]> {
    const repo = await this.engine.repo();
    const out: { env: string; app: string; at: SourceLocation }[] = [];
    for (const env of repo.environments) {
      const apps = await this.engine.helmApplications(env).catch(() => []);
      for (const app of apps)
        if (app.declaredAt.file === file) out.push({ env: env.name, app: app.name, at: app.declaredAt });
    }
    return out;
  }

  /** Environments whose render reads the file. */
  async environmentsUsing(file: string): Promise<string[]> {
    return environmentsUsing(file, await this.renders());
  }

  /**
   * The rendered YAML of an environment (by name), of one of its applications (`app`: a HelmRelease's chart, as
   * helm-controller would render it), or of any kustomization directory, Secret values masked.
   */
  async preview(target: { env?: string; dir?: string; app?: string }): Promise<string> {
    if (target.env !== undefined && target.app !== undefined) return this.previewApplication(target.env, target.app);
    const label = target.env ?? (target.dir || '.');
    try {
      const root = await this.rootFor(target);
      const result = await this.engine.render(root);
      return renderedYaml(result, {
        header: `${label}: rendered from ${root.path || '.'} (${objectCountLabel(result)}; Secret values masked)`,
      });
    } catch (e) {
      // An open preview outlives edits: a render error (or an environment renamed away) is its content, not a failure.
      if (e instanceof ProblemError) return `# ${label}: cannot render\n# ${e.message.split('\n').join('\n# ')}\n`;
      throw e;
    }
  }

  private async previewApplication(envName: string, appName: string): Promise<string> {
    const label = `${appName} in ${envName}`;
    try {
      const env = await this.engine.environment(envName);
      const result = await this.engine.renderHelmRelease(env, appName);
      if (!result) return `# ${label}: cannot render\n# environment '${envName}' renders no ${appName}\n`;
      return renderedYaml(result, {
        header: `${label}: its chart rendered by Helm's engine (${objectCountLabel(result)}; hooks left out; Secret values masked)`,
      });
    } catch (e) {
      if (e instanceof ProblemError) return `# ${label}: cannot render\n# ${e.message.split('\n').join('\n# ')}\n`;
      throw e;
    }
  }

  /**
   * The CodeLens title for a kustomization directory, `Rendered: 14 objects · Preview`, or why there is nothing to
   * preview; `preview` says whether the preview renders.
   */
  async renderedLens(dir: string, kustomizationText: string): Promise<{ title: string; preview: boolean }> {
    // A Component renders only inside the kustomizations that list it.
    if (/^kind:\s*Component\s*$/m.test(kustomizationText))
      return { title: 'Component: rendered where it is included', preview: false };
    try {
      return {
        title: `Rendered: ${objectCountLabel(await this.engine.render(directoryRoot(dir)))} · Preview`,
        preview: true,
      };
    } catch (e) {
      if (e instanceof ProblemError)
        return { title: 'Rendered: does not render (see Problems) · Preview', preview: true };
      throw e;
    }
  }

  /** Two environments' rendered output, names normalised. */
  async compare(left: string, right: string): Promise<ComparedEnvironments> {
    const render = async (name: string): Promise<EnvironmentRender> => ({
      name,
      result: await this.engine.render(await this.engine.environment(name)),
    });
    return compareEnvironments(await render(left), await render(right));
  }

  /** Completions in a kustomization file at a 0-based offset. */
  completions(text: string, offset: number, file: string): Promise<CompletionEntry[]> {
    return kustomizationCompletions(text, offset, file, {
      list: async (dir) => {
        try {
          return (await this.fs.readDir(joinPath(this.repoRoot, dir))).map((e) => ({
            name: e.name,
            isDirectory: e.isDirectory,
          }));
        } catch {
          return undefined;
        }
      },
    });
  }

  /** Path-valued entries of a kustomization file, each with the file it opens (undefined: missing or remote). */
  async references(
    text: string,
    file: string,
  ): Promise<{ ref: PathReference; target?: { path: string; isDirectory: boolean } }[]> {
    return Promise.all(
      pathReferences(text, file).map(async (ref) => ({
        ref,
        target: ref.remote ? undefined : await resolveReference(ref, this.fs, this.repoRoot),
      })),
    );
  }

  /**
   * The edits that rewrite a deprecated field of the kustomization `file`, or why it cannot be. A
   * patchesJson6902 patch file is read so the rewrite can check its operations are safe to move.
   */
  async rewrite(text: string, file: string, field: DeprecatedField): Promise<FieldRewrite> {
    const patchFiles = new Map<string, string>();
    if (field === 'patchesJson6902') {
      for (const ref of pathReferences(text, file).filter((r) => r.field === field && !r.remote)) {
        const content = await this.fs.readFile(joinPath(this.repoRoot, ref.target)).catch(() => undefined);
        if (content !== undefined) patchFiles.set(text.slice(ref.start, ref.end), content);
      }
    }
    return rewriteDeprecatedField(text, field, patchFiles);
  }

  private async rootFor(target: { env?: string; dir?: string }): Promise<RepoEnvironment> {
    return target.env !== undefined ? this.engine.environment(target.env) : directoryRoot(target.dir ?? '');
  }
}

/** A kustomization directory rendered like an environment (the engine caches renders by path). */
function directoryRoot(dir: string): RepoEnvironment {
  return { name: dir || '.', path: dir, source: 'discovered', applications: [folderApplication(dir || '.', dir)] };
}
