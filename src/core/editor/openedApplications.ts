/**
 * The Argo CD Applications opened in the tree, per destination (a destination opened one Application at a time:
 * fleetShape.ts opensByApplication), as the editor keeps them across windows: in the workspace's state, keyed by repo,
 * environment and application. A reopened window reads them at once, as the rows the workbench restores expanded.
 */

/** The workspace-state value: repo root → environment → the applications opened there. */
export type SavedOpenedApplications = Record<string, Record<string, string[]>>;

/** The applications opened per environment of one repo. */
export class OpenedApplications {
  private readonly byEnvironment = new Map<string, Set<string>>();

  /** This repo's entries of a saved value (anything unreadable: none). */
  constructor(
    saved: unknown,
    private readonly repoRoot: string,
  ) {
    const mine = isRecord(saved) ? saved[repoRoot] : undefined;
    if (!isRecord(mine)) return;
    for (const [env, apps] of Object.entries(mine))
      if (Array.isArray(apps)) {
        const names = apps.filter((a): a is string => typeof a === 'string');
        if (names.length) this.byEnvironment.set(env, new Set(names));
      }
  }

  /** The applications opened in `env`. */
  of(env: string): ReadonlySet<string> {
    return this.byEnvironment.get(env) ?? new Set();
  }

  /** Opens `apps` of `env`; returns those not opened before. */
  add(env: string, apps: readonly string[]): string[] {
    const opened = this.byEnvironment.get(env) ?? new Set<string>();
    this.byEnvironment.set(env, opened);
    const added = apps.filter((a) => !opened.has(a));
    for (const a of added) opened.add(a);
    return added;
  }

  /** Forgets `apps` of `env` (a read cancelled before it ended): opening them again reads them. */
  forget(env: string, apps: Iterable<string>): void {
    const opened = this.byEnvironment.get(env);
    if (!opened) return;
    for (const a of apps) opened.delete(a);
    if (!opened.size) this.byEnvironment.delete(env);
  }

  /**
   * Forgets what the repo no longer has: environments not in `environments`, applications not in theirs. Returns
   * whether anything was forgotten.
   */
  prune(environments: readonly { name: string; applications: readonly { name: string }[] }[]): boolean {
    const apps = new Map(environments.map((e) => [e.name, new Set(e.applications.map((a) => a.name))]));
    let pruned = false;
    for (const [env, opened] of this.byEnvironment) {
      const there = apps.get(env);
      for (const a of opened)
        if (!there?.has(a)) {
          opened.delete(a);
          pruned = true;
        }
      if (!opened.size) this.byEnvironment.delete(env);
    }
    return pruned;
  }

  /** `saved` (the workspace state's value, other repos' entries kept) with this repo's entries as they are now. */
  saved(saved: unknown): SavedOpenedApplications {
    const others: SavedOpenedApplications = {};
    if (isRecord(saved))
      for (const [root, envs] of Object.entries(saved))
        if (root !== this.repoRoot && isRecord(envs)) others[root] = envs as Record<string, string[]>;
    const mine = Object.fromEntries([...this.byEnvironment].map(([env, apps]) => [env, [...apps].sort()]));
    return Object.keys(mine).length ? { ...others, [this.repoRoot]: mine } : others;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
