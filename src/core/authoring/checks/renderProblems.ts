/**
 * `render-error`, `render-warning` and the render's own `patch-no-match` / `duplicate-resource`: what each
 * environment's render reported, one finding per problem however many environments met it.
 */
import type { SourceLocation } from '../../model/location';
import type { Problem } from '../../model/problem';
import type { LintCode } from '../../model/lintCodes';
import type { LintFinding, LintRange } from '../finding';

/** Codes the renderer tags its problems with (Problem.code) that are lint codes of their own. */
const RENDER_CODES = new Set<string>([
  'patch-no-match',
  'duplicate-resource',
  'missing-path',
  'path-outside-repo',
  'unknown-field',
  'malformed-yaml',
]);

/** A problem met while rendering one environment. */
export interface EnvironmentProblem {
  environment: string;
  problem: Problem;
}

/** The lint code of a render problem: its own code when it has one, else render-error or render-warning. */
export function renderProblemCode(problem: Problem): LintCode {
  if (problem.code && RENDER_CODES.has(problem.code)) return problem.code as LintCode;
  return problem.severity === 'error' ? 'render-error' : 'render-warning';
}

/**
 * One finding per distinct problem (code, place and message), its message prefixed with the environments that met
 * it (`dev, prod: resource 'x' not found`), on the span `rangeAt` finds for the problem's location.
 */
export async function renderProblemFindings(
  problems: readonly EnvironmentProblem[],
  rangeAt: (at: SourceLocation) => Promise<LintRange>,
): Promise<LintFinding[]> {
  const groups = new Map<string, { problem: Problem; code: LintCode; environments: string[] }>();
  for (const { environment, problem } of problems) {
    const at = problem.location;
    const code = renderProblemCode(problem);
    const id = [code, problem.severity, at?.file, at?.line, at?.column, problem.message].join('\0');
    const group = groups.get(id) ?? { problem, code, environments: [] };
    if (!group.environments.includes(environment)) group.environments.push(environment);
    groups.set(id, group);
  }
  return Promise.all(
    [...groups.values()].map(async ({ problem, code, environments }) => ({
      code,
      severity: problem.severity,
      message: `${environments.join(', ')}: ${problem.message}`,
      range: await rangeAt(problem.location ?? { file: '.', line: 0, column: 0 }),
      ...(problem.fix ? { fix: problem.fix } : {}),
    })),
  );
}
