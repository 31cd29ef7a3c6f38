import { strict as assert } from 'node:assert';
import { applyArgoStatus, argoBadge, describeArgoStatus } from '../../../src/core/drift/argoStatus';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { textReport } from '../../../src/core/drift/textReport';
import { argoApplicationOf, parseArgoApplication } from '../../../src/core/live/argoApplication';
import { SharedListReader } from '../../../src/core/live/sharedLists';
import { controllerTooltip, resourceDescription } from '../../../src/core/editor/presentation';
import type { EnvironmentDrift, FieldDrift, ResourceDrift } from '../../../src/core/model/drift';
import { folderApplication } from '../../../src/core/model/environment';
import type { KubeObject } from '../../../src/core/model/resource';
import { controllerStates } from '../../../src/core/model/verdictState';
import type { Git, GitCommit, ResourceType } from '../../../src/core/ports';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { FakeReader, types } from '../repo/fakes';
import { argoApplication, argoApplicationIn } from '../../support/argoApplication';

const sha = (n: number) => n.toString(16).padEnd(40, '0');
const ref = { name: 'guestbook', namespace: 'argocd' };

function application(
  status: Record<string, unknown>,
  syncPolicy?: Record<string, unknown>,
  name = 'guestbook',
): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'default',
      source: { repoURL: 'https://example.com/config.git', path: `apps/${name}` },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
      ...(syncPolicy ? { syncPolicy } : {}),
    },
    status,
  };
}

const entry = (name: string, status: string, extra: Record<string, unknown> = {}) => ({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  namespace: 'shop',
  name,
  status,
  health: { status: 'Healthy' },
  ...extra,
});

const deployment = (
  name: string,
  verdict: ResourceDrift['verdict'],
  fields: FieldDrift[] = [],
  application: string | null = 'guestbook',
): ResourceDrift => ({
  apiVersion: 'apps/v1',
  key: { group: 'apps', kind: 'Deployment', namespace: 'shop', name },
  verdict,
  fields,
  ...(application ? { application } : {}),
});

const upToDate = { head: sha(1), behind: 0 };

