import { strict as assert } from 'node:assert';
import { UsageError } from '../../../src/cli/command';
import { checkEnvironments, namespacesToForget } from '../../../src/cli/commands/driftCommon';
import type { EnvironmentReport, LiveSource } from '../../../src/core/engine';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';

const environment = (name: string, namespace?: string, appNamespaces: string[] = []): RepoEnvironment => ({
  name,
  path: `envs/${name}`,
  source: 'config',
  ...(namespace !== undefined ? { namespace } : {}),
  applications: [
    folderApplication(name, `envs/${name}`),
    ...appNamespaces.map((ns) => ({ ...folderApplication(`${name}-${ns}`, `apps/${ns}`), namespace: ns })),
  ],
});

const report = (env: RepoEnvironment, context: string): EnvironmentReport => ({
  name: env.name,
  path: env.path,
  context,
  error: null,
  resources: [],
  problems: [],
  timings: { render: 0, live: 0, reconcile: 0 },
  applications: [],
});

/**
 * An engine and live sources whose checks each wait for the test to finish them (`finish(name)`), recording how
 * many are in flight at once and what is released after each.
 */
function fakes(fail: Record<string, unknown> = {}, clusters: Record<string, string> = {}, gone = new Set<string>()) {
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  const released: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const engine = {
    async check(env: RepoEnvironment, live: LiveSource): Promise<EnvironmentReport> {
      started.push(env.name);
      // A reachable cluster answers the check's first LIST before the check ends.
      if (!gone.has(live.context)) await live.reader.list({ group: '', version: 'v1', kind: 'ConfigMap' } as never, '');
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise<void>((resolve) => gates.set(env.name, resolve));
      inFlight--;
      if (env.name in fail) throw fail[env.name];
      if (gone.has(live.context))
        return { ...report(env, live.context), error: `${live.context}: connection refused`, noCluster: true };
      return report(env, live.context);
    },
    async checkWithoutCluster(env: RepoEnvironment, context: string, cause: string): Promise<EnvironmentReport> {
      started.push(`${env.name} without cluster`);
      return { ...report(env, context), error: cause, noCluster: true };
    },
    releaseRenders(env: RepoEnvironment, stillToCheck: readonly RepoEnvironment[]): void {
      released.push(`renders of ${env.name}, keeping ${stillToCheck.map((e) => e.name).join(',') || 'none'}`);
    },
  };
  const sources = {
    async forEnvironment(env: RepoEnvironment): Promise<LiveSource> {
      const reader = { list: async () => ({ items: [] }) } as never;
      return { reader, context: clusters[env.name] ?? `ctx-${env.name}` };
    },
    clusterOf(env: RepoEnvironment): string | undefined {
      return clusters[env.name] ?? `ctx-${env.name}`;
    },
    async release(env: RepoEnvironment, stillToCheck: readonly RepoEnvironment[]): Promise<void> {
      released.push(`lists of ${env.name}, keeping ${stillToCheck.map((e) => e.name).join(',') || 'none'}`);
    },
  };
  /** Lets the promise chains run until the named check waits at its gate, then lets it end. */
  const finish = async (name: string) => {
    for (let i = 0; i < 100 && !gates.has(name); i++) await new Promise((resolve) => setImmediate(resolve));
    const open = gates.get(name);
    assert.ok(open, `${name} was never started`);
    open();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { engine, sources, finish, started, released, mostInFlight: () => mostInFlight };
}

describe('checkEnvironments (the CLI check: a few environments at a time)', () => {
  it('keeps at most `limit` environments in flight and returns the reports in input order', async () => {
    const envs = ['a', 'b', 'c', 'd', 'e'].map((n) => environment(n));
    const f = fakes();
    const checking = checkEnvironments(f.engine, envs, f.sources, {}, 2);
    // Finished out of order: c before a, e before d.
    await f.finish('b');
    await f.finish('c');
    await f.finish('a');
    await f.finish('e');
    await f.finish('d');
    const reports = await checking;
    assert.deepEqual(
      reports.map((r) => `${r.name} ${r.context}`),
      ['a ctx-a', 'b ctx-b', 'c ctx-c', 'd ctx-d', 'e ctx-e'],
    );
    assert.equal(f.mostInFlight(), 2);
    assert.deepEqual(f.started, ['a', 'b', 'c', 'd', 'e']);
  });

  it('releases what each environment kept once its report is made, keeping what the unfinished ones need', async () => {
    const envs = ['a', 'b', 'c'].map((n) => environment(n));
    const f = fakes();
    const checking = checkEnvironments(f.engine, envs, f.sources, {}, 2);
    await f.finish('b');
    await f.finish('a');
    await f.finish('c');
    await checking;
    assert.deepEqual(f.released, [
      'renders of b, keeping a,c',
      'lists of b, keeping a,c',
      'renders of a, keeping c',
      'lists of a, keeping c',
      'renders of c, keeping none',
      'lists of c, keeping none',
    ]);
  });

  it('an environment whose check throws gets that as its error; the others are still checked and reported', async () => {
    const envs = ['a', 'b', 'c'].map((n) => environment(n));
    const f = fakes({ a: new Error('socket hang up') });
    const checking = checkEnvironments(f.engine, envs, f.sources, {}, 1);
    await f.finish('a');
    await f.finish('b');
    await f.finish('c');
    const reports = await checking;
    assert.deepEqual(
      reports.map((r) => [r.name, r.error]),
      [
        ['a', 'checking failed: socket hang up'],
        ['b', null],
        ['c', null],
      ],
    );
    assert.deepEqual(f.started, ['a', 'b', 'c']);
  });

  it('after one environment finds its cluster unreachable, the later ones on it get that error without asking', async () => {
    const envs = ['a', 'b', 'c', 'd'].map((n) => environment(n));
    const f = fakes({}, { a: 'gone', b: 'gone', c: 'east', d: 'gone' }, new Set(['gone']));
    const checking = checkEnvironments(f.engine, envs, f.sources, {}, 1);
    await f.finish('a');
    await f.finish('c');
    const reports = await checking;
    assert.deepEqual(f.started, ['a', 'b without cluster', 'c', 'd without cluster']);
    assert.deepEqual(
      reports.map((r) => [r.name, r.context, r.error, r.noCluster ?? false]),
      [
        ['a', 'gone', 'gone: connection refused', true],
        ['b', 'gone', 'gone: connection refused', true],
        ['c', 'east', null, false],
        ['d', 'gone', 'gone: connection refused', true],
      ],
    );
  });

  it('a cluster not heard from yet holds one slot: the other clusters are checked while it keeps one waiting', async () => {
    const envs = ['a', 'b', 'c', 'd'].map((n) => environment(n));
    const f = fakes({}, { a: 'gone', b: 'gone', c: 'east', d: 'west' }, new Set(['gone']));
    const checking = checkEnvironments(f.engine, envs, f.sources, {}, 2);
    // While a still waits on its cluster, b (the same cluster) waits outside the slots, and c and d are checked.
    await f.finish('c');
    await f.finish('d');
    assert.deepEqual(f.started, ['a', 'c', 'd']);
    await f.finish('a');
    const reports = await checking;
    assert.deepEqual(f.started, ['a', 'c', 'd', 'b without cluster']);
    assert.deepEqual(
      reports.map((r) => [r.name, r.error]),
      [
        ['a', 'gone: connection refused'],
        ['b', 'gone: connection refused'],
        ['c', null],
        ['d', null],
      ],
    );
  });

  it('once a cluster answered a LIST, its next environment starts without waiting for the first to end', async () => {
    const envs = ['a', 'b', 'c'].map((n) => environment(n));
    const f = fakes({}, { a: 'east', b: 'east', c: 'east' });
    const checking = checkEnvironments(f.engine, envs, f.sources, {}, 2);
    // b ends while a is still in flight: it started as soon as east answered a's first LIST.
    await f.finish('b');
    assert.deepEqual(f.started, ['a', 'b', 'c']);
    await f.finish('a');
    await f.finish('c');
    await checking;
    assert.equal(f.mostInFlight(), 2);
  });

  it('bad usage still ends the whole run', async () => {
    const envs = ['a', 'b'].map((n) => environment(n));
    const f = fakes({ a: new UsageError('cannot read --live-from x.json: no such file') });
    const rejected = assert.rejects(checkEnvironments(f.engine, envs, f.sources, {}, 1), /cannot read --live-from/);
    await f.finish('a');
    await rejected;
    assert.deepEqual(f.started, ['a']);
  });
});

describe('namespacesToForget (which kept LISTs an environment checked can let go)', () => {
  it("an environment's own namespaces and its applications', unless an environment still to check owns them", () => {
    const done = environment('dev', 'shop-dev', ['monitoring', 'ingress']);
    const still = [environment('stage', 'shop-stage', ['monitoring'])];
    assert.deepEqual(namespacesToForget(done, still, 'default'), ['shop-dev', 'ingress']);
    assert.deepEqual(namespacesToForget(done, [], 'default'), ['shop-dev', 'monitoring', 'ingress']);
  });

  it("environments naming no namespace own the context's; one still to check keeps it", () => {
    const a = environment('a');
    const b = environment('b');
    assert.deepEqual(namespacesToForget(a, [b], 'team'), []);
    assert.deepEqual(namespacesToForget(a, [], 'team'), ['team']);
    assert.deepEqual(namespacesToForget(a, [], undefined), ['default']);
  });
});
