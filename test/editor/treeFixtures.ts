/** Checked environments for the Environments view, without a cluster: what the tree tests build their views from. */
import type { EnvironmentReport } from '../../src/core/engine';
import type { ResourceKey } from '../../src/core/model/resource';
import type { RepoEnvironment } from '../../src/core/repo/config';
import type { DriftStore, EnvironmentEntry } from '../../src/vscode/driftStore';

/** A key in namespace `shop` (Deployments in `apps`, the rest in the core group). */
export const shopKey = (kind: string, name: string): ResourceKey => ({
  group: kind === 'Deployment' ? 'apps' : '',
  kind,
  namespace: 'shop',
  name,
});

/** A store holding checked environments (the tree provider reads nothing else from it). */
export function storeOf(entries: EnvironmentEntry[]): DriftStore {
  const never = () => ({ dispose() {} });
  return {
    repoRoot: '/repo',
    loaded: true,
    entries,
    entry: (name: string) => entries.find((e) => e.env.name === name),
    opensByApplication: () => false,
    readsWhenOpened: () => false,
    onDidChange: never,
  } as unknown as DriftStore;
}

/** An environment with a report: empty but for what `report` gives. */
export function checkedEntry(env: RepoEnvironment, report: Partial<EnvironmentReport>): EnvironmentEntry {
  const base: EnvironmentReport = {
    name: env.name,
    path: env.path,
    context: 'kind',
    error: null,
    resources: [],
    problems: [],
    timings: { render: 0, live: 0, reconcile: 0 },
    applications: [],
  };
  return { env, checking: false, report: { ...base, ...report } };
}
