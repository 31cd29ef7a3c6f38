// What the editor benches (bench/ui/editor.mjs, bench/flux/editor.mjs) share: where one window's time goes, read
// from code-server's logs on the page's clock (the logs stamp this machine's local time, as Date parses it); the
// in-window probe, a trivial extension installed beside ours whose one tree row, drawn in the same side bar as our
// view, says when each window first lets an extension draw a row (what of the 1.5 s target is the editor's and what
// is ours, paired per window); and the floor, how long a trivial extension's one tree row takes to appear in a
// separate code-server.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExtension, repoRoot, startCodeServer } from '../test/editor/harness/codeServer.mjs';

const STAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \[\w+\] (.*)$/;
const wall = (stamp) => new Date(stamp.replace(' ', 'T')).getTime();

/** Each log line of `file` as { at (ms since the epoch), text }. */
function stampedLines(file) {
  if (!existsSync(file)) return [];
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = STAMP.exec(line);
    if (m) out.push({ at: wall(m[1]), text: m[2] });
  }
  return out;
}

/** Every extension host log folder (`…/exthostN`) under code-server's logs folder. */
function extensionHostFolders(logsDir) {
  if (!existsSync(logsDir)) return [];
  return readdirSync(logsDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name === 'remoteexthost.log')
    .map((e) => e.parentPath ?? e.path);
}

/**
 * The points of one window's start, in ms after `readyWall` (the workbench drawn; negative = before it), from the
 * extension host that started after `openedWall` (the page opened): the extension host process up, our activation
 * (and the event that caused it), the activate() call returned, the saved tree read and shown, the lazy engine bundle
 * loaded, discovery done, an open environment's first screen of applications, the first environment rendered, every
 * environment rendered and checked, the lint done.
 */
