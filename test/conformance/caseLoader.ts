import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Where the conformance cases live: one directory per case, each a small config repo. */
export const casesDir = join(__dirname, 'cases');

/** What a bad-input case expects our renderer to report. */
export interface ExpectedError {
  /** Repo-relative file the ProblemError must point at. */
  file: string;
  /** 1-based line it must point at; omitted when only the file is pinned. */
  line?: number;
  /**
   * Whether the real kustomize also fails. `false` marks a deliberate divergence (e.g. we never read outside the
   * repo root, while kustomize follows a directory reference anywhere).
   */
  kustomizeFails: boolean;
}

/** What an unsupported-feature case expects: a diagnostic (warning or error) naming the field, at its line. */
export interface ExpectedUnsupported {
  file: string;
  line: number;
  /** Text the message must contain (the field name). */
  mentions: string;
  /** Whether to run kustomize (false for remote resources: the suite never reaches the network). */
  runKustomize: boolean;
  /** Whether kustomize (default options) refuses the input too; false when it supports what we only report. */
  kustomizeFails: boolean;
  /** A file the case's plugin would create if anything executed it; it must never appear. */
  sentinel?: string;
}

/** One conformance case, read from `cases/<name>/case.yaml`. */
export interface ConformanceCase {
  name: string;
  description: string;
  /** Absolute path of the case's repo root (the case directory, or `repoRoot` inside it). */
  repoRoot: string;
  /** Kustomization roots to render, relative to `repoRoot` (`root:` takes one path or a list). */
  roots: string[];
  error?: ExpectedError;
  unsupported?: ExpectedUnsupported;
  /** Warnings a render case must report (`file:line`), and no others: a valid repo gets no spurious diagnostics. */
  warnings: string[];
  /** `exactText: true`: `gitops-drift render` must print kustomize's output byte for byte, not only the same objects. */
  exactText: boolean;
}

/** Reads every case; a malformed case.yaml fails loudly rather than silently dropping the case. */
export function loadCases(): ConformanceCase[] {
  return readdirSync(casesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map(loadCase);
}

function loadCase(name: string): ConformanceCase {
  const specPath = join(casesDir, name, 'case.yaml');
  if (!existsSync(specPath)) throw new Error(`conformance case ${name}: missing case.yaml`);
  const spec = parse(readFileSync(specPath, 'utf8')) as Record<string, unknown> | null;
  if (!spec || typeof spec.description !== 'string') throw new Error(`${specPath}: needs a description`);
  const repoRoot = join(casesDir, name, typeof spec.repoRoot === 'string' ? spec.repoRoot : '.');
  const roots =
    spec.root === undefined ? ['.'] : Array.isArray(spec.root) ? spec.root.map(String) : [String(spec.root)];
  for (const root of roots)
    if (!existsSync(join(repoRoot, root))) throw new Error(`${specPath}: root ${root} does not exist`);
  const warnings = Array.isArray(spec.warnings) ? spec.warnings.map(String) : [];
  const c: ConformanceCase = {
    name,
    description: spec.description,
    repoRoot,
    roots,
    warnings,
    exactText: spec.exactText === true,
  };
  if (spec.error !== undefined) {
    const e = spec.error as Record<string, unknown>;
    if (roots.length !== 1) throw new Error(`${specPath}: a bad-input case names exactly one root`);
    if (typeof e.file !== 'string') throw new Error(`${specPath}: error.file must name the file the problem points at`);
    c.error = {
      file: e.file,
      line: typeof e.line === 'number' ? e.line : undefined,
      kustomizeFails: e.kustomizeFails !== false,
    };
  }
  if (spec.unsupported !== undefined) {
    const u = spec.unsupported as Record<string, unknown>;
    if (typeof u.file !== 'string' || typeof u.line !== 'number' || typeof u.mentions !== 'string') {
      throw new Error(`${specPath}: unsupported needs file, line and mentions`);
    }
    c.unsupported = {
      file: u.file,
      line: u.line,
      mentions: u.mentions,
      runKustomize: u.runKustomize !== false,
      kustomizeFails: u.kustomizeFails !== false,
      sentinel: typeof u.sentinel === 'string' ? u.sentinel : undefined,
    };
  }
  return c;
}
