/**
 * src/core/authoring/: what the editor and `gitops-drift lint` say while a config repo is written: the lint checks
 * (checks/, one file per finding code), effective values, completion, previews and environment comparison. It may
 * import promote, repo, drift, render, live and the base layers, never the engine.
 *
 * The authoring checks over a whole config repo (`gitops-drift lint`, the editor's diagnostics): static checks of
 * every kustomization file and the YAML it lists, and what each environment's render shows (render problems,
 * mutable image tags, labels reaching immutable selectors). Pure: files through the FileSystem port, renders through
 * the caller's `render`.
 */
import type { Problem } from '../model/problem';
import { ProblemError } from '../model/problem';
import type { FileSystem } from '../ports';
import { CONFIG_FILE, type RepoEnvironment } from '../repo/config';
import { walkRepo } from '../repo/walk';
import { mapWithConcurrency } from '../pool';
import { renderKustomization } from '../render/kustomize/kustomize';
import { createParseCache } from '../yaml/parseYaml';
import type { RenderResult } from '../render/types';
import { deprecatedApiFinding, deprecatedApiUses } from './checks/deprecatedApiField';
import { deprecatedFields } from './checks/deprecatedField';
import { duplicateResources } from './checks/duplicateResource';
import { malformedYaml } from './checks/malformedYaml';
import { missingPaths } from './checks/missingPath';
import { mutableImageFinding, mutableImages } from './checks/mutableImageTag';
import { mayHoldSecret, plaintextSecrets } from './checks/plaintextSecret';
import { type EnvironmentProblem, renderProblemFindings } from './checks/renderProblems';
import { addsSelectorLabels, type SelectorLabel, selectorLabelFinding, selectorLabelsOf } from './checks/selectorLabel';
import { unknownFields } from './checks/unknownField';
import type { LintCode } from '../model/lintCodes';
import type { LintFinding } from './finding';
import { LintFiles } from './lintFiles';
import { type KustomizationSource, kustomizationSource, pathEntries } from './lintKustomization';
import { KnownPaths, resolvePaths } from './lintPaths';

/** What `lintRepository` needs. */
export interface LintOptions {
  fs: FileSystem;
  /** Absolute path of the repo root, `/` separators. */
  repoRoot: string;
  /** The environments to render (from loadRepository / DriftEngine.load()). */
  environments: RepoEnvironment[];
  /** Renders an environment (the editor passes engine.render so renders are cached and shared). */
  render(env: RepoEnvironment): Promise<RenderResult>;
  /**
   * Renders any kustomization directory (repo-relative): used for the selector-label check of kustomizations no
   * environment's render reached. Default: renderKustomization over `fs`.
   */
  renderDirectory?(dir: string): Promise<RenderResult>;
  /** Codes the repo turned off (`.gitops-drift.yaml` `lint.disable`): never reported. */
  disabled?: readonly LintCode[];
  /**
   * Problems of the repo's `.gitops-drift.yaml` (from loadRepository): reported as `invalid-config` findings.
   * Errors among them cannot be turned off: a broken config must never read as "no problems".
   */
  configProblems?: readonly Problem[];
}

/** The findings of one lint run, and how much it looked at. */
export interface LintReport {
  /** Sorted by file, line and column; each finding once, however many environments met it. */
  findings: LintFinding[];
  /** Kustomization files checked. */
  kustomizations: number;
  /** Distinct repo files read (by the checks and the renders). */
  files: number;
  /** Environments rendered. */
  environments: number;
}

/** What one environment's render gave: the result, or nothing when it failed (its problems say why). */
interface EnvironmentRender {
  env: RepoEnvironment;
  result: RenderResult | undefined;
  problems: EnvironmentProblem[];
}

/** The static checks' view of one kustomization file. */
interface StaticResult {
  source: KustomizationSource | undefined;
  findings: LintFinding[];
  /** Repo-relative YAML files it lists that exist (resources, patches, replacements, configurations). */
  listedYaml: string[];
}

