/**
 * Argo CD at fleet shape, with in-memory clusters that count their requests: Applications live in the cluster that
 * runs Argo CD (hub), their objects in the destination cluster (prod). Destinations resolve at load (the engine's
 * kubeContexts); each Application's status is read from the hub with one LIST for all of them; `controllerStatus`
 * reads no live object, and `check` of one environment reads only that environment's objects.
 */
import assert from 'node:assert/strict';
import { DriftEngine, type EnvironmentReport, type LiveSource } from '../../../src/core/engine';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { SharedListReader } from '../../../src/core/live/sharedLists';
import { ArgoCdSession } from '../../../src/core/live/argoCdReader';
import { argoApplicationsOf } from '../../../src/core/live/argoApplication';
import type { ArgoCdApi } from '../../../src/core/ports';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { KubeObject } from '../../../src/core/model/resource';
import { statusInArgoCdCluster } from '../../../src/core/repo/argoDestinations';
import {
  argoApplicationCount,
  fleetRead,
  joinApplicationChecks,
  readCost,
  readsStatusOnly,
} from '../../../src/core/editor/fleetShape';
import { FakeClusterReader, live } from '../live/fakeClusterReader';

const APPS = 40;

/** Each Application's destination namespace and source folder (by default its own namespace, the one folder). */
interface Layout {
  namespace(i: number): string;
  path(i: number): string;
}

const OWN_NAMESPACES: Layout = { namespace: (i) => `shop-${i}`, path: () => 'shop' };

const applicationFile = (i: number, destination: string, layout: Layout) =>
  `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop-${i}
  namespace: argocd
spec:
  project: default
  source:
    path: ${layout.path(i)}
  destination:
    ${destination}
    namespace: ${layout.namespace(i)}
`;

const configMap = (ns: string, level: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: ns },
  data: { level },
});

/** An Application as Argo CD's controller leaves it: Synced and Healthy, with its one object. */
const liveApplication = (i: number, sync = 'Synced'): KubeObject =>
  live(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: `shop-${i}`, namespace: 'argocd' },
      spec: { destination: { server: 'https://prod.example.com', namespace: `shop-${i}` } },
      status: {
        sync: { status: sync },
        health: { status: 'Healthy' },
        resources: [{ version: 'v1', kind: 'ConfigMap', namespace: `shop-${i}`, name: 'settings', status: sync }],
      },
    },
    '7',
  );

