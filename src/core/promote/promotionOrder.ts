import { stageRank } from '../repo/promotion';

/**
 * The environment to promote `from` into: the next stage of the first promotion chain that has one. Environments of
 * one stage stand side by side (`prod-eu`, `prod-us`), never one after the other: the next stage's environment of the
 * same region when there is one (`staging-eu` → `prod-eu`), else its first.
 */
export function nextEnvironment(chains: string[][], from: string): string | undefined {
  for (const chain of chains) {
    const i = chain.indexOf(from);
    if (i < 0) continue;
    const later = chain.slice(i + 1).filter((n) => !sameStage(n, from));
    if (!later.length) continue;
    const stage = later.filter((n) => sameStage(n, later[0]) || n === later[0]);
    return stage.find((n) => sharesRegion(n, from)) ?? later[0];
  }
  return undefined;
}

/**
 * The environments of the stages before `env` (in every chain that holds it), in promotion order: what a release
 * went through before reaching `env`. Its own stage's siblings are not earlier.
 */
export function earlierStages(chains: string[][], env: string): string[] {
  const out: string[] = [];
  for (const chain of chains) {
    const i = chain.indexOf(env);
    if (i < 0) continue;
    for (const n of chain.slice(0, i)) if (!sameStage(n, env) && !out.includes(n)) out.push(n);
  }
  return out;
}

function sameStage(a: string, b: string): boolean {
  const [x, y] = [stageRank(a), stageRank(b)];
  return x !== undefined && x === y;
}

/** Name tokens that are not stage words (`eu` of `staging-eu`). */
function regionTokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t && stageRank(t) === undefined);
}

function sharesRegion(a: string, b: string): boolean {
  const theirs = regionTokens(b);
  return regionTokens(a).some((t) => theirs.includes(t));
}