/** Runs every authoring check over the repo. Never throws for bad input: that is what the findings report. */
export async function lintRepository(options: LintOptions): Promise<LintReport> {
  const repoRoot = options.repoRoot.replace(/\/+$/, '') || '/';
  const files = new LintFiles(options.fs, repoRoot);
  // Renders first: what they read exists and parsed, which spares the static checks most stats and parses.
  const rendering = Promise.all(options.environments.map((env) => renderEnvironment(options, env)));
  const tree = await walkRepo(options.fs, repoRoot);
  const renders = await rendering;
  const rendered = renders.filter((r): r is EnvironmentRender & { result: RenderResult } => r.result !== undefined);
  const known = new KnownPaths(rendered.flatMap((r) => r.result.files));

  const statics = await mapWithConcurrency([...tree.kustomizations], 16, ([dir, file]) =>
    lintKustomization(options.fs, repoRoot, files, known, dir, file),
  );
  const findings = statics.flatMap((s) => s.findings);
  const listed = [...new Set(statics.flatMap((s) => s.listedYaml))];
  for (const parsed of await mapWithConcurrency(
    listed.filter((file) => !known.has(file)),
    16,
    (file) => files.yaml(file),
  )) {
    const malformed = malformedYaml(parsed);
    if (malformed) findings.push(malformed);
  }
  findings.push(...(await secretFindings(files, [...new Set([...tree.yamlFiles, ...listed])])));
  findings.push(...(await imageFindings(files, rendered)));
  findings.push(...(await deprecatedApiFindings(files, rendered)));
  const sources = statics.map((s) => s.source).filter((s): s is KustomizationSource => s !== undefined);
  findings.push(...(await selectorFindings(options, repoRoot, sources, rendered)));
  const renderFindings = await renderProblemFindings(
    renders.flatMap((r) => r.problems),
    (at) => files.rangeAt(at),
  );

  for (const p of options.configProblems ?? []) {
    findings.push({
      code: 'invalid-config',
      severity: p.severity,
      message: p.message,
      range: await files.rangeAt(p.location ?? { file: CONFIG_FILE, line: 0, column: 0 }),
    });
  }

  const disabled = new Set(options.disabled ?? []);
  return {
    findings: sortUnique(mergeRenderFindings(findings, renderFindings)).filter(
      (f) => !disabled.has(f.code) || (f.code === 'invalid-config' && f.severity === 'error'),
    ),
    kustomizations: tree.kustomizations.size,
    files: new Set([...files.read, ...rendered.flatMap((r) => r.result.files)]).size,
    environments: options.environments.length,
  };
}

async function renderEnvironment(options: LintOptions, env: RepoEnvironment): Promise<EnvironmentRender> {
  const at = (problem: Problem): EnvironmentProblem => ({ environment: env.name, problem });
  try {
    const result = await options.render(env);
    // The engine's notice that a plain folder is rendered as Flux does is about the environment, not an authoring problem.
    const problems = result.problems.filter(
      (p) => !(p.severity === 'warning' && p.location?.line === 0 && p.location.file === (env.path || '.')),
    );
    return { env, result, problems: problems.map(at) };
  } catch (e) {
    const problem: Problem =
      e instanceof ProblemError
        ? e.problem
        : {
            severity: 'error',
            message: `render failed: ${e instanceof Error ? e.message : String(e)}`,
            location: { file: env.path || '.', line: 0, column: 0 },
          };
    return { env, result: undefined, problems: [at(problem)] };
  }
}

async function lintKustomization(
  fs: FileSystem,
  repoRoot: string,
  files: LintFiles,
  known: KnownPaths,
  dir: string,
  file: string,
): Promise<StaticResult> {
  const parsed = await files.yaml(file);
  if (parsed.status !== 'parsed') {
    const malformed = malformedYaml(parsed);
    return { source: undefined, findings: malformed ? [malformed] : [], listedYaml: [] };
  }
  const k = kustomizationSource(dir, parsed.yaml);
  const resolved = await resolvePaths(fs, repoRoot, k, pathEntries(k.root), known);
  return {
    source: k,
    findings: [
      ...unknownFields(k),
      ...deprecatedFields(k),
      ...missingPaths(k, resolved),
      ...duplicateResources(k, resolved),
    ],
    listedYaml: resolved.filter((r) => r.entry.yaml && r.stat?.isFile && r.target !== undefined).map((r) => r.target!),
  };
}

/** plaintext-secret over the given YAML files; only files whose text mentions a Secret are parsed. */
async function secretFindings(files: LintFiles, yamlFiles: string[]): Promise<LintFinding[]> {
  const found = await mapWithConcurrency(yamlFiles, 16, async (file) => {
    const text = await files.text(file);
    if (text === undefined || !mayHoldSecret(text)) return [];
    const parsed = await files.yaml(file);
    return parsed.status === 'parsed' ? plaintextSecrets(parsed.yaml) : [];
  });
  return found.flat();
}