function setUp(
  destination = 'server: https://PROD.example.com:443/',
  grouping: 'application' | 'cluster' = 'application',
  layout: Layout = OWN_NAMESPACES,
) {
  const files: Record<string, string> = {
    '/r/shop/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n',
    // One environment per Application (the opt-out) unless `cluster`: most tests count what is read per Application's
    // environment; the destination ones what is read for one environment of all 40.
    '/r/.gitops-drift.yaml': `argocd:\n  inClusterContext: hub\n  environments: ${grouping}\n`,
  };
  for (let i = 0; i < APPS; i++) {
    files[`/r/apps/shop-${i}.yaml`] = applicationFile(i, destination, layout);
    // A folder of its own: each Application's one ConfigMap under its own name.
    if (layout.path(i) !== 'shop')
      files[`/r/${layout.path(i)}/settings.yaml`] =
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-${i}\ndata:\n  level: info\n`;
  }
  let kubeconfigReads = 0;
  const fs = new MemoryFileSystem(files);
  const engine = new DriftEngine({
    fs,
    repoRoot: '/r',
    kubeContexts: () => {
      kubeconfigReads++;
      return Promise.resolve([
        { name: 'hub', server: 'https://hub.example.com' },
        { name: 'prod', server: 'https://prod.example.com' },
      ]);
    },
  });
  const hub = new FakeClusterReader();
  hub.types.push({
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Application',
    resource: 'applications',
    namespaced: true,
    verbs: ['list', 'watch'],
  });
  hub.data.set(
    'applications/argocd',
    Array.from({ length: APPS }, (_, i) => liveApplication(i, i === 3 ? 'OutOfSync' : 'Synced')),
  );
  const prod = new FakeClusterReader();
  for (let i = 0; i < APPS; i++)
    prod.data.set(`configmaps/shop-${i}`, [live(configMap(`shop-${i}`, i === 3 ? 'debug' : 'info'), '5')]);
  // As the CLI shares a run's LISTs per context: the hub's Applications are listed once for every environment.
  const hubShared = new SharedListReader(hub);
  const prodSource: LiveSource = {
    reader: new SharedListReader(prod),
    context: 'prod',
    argoCd: { context: 'hub', source: () => Promise.resolve({ reader: hubShared }) },
  };
  // As the editor reads without watch: each check LISTs again (what a check reads is what it costs).
  const editorSource: LiveSource = { ...prodSource, reader: prod };
  return { engine, fs, hub, prod, prodSource, editorSource, kubeconfigReads: () => kubeconfigReads };
}

const applicationLists = (reader: FakeClusterReader) => reader.lists.filter((l) => l.startsWith('applications/'));

/**
 * Argo CD's API over the hub's Applications: each Application's managed resources are its one ConfigMap, live as in
 * git; every call is written to `calls`.
 */
function countingArgoCdApi(hub: FakeClusterReader, calls: string[]): ArgoCdApi {
  return {
    server: 'argocd.example.com',
    applications: () => {
      calls.push('GET /api/v1/applications');
      return Promise.resolve(hub.data.get('applications/argocd')!);
    },
    managedResources: (name) => {
      calls.push(`managed-resources ${name}`);
      const i = Number(name.split('-')[1]);
      const cm = JSON.stringify(configMap(`shop-${i}`, 'info'));
      return Promise.resolve([
        { group: '', kind: 'ConfigMap', namespace: `shop-${i}`, name: 'settings', targetState: cm, liveState: cm },
      ]);
    },
  };
}

/** The destination `prod.example.com`, read through Argo CD's API with every API call counted in `calls`. */
async function destinationThroughArgoCdApi() {
  const { engine, hub } = setUp(undefined, 'cluster');
  const repo = await engine.load();
  const env = repo.environments.find((e) => e.name === 'prod.example.com')!;
  const calls: string[] = [];
  const session = new ArgoCdSession(countingArgoCdApi(hub, calls));
  return { engine, env, calls, session };
}

describe('Argo CD at fleet shape: status from the cluster that runs Argo CD, objects when opened', () => {
  it('resolves each destination to its kube context at load, once, and marks whose status is read elsewhere', async () => {
    const { engine, kubeconfigReads } = setUp();
    const repo = await engine.load();
    const apps = repo.environments.filter((e) => e.source === 'argocd' && !e.appOfAppsRoot);
    assert.equal(apps.length, APPS);
    assert.deepEqual([...new Set(apps.map((e) => e.context))], ['prod']);
    assert.ok(apps.every(statusInArgoCdCluster));
    assert.equal(kubeconfigReads(), 1);
    // In-cluster (and a destination not known) is read where it deploys: with one Argo CD per cluster, its own.
    assert.equal(
      statusInArgoCdCluster({ argoDestination: { server: 'https://kubernetes.default.svc', at: apps[0].definedAt! } }),
      false,
    );
    assert.equal(statusInArgoCdCluster({ argoDestination: { name: 'in-cluster', at: apps[0].definedAt! } }), false);
    assert.equal(statusInArgoCdCluster({}), false);
  });

  it(`reads ${APPS} Applications' status with one LIST of the hub and no object, then one application's objects when opened`, async () => {
    const { engine, hub, prod, prodSource } = setUp();
    await engine.load();
    const envs = (await engine.repo()).environments.filter((e) => e.source === 'argocd' && !e.appOfAppsRoot);
    const statuses = await Promise.all(envs.map((env) => engine.controllerStatus(env, prodSource)));
    // Before opening: the fleet cost one request, to the hub.
    assert.deepEqual(applicationLists(hub), ['applications/argocd']);
    assert.deepEqual(prod.lists, [], 'no live object read before an application is opened');
    for (const r of statuses) {
      assert.equal(r.statusOnly, true);
      assert.ok(r.resources.length > 0 && r.resources.every((x) => x.verdict === 'NotChecked'));
      const argo = r.applications[0].controller?.argo;
      assert.equal(argo?.context, 'hub', r.name);
      // Objects not read: nothing to agree or disagree with.
      assert.deepEqual(argo?.disagreements, [], r.name);
    }
    const three = statuses.find((r) => r.name === 'shop-3')!;
    assert.equal(three.applications[0].controller?.argo?.sync, 'OutOfSync');
    assert.equal(statuses.find((r) => r.name === 'shop-7')!.applications[0].controller?.argo?.sync, 'Synced');

    // Opening shop-3: its objects from prod (one LIST of its namespace), its status from the hub's list already made.
    const opened = await engine.check(
      envs.find((e) => e.name === 'shop-3')!,
      prodSource,
    );
    assert.deepEqual(prod.lists, ['configmaps/shop-3']);
    assert.deepEqual(applicationLists(hub), ['applications/argocd']);
    assert.equal(opened.statusOnly, undefined);
    assert.equal(opened.resources[0].verdict, 'Drifted');
    assert.equal(opened.applications[0].controller?.argo?.sync, 'OutOfSync');
    assert.equal(opened.applications[0].controller?.argo?.context, 'hub');
  });

  it("through Argo CD's API: one GET of the Applications for the fleet, one application's managed resources when opened", async () => {
    const { engine, hub } = setUp();
    await engine.load();
    const calls: string[] = [];
    const api: ArgoCdApi = {
      server: 'argocd.example.com',
      applications: () => {
        calls.push('GET /api/v1/applications');
        return Promise.resolve(hub.data.get('applications/argocd')!);
      },
      managedResources: (name, appNamespace) => {
        calls.push(`GET /api/v1/applications/${name}/managed-resources?appNamespace=${appNamespace}`);
        const i = Number(name.split('-')[1]);
        const cm = JSON.stringify(configMap(`shop-${i}`, 'info'));
        return Promise.resolve([
          { group: '', kind: 'ConfigMap', namespace: `shop-${i}`, name: 'settings', targetState: cm, liveState: cm },
        ]);
      },
    };
    const session = new ArgoCdSession(api);
    const envs = (await engine.repo()).environments.filter((e) => e.source === 'argocd' && !e.appOfAppsRoot);
    const viaApi = (name: string): LiveSource => ({
      reader: session.reader({ name, namespace: 'argocd' }),
      context: 'argocd:argocd.example.com',
      via: 'api',
    });
    const statuses = await Promise.all(envs.map((env) => engine.controllerStatus(env, viaApi(env.name))));
    assert.deepEqual(calls, ['GET /api/v1/applications']);
    assert.equal(statuses.filter((r) => r.applications[0].controller?.argo?.sync === 'Synced').length, APPS - 1);
    const opened = await engine.check(
      envs.find((e) => e.name === 'shop-5')!,
      viaApi('shop-5'),
    );
    assert.deepEqual(calls, [
      'GET /api/v1/applications',
      'GET /api/v1/applications/shop-5/managed-resources?appNamespace=argocd',
    ]);
    assert.equal(opened.resources[0].verdict, 'InSync');
  });

  it('without the hub, the destination cluster has no Application: the status says so and the check goes on', async () => {
    const { engine, prod } = setUp();
    await engine.load();
    const env = await engine.environment('shop-0');
    const report = await engine.check(env, { reader: prod, context: 'prod' });
    assert.equal(report.resources[0].verdict, 'InSync');
    assert.equal(report.applications[0].controller?.found, false);
  });

  it('a hub that cannot be reached is a warning naming its context; the objects are still compared', async () => {
    const { engine, prod } = setUp();
    await engine.load();
    const env = await engine.environment('shop-0');
    const report = await engine.check(env, {
      reader: prod,
      context: 'prod',
      argoCd: { context: 'hub', source: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.1:443')) },
    });
    assert.equal(report.error, null);
    assert.equal(report.resources[0].verdict, 'InSync');
    assert.match(
      report.problems.map((p) => p.message).join('\n'),
      /reading Argo CD Application argocd\/shop-0 in context hub failed: connect ECONNREFUSED/,
    );
  });

  it('a destination name without a mapping is a warning at its line, read in the current context', async () => {
    const { engine } = setUp('name: mars');
    const repo = await engine.load();
    const env = repo.environments.find((e) => e.name === 'shop-0')!;
    assert.equal(env.context, undefined);
    const problem = repo.problems.find((p) => p.message.includes("'shop-0'"));
    assert.equal(`${problem?.location?.file}:${problem?.location?.line}`, 'apps/shop-0.yaml:11');
  });

  describe('in the destination model (argocd.environments: cluster): one environment of all 40 Applications', () => {
    it("reads each Application's status with one LIST of the hub and no object; every object when opened", async () => {
      const { engine, hub, prod, prodSource } = setUp(undefined, 'cluster');
      const repo = await engine.load();
      const destinations = repo.environments.filter((e) => e.source === 'argocd' && !e.appOfAppsRoot);
      assert.deepEqual(
        destinations.map((e) => [e.name, e.applications.length]),
        [['prod.example.com', APPS]],
      );
      const env = destinations[0];
      // Beyond the threshold (the default 6, and 0): status only until the environment is opened.
      const count = argoApplicationCount(repo.environments);
      assert.equal(count, APPS + 1);
      assert.equal(readsStatusOnly(env, count, false), true);
      assert.equal(readsStatusOnly(env, count, true), false);
      assert.equal(readsStatusOnly(env, count, false, APPS + 1), false);

      const status = await engine.controllerStatus(env, prodSource);
      assert.deepEqual(applicationLists(hub), ['applications/argocd']);
      assert.deepEqual(prod.lists, [], 'no live object read before the environment is opened');
      assert.equal(status.statusOnly, true);
      assert.equal(status.resources.length, APPS);
      assert.ok(status.resources.every((r) => r.verdict === 'NotChecked'));
      // Each Application's own status, from that one LIST.
      assert.equal(status.applications.length, APPS);
      const syncOf = (r: typeof status, name: string) =>
        r.applications.find((a) => a.name === name)?.controller?.argo?.sync;
      assert.equal(syncOf(status, 'shop-3'), 'OutOfSync');
      assert.equal(status.applications.filter((a) => a.controller?.argo?.sync === 'Synced').length, APPS - 1);
      assert.ok(status.applications.every((a) => a.controller?.argo?.context === 'hub'));

      // Opened: every Application's objects, one LIST per namespace; still the one LIST of Applications.
      const opened = await engine.check(env, prodSource);
      assert.equal(prod.lists.length, APPS);
      assert.deepEqual(applicationLists(hub), ['applications/argocd']);
      assert.equal(opened.statusOnly, undefined);
      assert.deepEqual(
        opened.resources.filter((r) => r.verdict !== 'InSync').map((r) => `${r.application} ${r.verdict}`),
        ['shop-3 Drifted'],
      );
      assert.equal(syncOf(opened, 'shop-3'), 'OutOfSync');
    });

    it("through Argo CD's API: one GET of the Applications before opening, each one's managed resources after", async () => {
      const { engine, env, calls, session } = await destinationThroughArgoCdApi();
      const viaApi: LiveSource = {
        ...session.liveSource(argoApplicationsOf(env)!),
        context: 'argocd:argocd.example.com',
        via: 'api',
      };
      const status = await engine.controllerStatus(env, viaApi);
      assert.deepEqual(calls, ['GET /api/v1/applications']);
      assert.equal(status.applications.filter((a) => a.controller?.argo?.sync === 'Synced').length, APPS - 1);
      const opened = await engine.check(env, viaApi);
      assert.equal(calls.filter((c) => c.startsWith('managed-resources')).length, APPS);
      assert.equal(calls.filter((c) => c === 'GET /api/v1/applications').length, 1);
      assert.ok(opened.resources.every((r) => r.verdict === 'InSync'));
    });
  });

  describe('in the destination model, one Application opened at a time (the editor opening its row)', () => {
    /**
     * What the editor's store does for a destination at fleet shape (driftStore.ts): the Applications opened so far
     * (fleetRead), of which `now` are checked (all when absent), joined with the last report for the others.
     */
    async function refresh(
      engine: DriftEngine,
      env: RepoEnvironment,
      source: LiveSource,
      opened: string[],
      previous: EnvironmentReport | undefined,
      now?: string[],
    ): Promise<EnvironmentReport> {
      const read = fleetRead(env, APPS + 1, { environment: true, applications: new Set(opened) });
      if (read.read === 'status') return engine.controllerStatus(env, source);
      assert.equal(read.read, 'applications', 'a destination of 40 is opened one Application at a time');
      const checked = now ?? read.applications;
      const next = await engine.check(env, source, { applications: checked });
      return joinApplicationChecks(
        previous,
        next,
        read.applications.filter((a) => !checked.includes(a)),
      );
    }
    const verdicts = (r: EnvironmentReport) =>
      Object.fromEntries(
        [...new Set(r.resources.map((x) => x.application))].map((app) => [
          app,
          [...new Set(r.resources.filter((x) => x.application === app).map((x) => x.verdict))].join(),
        ]),
      );
    const statusOnly = (r: EnvironmentReport) => r.applications.filter((a) => a.statusOnly).map((a) => a.name);

    it("opening one of 40: 1 LIST of its namespace, none of the others'; a second: its LIST only; Check Again: the opened ones", async () => {
      const { engine, hub, prod, editorSource } = setUp(undefined, 'cluster');
      const repo = await engine.load();
      const env = repo.environments.find((e) => e.name === 'prod.example.com')!;
      // Few Applications (the threshold at or above the repo's 41): no fleet shape, everything read at once.
      assert.deepEqual(fleetRead(env, APPS + 1, { environment: false, applications: new Set() }, APPS + 1), {
        read: 'all',
      });
      // The destination opened, no Application yet: its status only, as before.
      const status = await refresh(engine, env, editorSource, [], undefined);
      assert.equal(status.statusOnly, true);
      assert.deepEqual(prod.lists, []);

      const one = await refresh(engine, env, editorSource, ['shop-3'], status);
      assert.deepEqual(prod.lists, ['configmaps/shop-3']);
      assert.equal(one.statusOnly, undefined);
      assert.equal(verdicts(one)['shop-3'], 'Drifted');
      assert.equal(verdicts(one)['shop-4'], 'NotChecked');
      assert.equal(statusOnly(one).length, APPS - 1);
      assert.ok(!statusOnly(one).includes('shop-3'));
      // Every Application's status still from the one LIST of the hub; the unopened ones' too.
      assert.deepEqual(applicationLists(hub), ['applications/argocd']);
      const syncOf = (r: EnvironmentReport, name: string) =>
        r.applications.find((a) => a.name === name)?.controller?.argo?.sync;
      assert.equal(syncOf(one, 'shop-3'), 'OutOfSync');
      assert.equal(syncOf(one, 'shop-9'), 'Synced');
      // An unopened Application has no objects read: nothing to disagree with Argo CD about.
      assert.ok(one.applications.every((a) => a.name === 'shop-3' || !a.controller?.argo?.disagreements.length));

      const two = await refresh(engine, env, editorSource, ['shop-3', 'shop-7'], one, ['shop-7']);
      assert.deepEqual(prod.lists, ['configmaps/shop-3', 'configmaps/shop-7']);
      assert.equal(verdicts(two)['shop-3'], 'Drifted', 'the first opened keeps its check');
      assert.equal(verdicts(two)['shop-7'], 'InSync');
      assert.equal(statusOnly(two).length, APPS - 2);
      assert.equal(two.resources.filter((r) => r.verdict === 'NotChecked').length, APPS - 2);

      // Check Environment Again: the status and the opened Applications, nothing of the others.
      const again = await refresh(engine, env, editorSource, ['shop-3', 'shop-7'], two);
      assert.deepEqual(prod.lists.slice(2).sort(), ['configmaps/shop-3', 'configmaps/shop-7']);
      assert.deepEqual(verdicts(again), verdicts(two));
      assert.equal(applicationLists(hub).length, 1);
    });

    it('two opened Applications in one namespace cost one LIST; an object only the other tracks is not Extra', async () => {
      // shop-0 and shop-1 deploy to `pair`, each from a folder of its own.
      const { engine, prod, editorSource } = setUp(undefined, 'cluster', {
        namespace: (i) => (i < 2 ? 'pair' : `shop-${i}`),
        path: (i) => (i < 2 ? `shop-${i}` : 'shop'),
      });
      const tracked = (name: string, app: string): KubeObject =>
        live(
          {
            ...configMap('pair', 'info'),
            metadata: { name, namespace: 'pair', labels: { 'app.kubernetes.io/instance': app } },
          },
          '5',
        );
      prod.data.set('configmaps/pair', [
        live({ ...configMap('pair', 'info'), metadata: { name: 'settings-0', namespace: 'pair' } }, '5'),
        live({ ...configMap('pair', 'info'), metadata: { name: 'settings-1', namespace: 'pair' } }, '5'),
        // Left behind by shop-1 (its instance label): Extra to shop-1, nothing to shop-0.
        tracked('old-1', 'shop-1'),
      ]);
      const repo = await engine.load();
      const env = repo.environments.find((e) => e.name === 'prod.example.com')!;
      const zero = await refresh(engine, env, editorSource, ['shop-0'], undefined);
      assert.deepEqual(prod.lists, ['configmaps/pair']);
      assert.deepEqual(
        zero.resources.filter((r) => r.verdict !== 'NotChecked').map((r) => `${r.key.name} ${r.verdict}`),
        ['settings-0 InSync'],
      );
      prod.lists.length = 0;
      const both = await refresh(engine, env, editorSource, ['shop-0', 'shop-1'], zero);
      assert.deepEqual(prod.lists, ['configmaps/pair']);
      assert.deepEqual(
        both.resources
          .filter((r) => r.verdict !== 'NotChecked')
          .map((r) => `${r.key.name} ${r.verdict}`)
          .sort(),
        ['old-1 Extra', 'settings-0 InSync', 'settings-1 InSync'],
      );
    });

    it("an Extra follows the latest read of the opened Application that tracks it, not an earlier check's", async () => {
      // shop-0 and shop-1 deploy to `pair`; old-1 carries shop-1's instance label: Extra to shop-1 alone.
      const { engine, prod, editorSource } = setUp(undefined, 'cluster', {
        namespace: (i) => (i < 2 ? 'pair' : `shop-${i}`),
        path: (i) => (i < 2 ? `shop-${i}` : 'shop'),
      });
      const settings = (i: number) =>
        live({ ...configMap('pair', 'info'), metadata: { name: `settings-${i}`, namespace: 'pair' } }, '5');
      const old = live(
        {
          ...configMap('pair', 'info'),
          metadata: { name: 'old-1', namespace: 'pair', labels: { 'app.kubernetes.io/instance': 'shop-1' } },
        },
        '5',
      );
      prod.data.set('configmaps/pair', [settings(0), settings(1), old]);
      const repo = await engine.load();
      const env = repo.environments.find((e) => e.name === 'prod.example.com')!;
      const checked = (r: EnvironmentReport) =>
        r.resources
          .filter((x) => x.verdict !== 'NotChecked')
          .map((x) => `${x.key.name} ${x.verdict}`)
          .sort();
      const both = await refresh(engine, env, editorSource, ['shop-0', 'shop-1'], undefined);
      assert.deepEqual(checked(both), ['old-1 Extra', 'settings-0 InSync', 'settings-1 InSync']);
      // A read of shop-0 alone (a save of its file): shop-1's Extra stays, as shop-1's last read found it.
      prod.lists.length = 0;
      const zero = await refresh(engine, env, editorSource, ['shop-0', 'shop-1'], both, ['shop-0']);
      assert.deepEqual(prod.lists, ['configmaps/pair']);
      assert.deepEqual(checked(zero), ['old-1 Extra', 'settings-0 InSync', 'settings-1 InSync']);
      // old-1 deleted, then shop-1 read again alone: its latest read finds no old-1, so none is shown.
      prod.data.set('configmaps/pair', [settings(0), settings(1)]);
      prod.lists.length = 0;
      const one = await refresh(engine, env, editorSource, ['shop-0', 'shop-1'], zero, ['shop-1']);
      assert.deepEqual(prod.lists, ['configmaps/pair']);
      assert.deepEqual(checked(one), ['settings-0 InSync', 'settings-1 InSync']);
    });

    it('Read All Applications: the LISTs it says before it starts are the LISTs it makes (or one managed-resources each)', async () => {
      const { engine, prod, hub, editorSource } = setUp(undefined, 'cluster', {
        // shop-0 and shop-1 share a namespace: 39 scopes for 40 Applications.
        namespace: (i) => (i < 2 ? 'pair' : `shop-${i}`),
        path: (i) => (i < 2 ? `shop-${i}` : 'shop'),
      });
      prod.data.set('configmaps/pair', []);
      const repo = await engine.load();
      const env = repo.environments.find((e) => e.name === 'prod.example.com')!;
      const status = await refresh(engine, env, editorSource, [], undefined);
      const all = env.applications.map((a) => a.name);
      const said = readCost(env, status, all, 'cluster');
      assert.deepEqual(said, { applications: APPS, requests: APPS - 1, via: 'cluster' });
      const read = await refresh(engine, env, editorSource, all, status);
      assert.equal(prod.lists.length, said.requests);
      assert.equal(new Set(prod.lists).size, said.requests);
      assert.equal(statusOnly(read).length, 0);
      assert.equal(applicationLists(hub).length, 1, "the Applications' one LIST (the hub's LISTs are shared)");
      // Some of them: only their scopes.
      assert.equal(readCost(env, status, ['shop-0', 'shop-1', 'shop-7'], 'cluster').requests, 2);
      // Through Argo CD's API: one managed-resources per Application.
      assert.deepEqual(readCost(env, status, all, 'api'), { applications: APPS, requests: APPS, via: 'api' });
    });

    it('a saved file names the applications that read it, so only the opened ones among them are read again', async () => {
      const { engine, fs } = setUp(undefined, 'cluster', {
        namespace: (i) => `shop-${i}`,
        path: (i) => (i < 2 ? `shop-${i}` : 'shop'),
      });
      const repo = await engine.load();
      const env = repo.environments.find((e) => e.name === 'prod.example.com')!;
      await engine.renderedReport(env, 'prod');
      const save = async (file: string) => {
        fs.write(`/r/${file}`, (await fs.readFile(`/r/${file}`)).replace('level: info', 'level: warn'));
        return engine.fileChanged(file);
      };
      const change = await save('shop-1/settings.yaml');
      assert.deepEqual(change, {
        environments: ['prod.example.com'],
        applications: { 'prod.example.com': ['shop-1'] },
        reload: false,
      });
      const shared = await save('shop/settings.yaml');
      assert.equal(shared.applications['prod.example.com'].length, APPS - 2);
      assert.ok(!shared.applications['prod.example.com'].includes('shop-0'));
    });

    it("through Argo CD's API: the opened Application's managed resources only", async () => {
      const { engine, env, calls, session } = await destinationThroughArgoCdApi();
      // As the editor's session asks for a check of some Applications (driftSession.ts argoLive): theirs only.
      const viaApi = (apps: string[]): LiveSource => ({
        ...session.liveSource(
          argoApplicationsOf({ ...env, applications: env.applications.filter((a) => apps.includes(a.name)) })!,
        ),
        context: 'argocd:argocd.example.com',
        via: 'api',
      });
      const one = await engine.check(env, viaApi(['shop-5']), { applications: ['shop-5'] });
      assert.deepEqual(calls.sort(), ['GET /api/v1/applications', 'managed-resources shop-5']);
      assert.equal(one.resources.find((r) => r.application === 'shop-5')?.verdict, 'InSync');
      assert.equal(one.applications.filter((a) => a.controller?.argo?.sync === 'Synced').length, APPS - 1);
      assert.equal(one.applications.filter((a) => a.statusOnly).length, APPS - 1);
    });
  });

  describe('gitopsDrift.argocd.fleetThreshold: how many Applications before the fleet shape', () => {
    /** What the editor's store does at a refresh: status only where readsStatusOnly says so, else a check. */
    async function refreshAll(threshold: number | undefined) {
      const { engine, hub, prod, prodSource } = setUp();
      const repo = await engine.load();
      const envs = repo.environments.filter((e) => e.source === 'argocd' && !e.appOfAppsRoot);
      const count = argoApplicationCount(repo.environments);
      const reports = await Promise.all(
        envs.map((env) =>
          readsStatusOnly(env, count, false, threshold)
            ? engine.controllerStatus(env, prodSource)
            : engine.check(env, prodSource),
        ),
      );
      return { count, reports, hubLists: applicationLists(hub).length, prodLists: prod.lists.length };
    }

    it(`counts the repo's Applications: ${APPS}, and the app-of-apps root over them`, async () => {
      assert.equal((await refreshAll(undefined)).count, APPS + 1);
    });

    it('by default (6, the fold threshold) and below the count: 1 LIST of the hub, none of the objects', async () => {
      for (const threshold of [undefined, 0, APPS]) {
        const { reports, hubLists, prodLists } = await refreshAll(threshold);
        assert.equal(hubLists, 1, String(threshold));
        assert.equal(prodLists, 0, String(threshold));
        assert.ok(reports.every((r) => r.statusOnly === true));
      }
    });

    it(`at or above the count (${APPS + 1}): every application's objects read, still 1 LIST of the hub`, async () => {
      for (const threshold of [APPS + 1, 1000]) {
        const { reports, hubLists, prodLists } = await refreshAll(threshold);
        assert.equal(hubLists, 1, String(threshold));
        assert.equal(prodLists, APPS, String(threshold));
        assert.ok(reports.every((r) => r.statusOnly === undefined));
        assert.equal(reports.filter((r) => r.resources[0].verdict === 'Drifted').length, 1);
      }
    });

    it('an opened environment is read in full whatever the threshold', async () => {
      const { engine } = setUp();
      const repo = await engine.load();
      const env = repo.environments.find((e) => e.name === 'shop-0')!;
      assert.equal(readsStatusOnly(env, APPS, true, 0), false);
      assert.equal(readsStatusOnly(env, APPS, false, 0), true);
    });
  });
});