describe('Argo CD Application status', () => {
  it('reads sync, health, the last operation, conditions, resources and the sync policy; tolerates any shape', () => {
    const state = parseArgoApplication(
      application(
        {
          sync: { status: 'OutOfSync', revision: sha(2), comparedTo: { ignoreDifferences: [{ kind: 'Deployment' }] } },
          health: { status: 'Degraded', message: 'Deployment web: progress deadline exceeded' },
          operationState: {
            phase: 'Failed',
            message: 'one or more objects failed to apply',
            finishedAt: '2026-12-06T10:00:00Z',
            syncResult: { revision: sha(2) },
          },
          conditions: [{ type: 'SyncError', message: 'failed' }, { message: 'no type' }],
          resources: [entry('web', 'OutOfSync'), entry('old', 'OutOfSync', { requiresPruning: true }), { kind: 7 }],
          reconciledAt: '2026-12-06T10:01:00Z',
        },
        { automated: { prune: true } },
      ),
    );
    assert.equal(state.sync, 'OutOfSync');
    assert.equal(state.revision, sha(2));
    assert.deepEqual(state.health, { status: 'Degraded', message: 'Deployment web: progress deadline exceeded' });
    assert.deepEqual(state.operation, {
      phase: 'Failed',
      message: 'one or more objects failed to apply',
      finishedAt: '2026-12-06T10:00:00Z',
      revision: sha(2),
    });
    assert.deepEqual(state.conditions, [{ type: 'SyncError', message: 'failed' }]);
    assert.deepEqual(
      state.resources.map((r) => `${r.key.name} ${r.status} ${r.requiresPruning}`),
      ['web OutOfSync false', 'old OutOfSync true'],
    );
    assert.deepEqual(state.automated, { prune: true, selfHeal: false });
    assert.equal(state.comparedIgnoreRules, 1);
    // Multi-source: the first of `revisions`; `automated.enabled: false` is manual sync.
    const multi = parseArgoApplication(
      application({ sync: { status: 'Synced', revisions: [sha(3), sha(4)] } }, { automated: { enabled: false } }),
    );
    assert.equal(multi.revision, sha(3));
    assert.equal(multi.automated, undefined);
    assert.deepEqual(parseArgoApplication({ apiVersion: 'x', kind: 'Application', metadata: { name: 'a' } }), {
      sync: '',
      conditions: [],
      resources: [],
    });
  });

  it("finds the Application behind an application: its manifest's name and namespace, else the tracking name in argocd", () => {
    const app = folderApplication('guestbook', 'apps/guestbook');
    app.argo = { at: { file: 'a.yaml', line: 1, column: 1 }, application: { name: 'guestbook', namespace: 'team-a' } };
    assert.deepEqual(argoApplicationOf(app), { name: 'guestbook', namespace: 'team-a' });
    assert.deepEqual(argoApplicationOf(folderApplication('x', 'x'), { argocdApp: 'x' }), {
      name: 'x',
      namespace: 'argocd',
    });
    assert.equal(argoApplicationOf(folderApplication('x', 'x')), undefined);
  });

  it('names a disagreement where Argo CD says Synced and a field differs, with its likely cause', () => {
    const webhook = deployment('web', 'Drifted', [
      {
        path: '/spec/template/spec/containers/0/image',
        label: 'containers[web].image',
        desired: 'web:1',
        live: 'registry.local/web:1',
        changedBy: { manager: 'argocd-controller', operation: 'Apply' },
      },
    ]);
    const label = deployment('api', 'Drifted', [
      { path: '/metadata/labels/team', label: 'labels.team', desired: undefined, live: 'x', cause: 'outOfBand' },
    ]);
    const other = deployment('db', 'Drifted', [{ path: '/spec/replicas', label: 'replicas', desired: 1, live: 2 }]);
    const agreed = deployment('cache', 'Drifted', [{ path: '/spec/replicas', label: 'replicas', desired: 1, live: 3 }]);
    const resources = [webhook, label, other, agreed];
    const { status } = applyArgoStatus(
      'guestbook',
      ref,
      {
        status: 'ok',
        object: application(
          {
            sync: { status: 'OutOfSync', revision: sha(1) },
            health: { status: 'Healthy' },
            resources: [
              entry('web', 'Synced'),
              entry('api', 'Synced'),
              entry('db', 'Synced'),
              entry('cache', 'OutOfSync'),
            ],
          },
          { automated: { selfHeal: true } },
        ),
      },
      resources,
      upToDate,
      'cluster',
    );
    assert.match(
      webhook.controller!.disagreement!,
      /^Argo CD says Synced, here drifted: likely a mutating webhook: containers\[web\]\.image was last written by argocd-controller/,
    );
    assert.match(
      label.controller!.disagreement!,
      /^Argo CD says Synced, here drifted: a normalisation: labels\.team is a field git does not set/,
    );
    assert.match(other.controller!.disagreement!, /likely an ignore rule Argo CD has and this repo lacks/);
    // Both say it differs: no disagreement, and the note says what Argo CD will do.
    assert.equal(agreed.controller!.disagreement, undefined);
    assert.equal(agreed.controller!.note, 'Argo CD will revert this (automated sync with self-heal)');
    assert.deepEqual(agreed.controller!.argo, { status: 'OutOfSync', health: 'Healthy' });
    assert.equal(status.argo!.disagreements.length, 3);
    assert.deepEqual(controllerStates(status), ['outOfSync', 'disagrees']);
    assert.equal(resourceDescription(other), 'replicas 1 → 2 · Argo CD: Synced');
    assert.equal(resourceDescription(agreed), 'replicas 1 → 3');
  });

  it('names the other way round: Argo CD says OutOfSync, here in sync (an ignore rule here, a normalisation, a revision)', () => {
    const ignored: ResourceDrift = {
      ...deployment('web', 'InSync'),
      ignored: [
        { path: '/spec/replicas', label: 'spec.replicas', rule: { file: '.gitops-drift.yaml', line: 7, column: 5 } },
      ],
    };
    const normalised = deployment('api', 'InSync');
    const read = {
      status: 'ok' as const,
      object: application({
        sync: { status: 'OutOfSync', revision: sha(1) },
        resources: [entry('web', 'OutOfSync'), entry('api', 'OutOfSync')],
      }),
    };
    applyArgoStatus('guestbook', ref, read, [ignored, normalised], upToDate, 'cluster');
    assert.equal(
      ignored.controller!.disagreement,
      'Argo CD says OutOfSync, here in sync: an ignore rule here hides spec.replicas (.gitops-drift.yaml:7), and Argo CD does not apply it',
    );
    assert.match(normalised.controller!.disagreement!, /^Argo CD says OutOfSync, here in sync: a normalisation here/);
    // Argo CD compared a commit 2 behind HEAD: that is the likelier cause.
    const behind = deployment('api', 'InSync');
    const { status } = applyArgoStatus('guestbook', ref, read, [behind], { head: sha(3), behind: 2 }, 'cluster');
    assert.equal(
      behind.controller!.disagreement,
      `Argo CD says OutOfSync, here in sync: Argo CD compared ${sha(1).slice(0, 7)}, 2 commits behind git's HEAD: the difference may come from a newer commit`,
    );
    assert.equal(status.behind, 2);
    assert.equal(status.revision, `compared ${sha(1).slice(0, 7)}, git is at ${sha(3).slice(0, 7)} (2 commits behind)`);
  });

  it('marks what Argo CD would prune as pending prune, with what its sync policy will do; the rest it names unreported', () => {
    const old = deployment('old', 'Extra', [], null);
    const kept = deployment('kept', 'Extra', [], null);
    const stranger = deployment('stranger', 'Extra', [], null);
    const { status, unreported } = applyArgoStatus(
      'guestbook',
      ref,
      {
        status: 'ok',
        object: application({
          sync: { status: 'OutOfSync', revision: sha(1) },
          health: { status: 'Healthy' },
          resources: [
            entry('old', 'OutOfSync', { requiresPruning: true }),
            entry('kept', 'OutOfSync', { requiresPruning: true }),
            entry('gone', 'OutOfSync', { requiresPruning: true }),
          ],
        }),
      },
      [old, kept, stranger],
      upToDate,
      'cluster',
      (key) =>
        key.name === 'kept'
          ? [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                metadata: { name: 'kept', annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' } },
              },
            ]
          : [],
    );
    assert.deepEqual(
      [old, kept, stranger].map(
        (r) => `${r.key.name} ${r.application ?? '-'} ${r.controller?.state ?? '-'} ${r.controller?.note ?? '-'}`,
      ),
      [
        'old guestbook pendingPrune prune is off: Argo CD leaves this in the cluster (OutOfSync) until a sync with prune',
        'kept guestbook pendingPrune Prune=false on this object: Argo CD never prunes it',
        'stranger - - -',
      ],
    );
    assert.equal(status.pendingPrune, 2);
    assert.deepEqual(
      unreported.map((u) => u.key.name),
      ['gone'],
    );
    assert.equal(status.argo!.resources.requiresPruning, 3);
  });

  it('names a disagreement on the application as a whole when no object explains it', () => {
    const drifted = deployment('web', 'Drifted', [{ path: '/spec/replicas', desired: 1, live: 2 }]);
    const { status } = applyArgoStatus(
      'guestbook',
      ref,
      {
        status: 'ok',
        object: application({ sync: { status: 'Synced', revision: sha(1) }, health: { status: 'Healthy' } }),
      },
      [drifted],
      upToDate,
      'api',
    );
    assert.deepEqual(status.argo!.disagreements, [
      { argo: 'Synced', here: '1 differ', cause: 'Argo CD lists no objects for it yet' },
    ]);
    assert.equal(status.argo!.via, 'api');
    assert.equal(
      describeArgoStatus(status),
      `Synced, Healthy; compared ${sha(1).slice(0, 7)}, git is at ${sha(1).slice(0, 7)} (up to date); manual sync; Argo CD says Synced, here 1 differ: Argo CD lists no objects for it yet`,
    );
  });

  it('says an Application the cluster lacks is not there, and words a settled one shortly', () => {
    const { status } = applyArgoStatus(
      'guestbook',
      ref,
      { status: 'absent', message: 'Argo CD has no Application argocd/guestbook' },
      [],
      upToDate,
      'cluster',
    );
    assert.equal(describeArgoStatus(status), 'not in the cluster: Argo CD has no Application argocd/guestbook');
    assert.equal(argoBadge(status), 'Argo CD: not deployed');
    assert.deepEqual(controllerStates(status), ['notDeployed']);
    const settled = applyArgoStatus(
      'guestbook',
      ref,
      {
        status: 'ok',
        object: application(
          {
            sync: { status: 'Synced', revision: sha(1) },
            health: { status: 'Healthy' },
            resources: [entry('web', 'Synced')],
          },
          { automated: { prune: true, selfHeal: true } },
        ),
      },
      [deployment('web', 'InSync')],
      upToDate,
      'cluster',
    ).status;
    assert.equal(argoBadge(settled), 'Argo CD: Synced · Healthy');
    assert.deepEqual(controllerStates(settled), []);
    assert.equal(
      controllerTooltip(settled),
      `Argo CD Application argocd/guestbook: Synced, Healthy; compared ${sha(1).slice(0, 7)}, git is at ${sha(1).slice(0, 7)} (up to date); automated sync, self-heal, prune`,
    );
  });
});

