/** Repos in memory for the lint tests, and findings as one comparable line each. */
import { folderApplication } from '../../../src/core/model/environment';
import { lintRepository, type LintOptions, type LintReport } from '../../../src/core/authoring/lint';
import type { LintFinding } from '../../../src/core/authoring/finding';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';

/** Where the in-memory repos live. */
export const REPO_ROOT = '/repo';

/** Lints an in-memory repo whose environments are the given folders (named by their last segment). */
export async function lintFiles(
  files: Record<string, string>,
  environmentPaths: string[] = [],
  options: Partial<LintOptions> = {},
): Promise<LintReport> {
  const fs = new MemoryFileSystem(files, REPO_ROOT);
  const environments: RepoEnvironment[] = environmentPaths.map((path) => ({
    name: path.split('/').pop()!,
    path,
    source: 'config',
    applications: [folderApplication(path.split('/').pop()!, path)],
  }));
  return lintRepository({
    fs,
    repoRoot: REPO_ROOT,
    environments,
    render: (env) => renderKustomization(env.path, { fs, repoRoot: REPO_ROOT }),
    ...options,
  });
}

/** `file:line:col-endLine:endCol severity code: message`, the whole finding on one line. */
export function show(findings: readonly LintFinding[]): string[] {
  return findings.map(
    (f) =>
      `${f.range.file}:${f.range.line}:${f.range.column}-${f.range.endLine}:${f.range.endColumn} ${f.severity} ${f.code}: ${f.message}`,
  );
}

/** The shown findings of an in-memory repo. */
export async function lintShown(files: Record<string, string>, environmentPaths: string[] = []): Promise<string[]> {
  return show((await lintFiles(files, environmentPaths)).findings);
}