export async function windowTimeline({
  logsDir,
  openedWall,
  readyWall,
  waitFor = /authoring checks:/,
  timeout = 30_000,
}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const host = extensionHostFolders(logsDir)
      .map((dir) => ({ dir, lines: stampedLines(join(dir, 'remoteexthost.log')) }))
      .find((h) => h.lines[0] && h.lines[0].at >= openedWall - 1000 && /Extension host with pid/.test(h.lines[0].text));
    const ours = host ? stampedLines(join(host.dir, 'gitops-drift.gitops-drift', 'GitOps Drift.log')) : [];
    if ((host && ours.some((l) => waitFor.test(l.text))) || Date.now() > deadline) {
      const rel = (at) => (at === undefined ? undefined : at - readyWall);
      const first = (lines, re) => lines.find((l) => re.test(l.text));
      const activation = host && first(host.lines, /_doActivateExtension gitops-drift\.gitops-drift/);
      const activated = first(ours, /^activated in (\d+) ms/);
      const calledAt = activated && /called at (\S+)\)/.exec(activated.text);
      const activatedWall = calledAt ? new Date(calledAt[1]).getTime() : undefined;
      // A log opens its file a while after activation and stamps the lines written before with that moment: the
      // store's first-load lines carry their own time after activation, which is used when present.
      const at = (re) => {
        const line = first(ours, re);
        const after = line && /\+(\d+) ms after activation/.exec(line.text);
        return rel(after && activatedWall !== undefined ? activatedWall + Number(after[1]) : line?.at);
      };
      const activateMs = activated ? Number(/(\d+) ms/.exec(activated.text)[1]) : undefined;
      return {
        hostStarted: rel(host?.lines[0].at),
        activationEvent: activation ? /activationEvent: '([^']*)'/.exec(activation.text)?.[1] : undefined,
        activating: rel(activation?.at),
        activateCalled: rel(activatedWall),
        activated: rel(activatedWall !== undefined ? activatedWall + activateMs : undefined),
        activateMs,
        savedTreeShown: at(/^showing the tree saved/),
        engineLoaded: at(/^engine loaded/),
        discovered: at(/^found \d+ environments/),
        // An open environment of many applications draws its first screen before its whole render (driftStore.ts).
        firstScreen: at(/^rendered \S+'s first \d+ of \d+ applications/),
        firstRendered: at(/^rendered [^0-9][^:]*: \d+ objects/),
        allRendered: at(/^rendered \d+ environments/),
        allChecked: at(/^checked \d+ environments/),
        lintDone: at(/^authoring checks:/),
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const TIMELINE_LABELS = [
  ['hostStarted', 'extension host up'],
  ['activating', 'activation starts'],
  ['activateCalled', 'bundle loaded, activate() called'],
  ['activated', 'activate() returned'],
  ['savedTreeShown', 'saved tree shown'],
  ['engineLoaded', 'engine bundle loaded'],
  ['discovered', 'discovery done'],
  ['firstScreen', 'first screen'],
  ['firstRendered', 'first render'],
  ['allRendered', 'all rendered'],
  ['allChecked', 'all checked'],
  ['lintDone', 'lint done'],
];

/** One line per window: each point in ms after the workbench was drawn. */
export function formatTimeline(t) {
  const parts = TIMELINE_LABELS.filter(([k]) => t[k] !== undefined).map(([k, label]) => `${label} ${t[k]}`);
  return `${parts.join(', ')} ms${t.activationEvent ? ` (activated by ${t.activationEvent}; activate() ${t.activateMs} ms)` : ''}`;
}

/** The medians of each point over several windows. */
export function medianTimeline(timelines) {
  const out = {};
  for (const [k] of TIMELINE_LABELS) {
    const v = timelines
      .map((t) => t[k])
      .filter((x) => x !== undefined)
      .sort((a, b) => a - b);
    if (v.length) out[k] = v[Math.floor(v.length / 2)];
  }
  return out;
}

/** The text of the in-window probe's one row (see `packageProbe`). */
export const PROBE_ROW = 'probe row one';

/**
 * Writes a trivial extension into `dir` and packages it; returns the .vsix's path. Activation `*`, one tree view
 * (`view`: { id, name }) whose one row says `row`, nothing else. With `containerTitle` the extension contributes the
 * view container `container` to the activity bar itself (the floor's); without it, its view goes into `container`, an
 * existing container another extension contributes (the in-window probe's, into ours). With `stamps` the row's
 * description says when (ms since the epoch, this machine's clock) activate() ran and the view asked for its rows
 * (`probeStamps` reads them).
 */
export function packageRowExtension({ dir, name, displayName, view, row, container, containerTitle, stamps = false }) {
  mkdirSync(join(dir, 'media'), { recursive: true });
  const views = { [container]: [{ id: view.id, name: view.name }] };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name,
        displayName,
        description: 'One tree row, as early as VS Code allows (the GitOps Drift benches measure it).',
        publisher: 'bench',
        version: '0.0.1',
        license: 'MIT',
        engines: { vscode: '^1.100.0' },
        main: './extension.js',
        activationEvents: ['*'],
        contributes: containerTitle
          ? {
              viewsContainers: { activitybar: [{ id: container, title: containerTitle, icon: 'media/icon.svg' }] },
              views,
            }
          : { views },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'extension.js'),
    `const vscode = require('vscode');
exports.activate = (context) => {
  const activated = Date.now();
  context.subscriptions.push(vscode.window.registerTreeDataProvider(${JSON.stringify(view.id)}, {
    getChildren: (e) => (e ? [] : [${JSON.stringify(row)}]),
    getTreeItem: (e) => ${stamps ? 'Object.assign(new vscode.TreeItem(e), { description: `activated ${activated} asked ${Date.now()}` })' : 'new vscode.TreeItem(e)'},
  }));
};
`,
  );
  writeFileSync(
    join(dir, 'media', 'icon.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24"/></svg>\n',
  );
  writeFileSync(join(dir, 'README.md'), `# ${displayName}\n\nA bench fixture.\n`);
  writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
  const vsix = `${dir}.vsix`;
  const r = spawnSync(
    'npx',
    ['--yes', '@vscode/vsce@3', 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
    { cwd: dir, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`packaging ${name} failed:\n${r.stdout}${r.stderr}`);
  return vsix;
}

/** The id of the view container our Environments view is in (from the manifest, package.json). */
export function ourViewContainer() {
  const { contributes } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const id = Object.keys(contributes.views).find((c) =>
    contributes.views[c].some((v) => v.id === 'gitopsDrift.environments'),
  );
  if (!id) throw new Error('package.json contributes no view gitopsDrift.environments');
  return id;
}

/**
 * The in-window probe: a trivial extension (activation `*`, as the floor's) installed beside ours in the same
 * code-server, whose one view ("Probe", one row `PROBE_ROW`) goes into our view container, after our views: every
 * window that shows our Environments view also shows the probe's row, and the moment that row is drawn is when VS
 * Code first lets an extension draw a tree row in that window ("the editor is ready" for extensions). Writes it into
 * `dir`; returns the .vsix's path.
 */
export function packageProbe({ dir }) {
  return packageRowExtension({
    dir,
    name: 'editor-probe',
    displayName: 'Editor Probe',
    view: { id: 'editorProbe.rows', name: 'Probe' },
    row: PROBE_ROW,
    container: ourViewContainer(),
    stamps: true,
  });
}

/**
 * From the probe row's text (its description), when its extension was activated and when its view asked for its rows
 * (getChildren, answered in the same call), in ms since the epoch; undefined when the text holds no stamps.
 */
export function probeStamps(text) {
  const m = /activated (\d+) asked (\d+)/.exec(text ?? '');
  return m ? { activated: Number(m[1]), asked: Number(m[2]) } : undefined;
}

/**
 * When a side bar tree row holding `text` is first drawn (polled every frame): `drawn` on `page`'s clock
 * (performance.now()), and the row's whole text.
 */
export async function rowDrawn(page, text, timeout) {
  const handle = await page
    .waitForFunction(
      (t) => {
        const row = [...document.querySelectorAll('.part.sidebar .monaco-list-row')].find((r) =>
          r.textContent?.includes(t),
        );
        return row ? { drawn: performance.now(), text: row.textContent } : false;
      },
      text,
      { polling: 'raf', timeout },
    )
    .catch((e) => {
      throw new Error(`no side bar row "${text}" drawn: ${e.message}`);
    });
  return handle.jsonValue();
}

/**
 * The floor: a trivial extension (activation `*`, one tree view in its own activity bar container, one row) in a
 * code-server of its own with the same settings, opening the same folder; per window, ms from the workbench drawn
 * (its status bar) to the row drawn. Our extension is not installed there.
 */
export async function measureFloor({ installDir, browser, folder, runs, settings = {}, timeout = 120_000 }) {
  const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-floor-'));
  try {
    const vsix = packageRowExtension({
      dir: join(stateDir, 'floor-extension'),
      name: 'editor-floor',
      displayName: 'Editor Floor',
      view: { id: 'floorBench.rows', name: 'Floor Rows' },
      row: 'floor row one',
      container: 'floorBench',
      containerTitle: 'Floor Bench',
    });
    installExtension({ installDir, stateDir, vsix });
    const server = await startCodeServer({ installDir, stateDir, settings });
    try {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        await page.goto(server.url(folder));
        const ready = await page.waitForFunction(
          () => (document.querySelector('.part.statusbar .statusbar-item') ? performance.now() : false),
          undefined,
          { polling: 'raf', timeout },
        );
        const row = rowDrawn(page, 'floor row one', timeout);
        row.catch(() => undefined);
        // A window restores the side bar as the last one left it: open the container only when another one shows.
        const open = await page
          .locator('.part.sidebar .composite.title')
          .textContent({ timeout: 2_000 })
          .catch(() => '');
        if (!/Floor Bench/i.test(open ?? ''))
          await page.locator('.part.activitybar a[aria-label^="Floor Bench"]').click({ timeout });
        samples.push((await row).drawn - (await ready.jsonValue()));
        await page.close();
      }
      return samples;
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Deletes every tree GitOps Drift saved (the next window is a first opening of the repo; the code caches in the
 * extension's global storage stay, as for a person opening another repo with the extension used before).
 */
export function forgetSavedTrees(userDir) {
  for (const [, tree] of treeFolders(userDir)) rmSync(tree, { recursive: true, force: true });
}

/**
 * The folders a saved tree can be in: the extension's global storage (where it is kept now, one folder per repo path)
 * and each workspace's storage (where earlier builds kept it).
 */
export function treeFolders(userDir) {
  const folders = [['global', join(userDir, 'globalStorage', 'gitops-drift.gitops-drift', 'tree')]];
  const workspaces = join(userDir, 'workspaceStorage');
  if (existsSync(workspaces))
    for (const ws of readdirSync(workspaces))
      folders.push([ws, join(workspaces, ws, 'gitops-drift.gitops-drift', 'tree')]);
  return folders;
}