function fakeGit(commits: string[]): Git {
  const commit = (s: string): GitCommit => ({ sha: s, author: 'a', date: '2026-01-01', subject: s, files: [] });
  return {
    log: async (_paths: string[], max: number) => commits.slice(0, max).map(commit),
    commit: async (rev: string) => (commits.includes(rev) ? commit(rev) : undefined),
  } as unknown as Git;
}

describe('Argo CD status through the engine: two Applications, one LIST', () => {
  const appYaml = (name: string) =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: https://example.com/config.git\n    path: apps/${name}\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n`;
  const cmYaml = (name: string, value: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n  k: ${value}\n`;
  const cm = (name: string, value: string, instance: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/instance': instance } },
    data: { k: value },
  });
  const applicationType: ResourceType = {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Application',
    resource: 'applications',
    namespaced: true,
    verbs: ['list', 'watch'],
  };
  const cmEntry = (name: string, status: string, extra: Record<string, unknown> = {}) => ({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespace: 'shop',
    name,
    status,
    ...extra,
  });

  it("shows each Application's status beside the verdicts, names the disagreements, and reads Applications once", async () => {
    const fs = new MemoryFileSystem({
      '/r/argo/guestbook.yaml': appYaml('guestbook'),
      '/r/argo/blog.yaml': appYaml('blog'),
      '/r/apps/guestbook/cm.yaml': cmYaml('guestbook', 'one'),
      '/r/apps/blog/cm.yaml': cmYaml('blog', 'one'),
    });
    const live = [
      // guestbook: the value differs by hand, yet Argo CD says Synced; an object it would prune is left behind.
      cm('guestbook', 'two', 'guestbook'),
      cm('guestbook-old', 'x', 'guestbook'),
      cm('blog', 'one', 'blog'),
      application(
        {
          sync: { status: 'Synced', revision: sha(2) },
          health: { status: 'Healthy' },
          resources: [cmEntry('guestbook', 'Synced'), cmEntry('guestbook-old', 'OutOfSync', { requiresPruning: true })],
        },
        { automated: { prune: true } },
        'guestbook',
      ),
      application(
        {
          sync: { status: 'Synced', revision: sha(2) },
          health: { status: 'Healthy' },
          operationState: { phase: 'Succeeded', message: 'successfully synced' },
          resources: [cmEntry('blog', 'Synced')],
        },
        undefined,
        'blog',
      ),
    ];
    const reader = new FakeReader(live, [...types, applicationType]);
    const shared = new SharedListReader(reader);
    const engine = new DriftEngine({ fs, repoRoot: '/r', git: fakeGit([sha(3), sha(2)]) });
    const repo = await engine.repo();
    // The two Applications (the folder holding them is an app-of-apps root of its own, not checked here).
    const apps = ['guestbook', 'blog'].map((name) => argoApplicationIn(repo.environments, name));
    assert.deepEqual(
      apps.map((env) => env.applications.map((a) => a.name)),
      [['guestbook'], ['blog']],
    );
    const [guestbook, blog] = await Promise.all(apps.map((env) => engine.check(env, { reader: shared, context: 'c' })));
    assert.deepEqual(
      guestbook.resources
        .map((r) => `${r.key.name} ${r.verdict} ${r.controller?.state ?? '-'} ${r.controller?.argo?.status ?? '-'}`)
        .sort(),
      ['guestbook Drifted - Synced', 'guestbook-old Extra pendingPrune OutOfSync'],
    );
    const drifted = guestbook.resources.find((r) => r.key.name === 'guestbook')!;
    assert.match(
      drifted.controller!.disagreement!,
      /^Argo CD says Synced, here drifted: Argo CD compared 2000000, 1 commit behind git's HEAD/,
    );
    assert.equal(guestbook.applications[0].controller?.kind, 'Application');
    assert.deepEqual(controllerStates(guestbook.applications[0].controller!), ['behind', 'pendingPrune', 'disagrees']);
    assert.deepEqual(controllerStates(blog.applications[0].controller!), ['behind']);
    // Both Applications came from one LIST of the argocd namespace.
    assert.equal(reader.lists, 2, 'one LIST of ConfigMaps in shop, one of Applications in argocd, and nothing else');

    const text = textReport([guestbook, blog] as EnvironmentDrift[], { color: false });
    // The row starts with the environment's name: the Application's own, or its destination's (argocd.environments).
    const appRow = text.split('\n').find((l) => l.includes('Application argocd/guestbook')) ?? '';
    assert.ok(appRow.startsWith(`${guestbook.name}  `), appRow);
    assert.match(
      appRow,
      /Application argocd\/guestbook +Argo CD: Synced, Healthy; compared 2000000, git is at 3000000 \(1 commit behind\); 1 of 2 objects out of sync; 1 pending prune; automated sync, prune; disagrees on 1 object/,
    );
    assert.match(text, /ConfigMap shop\/guestbook +Argo CD says Synced, here drifted: Argo CD compared 2000000/);
    assert.match(
      text,
      /ConfigMap shop\/guestbook-old +pending prune: Argo CD would prune it, git no longer renders it/,
    );
    assert.match(text, /note: Argo CD will delete this at its next sync \(automated prune\)/);
    const json = jsonReport([guestbook], []);
    const controller = json.environments[0].applications[0].controller!;
    assert.equal(controller.kind, 'Application');
    assert.deepEqual(controller.states, ['behind', 'pendingPrune', 'disagrees']);
    assert.equal(controller.argo!.sync, 'Synced');
    assert.equal(controller.argo!.disagreements.length, 1);
    const jsonDrifted = json.environments[0].resources.find((r) => r.name === 'guestbook')!;
    assert.deepEqual(jsonDrifted.controller!.argo, { status: 'Synced', health: null, requiresPruning: false });
    assert.match(jsonDrifted.controller!.disagreement!, /^Argo CD says Synced, here drifted/);
  });

  it("says so on the application, and still checks its objects, when the cluster does not serve Argo CD's kind", async () => {
    const fs = new MemoryFileSystem({
      '/r/argo/guestbook.yaml': appYaml('guestbook'),
      '/r/apps/guestbook/cm.yaml': cmYaml('guestbook', 'one'),
    });
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    const report = await engine.check(await argoApplication(engine, 'guestbook'), {
      reader: new FakeReader([cm('guestbook', 'one', 'guestbook')], types),
      context: 'c',
    });
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources.map((r) => `${r.key.name} ${r.verdict}`),
      ['guestbook InSync'],
    );
    const c = report.applications[0].controller!;
    assert.equal(c.found, false);
    assert.match(c.message!, /argoproj\.io/);
  });
});
