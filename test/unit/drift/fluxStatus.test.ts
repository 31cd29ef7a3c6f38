import { strict as assert } from 'node:assert';
import {
  applyFluxStatus,
  BEHIND_LIMIT,
  describeControllerStatus,
  describeRevision,
  gitPosition,
  revisionCommit,
} from '../../../src/core/drift/fluxStatus';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { textReport } from '../../../src/core/drift/textReport';
import {
  fluxKustomizationOf,
  parseFluxKustomization,
  parseInventoryId,
  readFluxKustomization,
} from '../../../src/core/live/fluxKustomization';
import { type LiveState, scopeKey } from '../../../src/core/model/live';
import { keyOf, keyString } from '../../../src/core/model/resource';
import {
  controllerBadge,
  controllerTooltip,
  environmentDescription,
  resourceDescription,
  resourceMessage,
} from '../../../src/core/editor/presentation';
import type { ControllerStatus, EnvironmentDrift, ResourceDrift } from '../../../src/core/model/drift';
import { folderApplication } from '../../../src/core/model/environment';
import type { KubeObject } from '../../../src/core/model/resource';
import type { Git, GitCommit, ResourceType } from '../../../src/core/ports';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { FakeReader, types } from '../repo/fakes';

const sha = (n: number) => n.toString(16).padEnd(40, '0');
const ref = { name: 'apps', namespace: 'flux-system' };

function kustomization(spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system' },
    spec: { interval: '10m', prune: true, path: './apps', ...spec },
    status,
  };
}

