/**
 * The saved tree on reopening, in the real extension host with the editor's own store and session (as extension.ts
 * wires them), without a cluster: a tree saved from files that are unchanged is this session's render, shown at once
 * and not marked as the last session's; with no cluster its environments are final ("no cluster") before this
 * session's renders end, which then confirm it. A changed file makes the saved tree the last session's again.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { CacheStore } from '../../../src/core/ports';
import { DriftSession } from '../../../src/vscode/driftSession';
import { DriftStore } from '../../../src/vscode/driftStore';
import { memoryMemento, noSecrets, waitForEvent } from '../support';
import { sessionSettings } from '../../support/sessionSettings';

interface Seen {
  /** Log lines written before this change. */
  logLines: string[];
  entries: { name: string; marked: boolean; checking: boolean; noCluster: boolean; objects: string[] }[];
}

describe('Saved tree on reopening: unchanged files draw final rows at once', function () {
  this.timeout(120_000);
  let root: string;
  const kept = new Map<string, string>();
  const lastKnown: CacheStore = {
    read: (key) => Promise.resolve(kept.get(key)),
    write: (key, value) => Promise.resolve(void kept.set(key, value)),
  };
  const stores: DriftStore[] = [];

  const write = (files: Record<string, string>) => {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
  };

  /** A window's store over the repo, and every change it fired with what the log said before it. */
  function openWindow(): { store: DriftStore; seen: Seen[] } {
    const logLines: string[] = [];
    const logged = new vscode.EventEmitter<void>();
    const line =
      (level: string) =>
      (...parts: unknown[]) => {
        logLines.push(`${level} ${parts.map(String).join(' ')}`);
        logged.fire();
      };
    const log = {
      trace: line('trace'),
      debug: line('debug'),
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
    } as unknown as vscode.LogOutputChannel;
    const settings = sessionSettings(join(root, 'no-such-kubeconfig'));
    const memento = new Map<string, unknown>();
    const store = new DriftStore({
      repoRoot: root,
      createSession: (options) => Promise.resolve(new DriftSession(options)),
      settings: () => settings,
      trusted: () => true,
      log,
      state: memoryMemento(memento),
      secrets: noSecrets,
      lastKnown,
      // As the view does (it waits until the saved tree is drawn), the engine loads once the saved tree was checked
      // against the files: what it finds is then known before discovery and the renders (no race in this test).
      whenTreeDrawn: () =>
        logLines.some((l) => l.includes('showing the tree saved'))
          ? waitForEvent(
              logged.event,
              () => logLines,
              (ls) =>
                ls.some((l) => /saved tree's \d+ files are unchanged|saved tree was rendered from changed/.test(l)),
              30_000,
              'the saved tree checked against the files',
              (ls) => ls.join('\n'),
            ).then(() => undefined)
          : Promise.resolve(),
    });
    stores.push(store);
    const seen: Seen[] = [];
    store.onDidChange(() =>
      seen.push({
        logLines: [...logLines],
        entries: store.entries.map((e) => ({
          name: e.env.name,
          marked: e.lastKnown !== undefined,
          checking: e.checking,
          noCluster: e.report?.noCluster === true,
          objects: (e.report?.resources ?? []).map((r) => `${r.key.kind}/${r.key.name}`).sort(),
        })),
      }),
    );
    return { store, seen };
  }

  const objectsOf = (store: DriftStore) =>
    Object.fromEntries(
      store.entries.map((e) => [
        e.env.name,
        (e.report?.resources ?? []).map((r) => `${r.key.kind}/${r.key.name}`).sort(),
      ]),
    );

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'gitops-drift-saved-tree-'));
    const overlay = (name: string, replicas: number) => ({
      [`envs/${name}/kustomization.yaml`]: `resources:\n  - ../../base\nnamePrefix: ${name}-\npatches:\n  - path: replicas.yaml\n`,
      [`envs/${name}/replicas.yaml`]: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${replicas}\n`,
    });
    write({
      'base/kustomization.yaml': 'resources:\n  - web.yaml\n  - config.yaml\n',
      'base/web.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n',
      'base/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  a: "1"\n',
      ...overlay('dev', 1),
      ...overlay('prod', 3),
    });
  });
  after(() => {
    for (const s of stores) s.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a first window renders the repo and keeps the tree with digests of what it read', async () => {
    const { store } = openWindow();
    await store.refresh({ reload: true });
    assert.deepEqual(objectsOf(store), {
      dev: ['ConfigMap/dev-web-config', 'Deployment/dev-web'],
      prod: ['ConfigMap/prod-web-config', 'Deployment/prod-web'],
    });
    const saved = JSON.parse(kept.get('last-known-tree') ?? '{}') as { inputs?: { files: Record<string, unknown> } };
    assert.ok(saved.inputs, 'the saved tree keeps its inputs');
    assert.ok('base/web.yaml' in saved.inputs.files && 'envs/prod/replicas.yaml' in saved.inputs.files);
    // Digests, never the files' text.
    assert.ok(!JSON.stringify(saved).includes('image: web:1'));
  });

  it('a reopened window shows the unchanged tree as final, "no cluster" before its renders end, then confirms it', async () => {
    const { store, seen } = openWindow();
    await store.refresh({ reload: true });
    // The saved tree at once, marked until checked against the files; then unmarked, with the same objects.
    const savedRows = [
      ['dev', ['ConfigMap/dev-web-config', 'Deployment/dev-web']],
      ['prod', ['ConfigMap/prod-web-config', 'Deployment/prod-web']],
    ];
    assert.deepEqual(
      seen[0]?.entries.map((e) => [e.name, e.objects, e.marked]),
      savedRows.map((r) => [...r, true]),
    );
    assert.deepEqual(
      seen[1]?.entries.map((e) => [e.name, e.objects, e.marked]),
      savedRows.map((r) => [...r, false]),
    );
    // Every environment was final (no cluster, not checking) at a change before this session's renders were logged.
    const settled = seen.find((s) => s.entries.every((e) => e.noCluster && !e.checking && e.objects.length === 2));
    assert.ok(settled, `never settled: ${JSON.stringify(seen.map((s) => s.entries))}`);
    assert.ok(!settled.logLines.some((l) => /rendered (dev|prod|2 environments)/.test(l)), settled.logLines.join('\n'));
    // Never "checking…" again after it settled, and the renders confirm the same objects.
    const after = seen.slice(seen.indexOf(settled));
    assert.ok(after.every((s) => s.entries.every((e) => !e.checking && !e.marked)));
    assert.deepEqual(objectsOf(store), {
      dev: ['ConfigMap/dev-web-config', 'Deployment/dev-web'],
      prod: ['ConfigMap/prod-web-config', 'Deployment/prod-web'],
    });
    assert.ok(store.entries.every((e) => e.report?.noCluster));
  });

  it("after a file changed, the saved tree is shown as the last session's until rendered again", async () => {
    write({ 'base/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  a: "2"\n' });
    const { store, seen } = openWindow();
    await store.refresh({ reload: true });
    assert.deepEqual(
      seen[0]?.entries.map((e) => [e.name, e.marked, e.checking]),
      [
        ['dev', true, true],
        ['prod', true, true],
      ],
    );
    assert.deepEqual(objectsOf(store), {
      dev: ['ConfigMap/dev-app-config', 'Deployment/dev-web'],
      prod: ['ConfigMap/prod-app-config', 'Deployment/prod-web'],
    });
  });
});
