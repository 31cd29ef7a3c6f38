/**
 * A first opening of an environment of many applications (a Flux cluster's Kustomizations) draws the first screen of
 * them before the rest, in the real extension host with the editor's own store, session and tree: once the first six
 * are rendered the view shows their objects, the others say "rendering…", the environment says how many are in, and
 * no render starts until the view has drawn it. The whole render then replaces it; a re-check never shows a partial
 * one.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { EnvironmentReport, RenderProgress } from '../../../src/core/engine';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { DriftSession, type SessionOptions } from '../../../src/vscode/driftSession';
import { DriftStore } from '../../../src/vscode/driftStore';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';
import { sessionSettings } from '../../support/sessionSettings';
import { memoryMemento, noSecrets } from '../support';

const APPS = ['web', 'api', 'jobs', 'cache', 'queue', 'search', 'mail', 'auth'];
/** Their renders end only once the first six's have (see openWindow): the first screen is always those six. */
const LAST = ['mail', 'auth'];
/** What an application's row says once rendered, not checked (no cluster). */
const renderedRow = (a: string) => `${a} 1 not checked`;

/** What the view showed the moment a partial render was drawn. */
interface Drawn {
  rendered?: number;
  environment: string | boolean | undefined;
  applications: string[];
  kinds: string[];
}