const ready = {
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: main@sha1:${sha(1)}`,
    },
  ],
};
const deployment = (name: string, verdict: ResourceDrift['verdict'], application?: string): ResourceDrift => ({
  apiVersion: 'apps/v1',
  key: { group: 'apps', kind: 'Deployment', namespace: 'shop', name },
  verdict,
  fields: verdict === 'Drifted' ? [{ path: '/spec/replicas', desired: 2, live: 5 }] : [],
  ...(application ? { application } : {}),
});
const inventory = (...names: string[]) => ({
  inventory: { entries: names.map((n) => ({ id: `shop_${n}_apps_Deployment`, v: 'v1' })) },
});

/** A git whose HEAD history is `commits` (newest first); `others` exist but are not in it. */
function fakeGit(commits: string[], others: string[] = []): Git {
  const commit = (s: string): GitCommit => ({ sha: s, author: 'a', date: '2026-01-01', subject: s, files: [] });
  return {
    log: async (_paths: string[], max: number) => commits.slice(0, max).map(commit),
    commit: async (rev: string) => (commits.includes(rev) || others.includes(rev) ? commit(rev) : undefined),
  } as unknown as Git;
}

describe('Flux Kustomization status', () => {
  it('parses inventory ids, namespaced and cluster-scoped, core and grouped', () => {
    assert.deepEqual(parseInventoryId('shop_web_apps_Deployment'), {
      namespace: 'shop',
      name: 'web',
      group: 'apps',
      kind: 'Deployment',
    });
    assert.deepEqual(parseInventoryId('_shop__Namespace'), {
      namespace: '',
      name: 'shop',
      group: '',
      kind: 'Namespace',
    });
    assert.equal(parseInventoryId('shop_web_apps'), undefined);
  });

  it('reads the Ready condition, suspend, prune, interval, revisions and inventory from a live object', () => {
    const state = parseFluxKustomization(
      kustomization(
        { suspend: true, prune: false },
        {
          ...ready,
          lastAppliedRevision: `main@sha1:${sha(1)}`,
          lastAttemptedRevision: `main@sha1:${sha(2)}`,
          ...inventory('web'),
        },
      ),
    );
    assert.deepEqual(state, {
      suspended: true,
      prune: false,
      interval: '10m',
      ready: { status: 'True', reason: 'ReconciliationSucceeded', message: `Applied revision: main@sha1:${sha(1)}` },
      lastAppliedRevision: `main@sha1:${sha(1)}`,
      lastAttemptedRevision: `main@sha1:${sha(2)}`,
      inventory: [{ key: { namespace: 'shop', name: 'web', group: 'apps', kind: 'Deployment' }, version: 'v1' }],
    });
    // Whatever the cluster holds, never a throw.
    assert.deepEqual(
      parseFluxKustomization({
        apiVersion: 'x',
        kind: 'Kustomization',
        metadata: {},
        spec: 'junk',
        status: { conditions: 'junk', inventory: { entries: [7] } },
      }),
      { suspended: false, prune: false, inventory: [] },
    );
  });

  it("finds an application's Kustomization from its controller object, else the environment's tracking", () => {
    const app = folderApplication('apps', 'apps');
    assert.deepEqual(fluxKustomizationOf(app, { fluxKustomization: ref }), ref);
    assert.equal(fluxKustomizationOf(app, {}), undefined);
    const declared = {
      ...app,
      controller: {
        object: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'infra' } },
        at: { file: 'c.yaml', line: 1, column: 1 },
      },
    };
    assert.deepEqual(fluxKustomizationOf(declared, { fluxKustomization: ref }), {
      name: 'infra',
      namespace: 'flux-system',
    });
    const argo = {
      ...app,
      controller: {
        object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'guestbook' } },
        at: { file: 'a.yaml', line: 1, column: 1 },
      },
    };
    assert.equal(fluxKustomizationOf(argo, { fluxKustomization: ref }), undefined);
  });

  it('reads the Kustomization as live objects are read, and says when the cluster lacks it or the kind', async () => {
    const obj = kustomization({}, ready);
    const scope = scopeKey('kustomize.toolkit.fluxcd.io', 'Kustomization', 'flux-system');
    const asked: string[] = [];
    const state = (objects: KubeObject[], failure?: LiveState['failures']): LiveState => ({
      objects: new Map(objects.map((o) => [keyString(keyOf(o)), o])),
      failures: failure ?? new Map(),
      listed: new Set(),
    });
    const found = await readFluxKustomization(async (desired, ns) => {
      asked.push(
        ...desired.map((d) => `${d.apiVersion} ${d.kind} ${d.metadata.namespace}/${d.metadata.name} in ${ns}`),
      );
      return state([obj]);
    }, ref);
    assert.deepEqual(asked, ['kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps in flux-system']);
    assert.equal(found.status === 'ok' && found.object, obj);
    assert.deepEqual(await readFluxKustomization(async () => state([]), ref), {
      status: 'absent',
      message: 'the cluster has no Flux Kustomization flux-system/apps',
    });
    const notServed = await readFluxKustomization(
      async () => state([], new Map([[scope, { verdict: 'UnknownKind', message: 'not served' }]])),
      ref,
    );
    assert.deepEqual(notServed, { status: 'absent', message: 'not served' });
    const forbidden = await readFluxKustomization(
      async () => state([], new Map([[scope, { verdict: 'Forbidden', message: 'list is forbidden' }]])),
      ref,
    );
    assert.deepEqual(forbidden, {
      status: 'unreadable',
      message: 'cannot read Flux Kustomizations in flux-system: list is forbidden',
    });
  });

  it('names the commit of every revision format Flux has written, and none for an OCI digest', () => {
    assert.equal(revisionCommit(`main@sha1:${sha(1)}`), sha(1));
    assert.equal(revisionCommit(`refs/heads/main@sha1:${sha(1)}`), sha(1));
    assert.equal(revisionCommit(`main/${sha(1)}`), sha(1));
    assert.equal(revisionCommit(`latest@sha256:${'b'.repeat(64)}`), undefined);
  });

  it('counts the commits from the applied revision to HEAD', async () => {
    const git = fakeGit([sha(4), sha(3), sha(2), sha(1)], [sha(9)]);
    assert.deepEqual(await gitPosition(git, `main@sha1:${sha(1)}`), { head: sha(4), behind: 3 });
    assert.deepEqual(await gitPosition(git, `main@sha1:${sha(4)}`), { head: sha(4), behind: 0 });
    assert.deepEqual(await gitPosition(git, `main@sha1:${sha(9)}`), {
      head: sha(4),
      unknown: 'the applied commit is not in the history of HEAD',
    });
    assert.deepEqual(await gitPosition(git, `main@sha1:${sha(8)}`), {
      head: sha(4),
      unknown: 'the applied commit is not in this clone (fetch?)',
    });
    // A git that lists commit ids (every commit, merges too) is asked that rather than for a full log.
    const ids = {
      ...fakeGit([]),
      revList: async (max: number) => [sha(7), sha(6), sha(5)].slice(0, max),
      log: async () => assert.fail('log asked'),
    } as unknown as Git;
    assert.deepEqual(await gitPosition(ids, `main@sha1:${sha(5)}`), { head: sha(7), behind: 2 });
    const long = fakeGit(
      Array.from({ length: BEHIND_LIMIT + 5 }, (_, i) => sha(1000 - i)),
      [sha(1)],
    );
    assert.deepEqual(await gitPosition(long, `main@sha1:${sha(1)}`), {
      head: sha(1000),
      unknown: `more than ${BEHIND_LIMIT} commits behind`,
    });
    assert.equal(
      describeRevision(`main@sha1:${sha(1)}`, { head: sha(4), behind: 3 }),
      `applied ${sha(1).slice(0, 7)}, git is at ${sha(4).slice(0, 7)} (3 commits behind)`,
    );
    assert.equal(
      describeRevision(`main@sha1:${sha(4)}`, { head: sha(4), behind: 0 }),
      `applied ${sha(4).slice(0, 7)}, git is at ${sha(4).slice(0, 7)} (up to date)`,
    );
  });

  it('marks objects applied and no longer rendered pending prune, rendered and not applied not yet applied', () => {
    const resources = [
      deployment('web', 'InSync', 'apps'),
      deployment('api', 'Missing', 'apps'),
      deployment('old', 'Extra'),
      deployment('handmade', 'Extra'),
    ];
    const read = {
      status: 'ok' as const,
      object: kustomization(
        {},
        { ...ready, lastAppliedRevision: `main@sha1:${sha(1)}`, ...inventory('web', 'old', 'gone') },
      ),
    };
    const { status, unreported } = applyFluxStatus('apps', ref, read, resources, { head: sha(1), behind: 0 });
    assert.deepEqual(
      resources.map(
        (r) =>
          `${r.key.name} ${r.verdict} ${r.application ?? '-'} ${r.controller?.state ?? '-'} ${r.controller?.note ?? '-'}`,
      ),
      [
        'web InSync apps - -',
        'api Missing apps notYetApplied Flux will apply this at its next reconcile (interval 10m)',
        'old Extra apps pendingPrune Flux will delete this at its next reconcile (interval 10m)',
        // An extra object Flux never applied is hand-made: no controller state.
        'handmade Extra - - -',
      ],
    );
    assert.deepEqual(
      unreported.map((e) => e.key.name),
      ['gone'],
    );
    assert.equal(status.pendingPrune, 1);
    assert.equal(status.notYetApplied, 1);
    assert.equal(
      describeControllerStatus(status),
      `ready; applied ${sha(1).slice(0, 7)}, git is at ${sha(1).slice(0, 7)} (up to date); 1 pending prune; 1 not yet applied`,
    );
  });

  it('notes what Flux will do about drift: revert it, nothing when suspended, no prune when prune is off', () => {
    const note = (spec: Record<string, unknown>, r: ResourceDrift) => {
      const read = { status: 'ok' as const, object: kustomization(spec, { ...ready, ...inventory('web') }) };
      applyFluxStatus('apps', ref, read, [r], {});
      return r.controller;
    };
    assert.deepEqual(note({}, deployment('web', 'Drifted', 'apps')), {
      note: 'Flux will revert this at its next reconcile (interval 10m)',
    });
    assert.deepEqual(note({ interval: '1h' }, deployment('web', 'Missing', 'apps')), {
      note: 'Flux will revert this at its next reconcile (interval 1h)',
    });
    assert.deepEqual(note({ suspend: true }, deployment('web', 'Drifted', 'apps')), {
      note: 'suspended: Flux will not revert this',
    });
    assert.equal(note({}, deployment('web', 'InSync', 'apps')), undefined);
    // Behind HEAD the difference may be a commit not yet applied: Flux applies git's value, it does not "revert".
    const behindRead = { status: 'ok' as const, object: kustomization({}, { ...ready, ...inventory('web') }) };
    const ahead = deployment('web', 'Drifted', 'apps');
    applyFluxStatus('apps', ref, behindRead, [ahead], { head: sha(2), behind: 1 });
    assert.deepEqual(ahead.controller, {
      note: "Flux will apply git's value at its next reconcile (interval 10m): git is 1 commit ahead of what it applied",
    });
    assert.deepEqual(note({ prune: false }, deployment('web', 'Extra')), {
      state: 'pendingPrune',
      note: 'prune is off: Flux will leave this in the cluster',
    });
    assert.deepEqual(note({ suspend: true }, deployment('web', 'Extra')), {
      state: 'pendingPrune',
      note: 'suspended: Flux will not prune this',
    });
  });

  it("honours an object's own Flux marks, as a label or an annotation, on the git or the live object", () => {
    const note = (marks: Record<string, string>, r: ResourceDrift, where: 'annotations' | 'labels' = 'annotations') => {
      const read = { status: 'ok' as const, object: kustomization({}, { ...ready, ...inventory('web') }) };
      const marked: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: r.key.name, namespace: 'shop', [where]: marks },
      };
      applyFluxStatus('apps', ref, read, [r], {}, () => [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: r.key.name } },
        marked,
      ]);
      return r.controller?.note;
    };
    const mark = (name: string, value: string) => ({ [`kustomize.toolkit.fluxcd.io/${name}`]: value });
    assert.equal(
      note(mark('reconcile', 'disabled'), deployment('web', 'Drifted', 'apps')),
      'reconcile: disabled on this object: Flux will not revert it',
    );
    assert.equal(
      note(mark('ssa', 'Ignore'), deployment('web', 'Drifted', 'apps'), 'labels'),
      'ssa: Ignore on this object: Flux will not revert it',
    );
    assert.equal(
      note(mark('ssa', 'IfNotPresent'), deployment('web', 'Drifted', 'apps')),
      'ssa: IfNotPresent on this object: Flux only creates it, it will not revert this',
    );
    // IfNotPresent still creates what is missing.
    assert.equal(
      note(mark('ssa', 'IfNotPresent'), deployment('web', 'Missing', 'apps')),
      'Flux will revert this at its next reconcile (interval 10m)',
    );
    assert.equal(
      note(mark('prune', 'disabled'), deployment('web', 'Extra')),
      'prune: disabled on this object: Flux will leave it in the cluster',
    );
    assert.equal(
      note({}, deployment('web', 'Drifted', 'apps')),
      'Flux will revert this at its next reconcile (interval 10m)',
    );
  });

  it('says once in the text report that the cluster does not serve Kustomizations, then "as for" the first', () => {
    const missing = (name: string, message: string): ControllerStatus => ({
      kind: 'Kustomization',
      name,
      namespace: 'flux-system',
      found: false,
      suspended: false,
      prune: false,
      pendingPrune: 0,
      notYetApplied: 0,
      message,
    });
    const env: EnvironmentDrift = {
      name: 'prod',
      path: 'clusters/prod',
      context: 'c',
      error: null,
      resources: [],
      applications: ['apps', 'infra'].map((name) => ({
        name,
        kind: 'kustomize' as const,
        source: name,
        state: 'rendered' as const,
        controller: missing(name, 'the cluster does not serve kind Kustomization'),
      })),
    };
    env.applications!.push({
      name: 'gone',
      kind: 'kustomize',
      source: 'gone',
      state: 'rendered',
      controller: missing('gone', 'the cluster has no Flux Kustomization flux-system/gone'),
    });
    assert.deepEqual(textReport([env]).split('\n').slice(0, 3), [
      'prod  Kustomization flux-system/apps   not in the cluster: the cluster does not serve kind Kustomization',
      'prod  Kustomization flux-system/infra  not in the cluster: as for Kustomization flux-system/apps',
      'prod  Kustomization flux-system/gone   not in the cluster: the cluster has no Flux Kustomization flux-system/gone',
    ]);
  });

  it('says a Kustomization the cluster does not have, and a failing one with its reason', () => {
    const absent = applyFluxStatus(
      'apps',
      ref,
      { status: 'absent', message: 'the cluster has no Flux Kustomization flux-system/apps' },
      [deployment('web', 'Drifted', 'apps')],
      {},
    );
    assert.equal(absent.status.found, false);
    assert.equal(
      describeControllerStatus(absent.status),
      'not in the cluster: the cluster has no Flux Kustomization flux-system/apps',
    );
    const failing = kustomization(
      {},
      { conditions: [{ type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'kustomize build failed' }] },
    );
    const { status } = applyFluxStatus('apps', ref, { status: 'ok', object: failing }, [], {});
    assert.equal(
      describeControllerStatus(status),
      'not ready (BuildFailed): kustomize build failed; nothing applied yet',
    );
  });

  it('shows the states apart from hand-made drift in the text and JSON reports', () => {
    const resources = [
      deployment('web', 'Drifted', 'apps'),
      deployment('api', 'Missing', 'apps'),
      deployment('old', 'Extra'),
    ];
    const read = {
      status: 'ok' as const,
      object: kustomization({}, { ...ready, lastAppliedRevision: `main@sha1:${sha(1)}`, ...inventory('web', 'old') }),
    };
    const { status } = applyFluxStatus('apps', ref, read, resources, { head: sha(3), behind: 2 });
    const env: EnvironmentDrift = {
      name: 'apps',
      path: 'apps',
      context: 'c',
      error: null,
      resources,
      applications: [{ name: 'apps', kind: 'kustomize', source: 'apps', state: 'rendered', controller: status }],
    };
    const text = textReport([env]);
    assert.match(
      text,
      /Kustomization flux-system\/apps +ready; applied 1000000, git is at 3000000 \(2 commits behind\); 1 pending prune; 1 not yet applied/,
    );
    assert.match(text, /Deployment shop\/web +\/spec\/replicas: git 2, live 5/);
    // Two commits behind: the difference may not be a hand edit, so the note says Flux applies git's value.
    assert.match(
      text,
      /Deployment shop\/web +note: Flux will apply git's value at its next reconcile \(interval 10m\): git is 2 commits ahead/,
    );
    assert.match(text, /Deployment shop\/api +not yet applied: git renders it, Flux has not applied it/);
    assert.match(text, /Deployment shop\/old +pending prune: Flux applied it, git no longer renders it/);
    assert.match(text, /^apps: 1 drifted \(1 field\), 1 pending prune, 1 not yet applied$/m);
    const json = jsonReport([env]).environments[0];
    assert.deepEqual(
      json.resources.map((r) => r.controller?.state ?? null),
      [null, 'notYetApplied', 'pendingPrune'],
    );
    assert.equal(json.applications[0].controller?.behind, 2);
    assert.equal(json.applications[0].controller?.pendingPrune, 1);
  });
});

describe('Flux Kustomization status in the editor model', () => {
  const status = (over: Partial<ControllerStatus> = {}): ControllerStatus => ({
    kind: 'Kustomization',
    name: 'apps',
    namespace: 'flux-system',
    found: true,
    suspended: false,
    prune: true,
    pendingPrune: 0,
    notYetApplied: 0,
    ready: { status: 'True' },
    ...over,
  });

  it('names pending prune and not yet applied apart from hand-made drift in the tree descriptions', () => {
    const resources = [
      deployment('web', 'Drifted', 'apps'),
      { ...deployment('api', 'Missing', 'apps'), controller: { state: 'notYetApplied' as const } },
      { ...deployment('old', 'Extra', 'apps'), controller: { state: 'pendingPrune' as const } },
    ];
    assert.deepEqual(resources.map(resourceDescription), ['replicas 2 → 5', 'not yet applied', 'pending prune']);
    assert.equal(
      environmentDescription({ resources, error: null, context: 'prod' }),
      '1 drifted · 1 pending prune · 1 not yet applied · ctx prod',
    );
    assert.equal(
      resourceMessage('prod', resources[2]),
      'prod: Deployment shop/old is pending prune: Flux applied it and git no longer renders it',
    );
  });

  it('says the Kustomization state in a few words for the tree, in full for the tooltip', () => {
    assert.equal(controllerBadge(status({ behind: 3 })), 'Flux: ready · 3 behind');
    assert.equal(controllerBadge(status({ suspended: true })), 'Flux: suspended · ready');
    assert.equal(
      controllerBadge(status({ ready: { status: 'False', reason: 'BuildFailed' } })),
      'Flux: not ready (BuildFailed)',
    );
    assert.equal(controllerBadge(status({ found: false })), 'Flux: not deployed');
    assert.equal(
      controllerTooltip(status({ revision: 'applied 1000000, git is at 3000000 (2 commits behind)' })),
      'Kustomization flux-system/apps: ready; applied 1000000, git is at 3000000 (2 commits behind)',
    );
  });
});

describe('Flux Kustomization status through the engine: a cluster of two Kustomizations', () => {
  const fluxKs = (name: string, path: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 5m\n  prune: true\n  path: ${path}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;
  const k = (...resources: string[]) =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`;
  const cmYaml = (name: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n  k: v\n`;
  const cm = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'shop' },
    data: { k: 'v' },
  });
  const ks = (name: string, entries: string[], spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: { interval: '5m', prune: true, ...spec },
    status: {
      ...ready,
      lastAppliedRevision: `main@sha1:${sha(2)}`,
      inventory: { entries: entries.map((n) => ({ id: `shop_${n}__ConfigMap`, v: 'v1' })) },
    },
  });
  const kustomizationType: ResourceType = {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    kind: 'Kustomization',
    resource: 'kustomizations',
    namespaced: true,
    verbs: ['list', 'watch'],
  };

  it("sets each application's status from its own Kustomization, and gives each leftover to the one that applied it", async () => {
    const fs = new MemoryFileSystem({
      '/r/clusters/prod/apps.yaml': fluxKs('apps', './apps/prod'),
      '/r/clusters/prod/infra.yaml': fluxKs('infra', './infrastructure'),
      '/r/apps/prod/kustomization.yaml': k('a.yaml', 'new.yaml'),
      '/r/apps/prod/a.yaml': cmYaml('a'),
      '/r/apps/prod/new.yaml': cmYaml('new'),
      '/r/infrastructure/kustomization.yaml': k('i.yaml'),
      '/r/infrastructure/i.yaml': cmYaml('i'),
    });
    // infra is suspended; apps applied `a` and `old-app` (no longer in git) and not yet `new`.
    const live = [cm('a'), cm('i'), cm('old-app'), ks('apps', ['a', 'old-app']), ks('infra', ['i'], { suspend: true })];
    const engine = new DriftEngine({ fs, repoRoot: '/r', git: fakeGit([sha(3), sha(2), sha(1)]) });
    const report = await engine.check(await engine.environment('prod'), {
      reader: new FakeReader(live, [...types, kustomizationType]),
      context: 'c',
    });
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources
        .map((r) => `${r.key.name} ${r.verdict} ${r.application ?? '-'} ${r.controller?.state ?? '-'}`)
        .sort(),
      ['a InSync apps -', 'i InSync infra -', 'new Missing apps notYetApplied', 'old-app Extra apps pendingPrune'],
    );
    assert.deepEqual(
      report.applications.map((a) => `${a.name}: ${a.controller ? describeControllerStatus(a.controller) : 'none'}`),
      [
        `apps: ready; applied ${sha(2).slice(0, 7)}, git is at ${sha(3).slice(0, 7)} (1 commit behind); 1 pending prune; 1 not yet applied`,
        `infra: suspended; ready; applied ${sha(2).slice(0, 7)}, git is at ${sha(3).slice(0, 7)} (1 commit behind)`,
      ],
    );
  });
});
