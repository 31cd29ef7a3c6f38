import type { Environment } from '../model/environment';

/** Stage words by rank: changes flow from lower to higher. */
const STAGES: [number, string[]][] = [
  [0, ['local', 'sandbox', 'dev', 'develop', 'development']],
  [1, ['test', 'testing', 'qa', 'int', 'integration', 'ci']],
  [2, ['staging', 'stage', 'stg', 'preprod', 'uat']],
  [3, ['prod', 'production', 'prd', 'live']],
];
const RANK = new Map(STAGES.flatMap(([rank, words]) => words.map((w) => [w, rank] as const)));

/** The stage rank of an environment name (`prod-eu` → 3), undefined when no token names a stage. */
export function stageRank(name: string): number | undefined {
  const tokens = name.toLowerCase().split(/[^a-z0-9]+/);
  let rank: number | undefined;
  // The highest stage word wins: `shop/dev` is dev, `prod/eu-dev-tools` is prod.
  for (const t of tokens) if (RANK.has(t)) rank = Math.max(rank ?? 0, RANK.get(t)!);
  return rank;
}

/**
 * Promotion chains inferred from names (dev < test < staging < prod): environments are grouped by `groupOf`
 * (default: the folder holding them, so siblings such as `envs/dev` and `envs/prod` form one chain); groups with
 * fewer than two staged
 * environments give no chain. Equal ranks (e.g. `prod-eu`, `prod-us`) keep name order.
 */
export function inferPromotion(
  environments: Environment[],
  groupOf: (env: Environment) => string = (e) => e.path.slice(0, Math.max(0, e.path.lastIndexOf('/'))),
): string[][] {
  const groups = new Map<string, { name: string; rank: number }[]>();
  for (const env of environments) {
    // `prod/eu` ranks as prod; `shop/dev` as dev.
    const rank = stageRank(env.name) ?? stageRank(env.path.split('/').pop() ?? '');
    if (rank === undefined) continue;
    const group = groupOf(env);
    groups.set(group, [...(groups.get(group) ?? []), { name: env.name, rank }]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, members]) => members.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : 1)).map((m) => m.name))
    .filter((chain) => chain.length > 1);
}