describe('Environments view: an environment of many applications draws its first screen first', function () {
  this.timeout(60_000);
  let root: string;
  const disposables: vscode.Disposable[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'gitops-drift-partial-'));
    const files: Record<string, string> = {
      '.gitops-drift.yaml': `environments:\n  - name: prod\n    applications:\n${APPS.map((a) => `      - name: ${a}\n        path: apps/${a}\n`).join('')}`,
    };
    for (const a of APPS) {
      files[`apps/${a}/kustomization.yaml`] = 'resources:\n  - cm.yaml\n';
      files[`apps/${a}/cm.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${a}\n`;
    }
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
  });
  after(() => {
    for (const d of disposables) d.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /**
   * A window's store and tree over the repo, with the editor's own session whose preview notes what the view shows
   * right after each partial render is offered (`whenShown` runs then too).
   */
  function openWindow(whenShown: (store: DriftStore) => void = () => undefined) {
    const drawn: Drawn[] = [];
    const drawing: number[] = [];
    const previews: { partials: number }[] = [];
    let firstSixDone!: () => void;
    const lastMayEnd = new Promise<void>((resolve) => (firstSixDone = resolve));
    class Watched extends DriftSession {
      constructor(options: SessionOptions) {
        super(options);
        // The last two applications' renders end only once the other six have: which render ends first is otherwise
        // the thread pool's to say.
        const render = this.engine.renderApplication.bind(this.engine);
        this.engine.renderApplication = async (env, app, live) => {
          const result = await render(env, app, live);
          if (LAST.includes(app.name)) await lastMayEnd;
          return result;
        };
      }

      override async preview(
        env: RepoEnvironment,
        onProgress?: (progress: RenderProgress, partial: () => EnvironmentReport) => Promise<void> | void,
      ) {
        const seen = { partials: 0 };
        previews.push(seen);
        return super.preview(
          env,
          onProgress &&
            ((progress, partial) => {
              seen.partials++;
              const hold = onProgress(progress, partial);
              if (progress.rendered === APPS.length - LAST.length) firstSixDone();
              // Drawn at once: the store holds it now, and holds the renders until the view has drawn it.
              if (hold) {
                drawn.push({ ...snapshot(), rendered: progress.rendered });
                whenShown(store);
              }
              return hold;
            }),
        );
      }
    }
    const log = vscode.window.createOutputChannel('GitOps Drift (partial render test)', { log: true });
    const store = new DriftStore({
      repoRoot: root,
      createSession: (options) => Promise.resolve(new Watched(options)),
      settings: () => sessionSettings(join(root, 'no-such-kubeconfig')),
      trusted: () => true,
      log,
      state: memoryMemento(),
      secrets: noSecrets,
      // The view drawing what it was shown (noted when it is a first screen); drawn at once.
      whenTreeDrawn: () => {
        const rendering = store.entry('prod')?.report?.rendering;
        if (rendering) drawing.push(rendering.rendered);
        return Promise.resolve();
      },
    });
    const tree = new EnvironmentsTreeProvider(store);
    disposables.push(log, store, tree);
    // Synchronous on purpose: the tree's getChildren and getTreeItem answer from the store as it is this moment.
    const children = (e?: TreeElement) => tree.getChildren(e) as TreeElement[];
    const item = (e: TreeElement) => tree.getTreeItem(e) as vscode.TreeItem;
    const label = (e: TreeElement) => `${String(item(e).label)} ${String(item(e).description)}`;
    const snapshot = (): Drawn => {
      // (Without a cluster, a row saying so comes first.)
      const env = children().find((e) => e.type === 'environment')!;
      const apps = children(env);
      return {
        environment: item(env).description,
        applications: apps.map(label),
        kinds: apps.flatMap((a) => children(a).map((k) => `${String(item(a).label)} ${String(item(k).label)}`)),
      };
    };
    return { store, drawn, drawing, previews, snapshot };
  }

  it('draws the first screen once it is rendered, holds the renders while the view draws it, then the whole render', async () => {
    const { store, drawn, drawing, previews, snapshot } = openWindow();
    await store.refresh({ reload: true });
    assert.equal(previews.length, 1);
    // One partial report offered for each application that ends before the last; one drawn.
    assert.equal(previews[0].partials, APPS.length - 1);
    assert.equal(drawn.length, 1, 'the first screen is drawn once');
    const [first] = drawn;
    // The first six: the first screen, drawn before the last two end.
    assert.equal(first.rendered, 6);
    assert.match(String(first.environment), /^6 not checked · .*6 of 8 applications rendered$/);
    assert.deepEqual(first.applications, [...APPS.slice(0, 6).map(renderedRow), ...LAST.map((a) => `${a} rendering…`)]);
    // Only those rendered have objects under them.
    assert.deepEqual(
      first.kinds,
      APPS.slice(0, 6).map((a) => `${a} ConfigMap`),
    );
    // The renders were held until the view had drawn it (the engine's side: test/unit/core/partialRender.test.ts).
    assert.deepEqual(drawing, [6]);

    // The whole render (then the check, with no cluster) replaced it.
    const report = store.entry('prod')!.report!;
    assert.equal(report.rendering, undefined);
    assert.deepEqual(
      report.applications.map((a) => a.state),
      APPS.map(() => 'rendered'),
    );
    assert.equal(report.resources.length, APPS.length);
    const whole = snapshot();
    assert.doesNotMatch(String(whole.environment), /applications rendered/);
    assert.deepEqual(whole.applications, APPS.map(renderedRow));

    // A re-check keeps the verdicts it has until the new ones arrive: no partial render.
    await store.refresh({ environments: ['prod'] });
    assert.equal(previews.length, 1, 'a re-check does not render as a first opening does');
    assert.equal(store.entry('prod')!.report!.rendering, undefined);
  });

  it('a first screen cancelled while the view draws it is not kept: the environment has no report', async () => {
    let cancelled = false;
    const { store, drawn } = openWindow((s) => {
      if (!cancelled) s.cancel();
      cancelled = true;
    });
    await store.refresh({ reload: true });
    assert.equal(drawn.length, 1);
    assert.equal(store.entry('prod')!.report, undefined);
    assert.equal(store.entry('prod')!.checking, false);
    // The next refresh renders it whole (drawing its first screen again).
    await store.refresh({});
    assert.equal(drawn.length, 2);
    assert.equal(store.entry('prod')!.report?.rendering, undefined);
    assert.equal(store.entry('prod')!.report?.resources.length, APPS.length);
  });
});