/** mutable-image-tag: one finding per place that set a mutable image, naming the environments that render it. */
async function imageFindings(
  files: LintFiles,
  renders: Array<EnvironmentRender & { result: RenderResult }>,
): Promise<LintFinding[]> {
  const byOrigin = new Map<
    string,
    { image: string; at: { file: string; line: number; column: number }; environments: string[] }
  >();
  for (const { env, result } of renders) {
    for (const use of mutableImages(result.objects)) {
      const id = [use.origin.file, use.origin.line, use.origin.column, use.image].join('\0');
      const group = byOrigin.get(id) ?? { image: use.image, at: use.origin, environments: [] };
      if (!group.environments.includes(env.name)) group.environments.push(env.name);
      byOrigin.set(id, group);
    }
  }
  return Promise.all(
    [...byOrigin.values()].map(async ({ image, at, environments }) =>
      mutableImageFinding(image, environments, await files.rangeAt(at)),
    ),
  );
}

/** deprecated-field in Kubernetes objects: one finding per place that set a deprecated field, whichever environments render it. */
async function deprecatedApiFindings(
  files: LintFiles,
  renders: Array<{ result: RenderResult }>,
): Promise<LintFinding[]> {
  const byOrigin = new Map<string, ReturnType<typeof deprecatedApiUses>[number]>();
  for (const { result } of renders) {
    for (const use of deprecatedApiUses(result.objects))
      byOrigin.set([use.origin.file, use.origin.line, use.origin.column, use.kind, use.path].join('\0'), use);
  }
  return Promise.all(
    [...byOrigin.values()].map(async (use) => deprecatedApiFinding(use, await files.keyRangeAt(use.origin, use.field))),
  );
}

/**
 * selector-label: the environments' renders show which labels reached an immutable selector (with the line that
 * declared them); kustomizations no successful render read, and which add selector labels, are rendered on their own.
 */
async function selectorFindings(
  options: LintOptions,
  repoRoot: string,
  sources: KustomizationSource[],
  renders: Array<{ result: RenderResult }>,
): Promise<LintFinding[]> {
  const labels: SelectorLabel[] = renders.flatMap((r) => selectorLabelsOf(r.result.objects));
  const covered = new Set(renders.flatMap((r) => r.result.files));
  const candidates = sources.filter(addsSelectorLabels);
  const unreached = candidates.filter((k) => !covered.has(k.file) && k.root?.get('kind') !== 'Component');
  if (unreached.length) {
    const cache = createParseCache();
    const renderDirectory =
      options.renderDirectory ?? ((dir: string) => renderKustomization(dir, { fs: options.fs, repoRoot, cache }));
    for (const k of unreached) {
      // A base that does not render on its own says nothing here (an environment's render reports its errors).
      const result = await renderDirectory(k.dir || '.').catch(() => undefined);
      if (result) labels.push(...selectorLabelsOf(result.objects));
    }
  }
  return candidates.map((k) => selectorLabelFinding(k, labels)).filter((f): f is LintFinding => f !== undefined);
}

/**
 * Adds the render findings that say something the static checks did not: a render problem on a line where a static
 * check already reported an error (a missing file, an unknown field, malformed YAML) is that finding; the same code
 * on the same line is one finding, an error when the render failed on it.
 */
function mergeRenderFindings(statics: LintFinding[], renders: LintFinding[]): LintFinding[] {
  const byLine = new Map<string, LintFinding[]>();
  for (const f of statics) {
    const id = `${f.range.file}:${f.range.line}`;
    byLine.set(id, [...(byLine.get(id) ?? []), f]);
  }
  const out = [...statics];
  for (const f of renders) {
    const here = byLine.get(`${f.range.file}:${f.range.line}`) ?? [];
    const same = here.find((s) => s.code === f.code);
    if (same) {
      if (f.severity === 'error') same.severity = 'error';
      continue;
    }
    if (f.severity === 'error' && here.some((s) => s.severity === 'error')) continue;
    out.push(f);
  }
  return out;
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted by file, line, column (then end, code, message), each code+range+message once. */
function sortUnique(findings: LintFinding[]): LintFinding[] {
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const id = [f.code, f.range.file, f.range.line, f.range.column, f.range.endLine, f.range.endColumn, f.message].join(
      '\0',
    );
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return unique.sort(
    (a, b) =>
      compare(a.range.file, b.range.file) ||
      a.range.line - b.range.line ||
      a.range.column - b.range.column ||
      a.range.endLine - b.range.endLine ||
      a.range.endColumn - b.range.endColumn ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}
