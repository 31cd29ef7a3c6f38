// What the editor benches (bench/ui/editor.mjs, bench/flux/editor.mjs) share: where one window's time goes, read
// from code-server's logs on the page's clock (the logs stamp this machine's local time, as Date parses it), and the
// floor, how long a trivial extension's one tree row takes to appear in the same code-server (what of the 1.5 s
// target is the editor's and what is ours).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExtension, startCodeServer } from '../test/editor/harness/codeServer.mjs';

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
 * loaded, discovery done, the first environment rendered, every environment rendered and checked, the lint done.
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
        firstRendered: at(/^rendered [^0-9]/),
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

/**
 * The floor: a trivial extension (activation `*`, one tree view in its own activity bar container, one row) in a
 * code-server of its own with the same settings, opening the same folder; per window, ms from the workbench drawn
 * (its status bar) to the row drawn. Our extension is not installed there.
 */
export async function measureFloor({ installDir, browser, folder, runs, settings = {}, timeout = 120_000 }) {
  const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-floor-'));
  try {
    const ext = join(stateDir, 'floor-extension');
    mkdirSync(join(ext, 'media'), { recursive: true });
    writeFileSync(
      join(ext, 'package.json'),
      JSON.stringify(
        {
          name: 'editor-floor',
          displayName: 'Editor Floor',
          description: 'One tree row, as early as VS Code allows (the GitOps Drift benches measure it).',
          publisher: 'bench',
          version: '0.0.1',
          license: 'MIT',
          engines: { vscode: '^1.100.0' },
          main: './extension.js',
          activationEvents: ['*'],
          contributes: {
            viewsContainers: { activitybar: [{ id: 'floorBench', title: 'Floor Bench', icon: 'media/icon.svg' }] },
            views: { floorBench: [{ id: 'floorBench.rows', name: 'Floor Rows' }] },
          },
        },
        null,
        2,
      ),
    );
    writeFileSync(
      join(ext, 'extension.js'),
      `const vscode = require('vscode');
exports.activate = (context) => {
  context.subscriptions.push(vscode.window.registerTreeDataProvider('floorBench.rows', {
    getChildren: (e) => (e ? [] : ['floor row one']),
    getTreeItem: (e) => new vscode.TreeItem(e),
  }));
};
`,
    );
    writeFileSync(
      join(ext, 'media', 'icon.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24"/></svg>\n',
    );
    writeFileSync(join(ext, 'README.md'), '# Editor Floor\n\nA bench fixture.\n');
    writeFileSync(join(ext, 'LICENSE'), 'MIT\n');
    const vsix = join(stateDir, 'editor-floor.vsix');
    const r = spawnSync(
      'npx',
      ['--yes', '@vscode/vsce@3', 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
      { cwd: ext, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`packaging the floor extension failed:\n${r.stdout}${r.stderr}`);
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
        const row = page.waitForFunction(
          () =>
            [...document.querySelectorAll('.part.sidebar .monaco-list-row')].some((r) =>
              r.textContent?.includes('floor row one'),
            )
              ? performance.now()
              : false,
          undefined,
          { polling: 'raf', timeout },
        );
        // A window restores the side bar as the last one left it: open the container only when another one shows.
        const open = await page
          .locator('.part.sidebar .composite.title')
          .textContent({ timeout: 2_000 })
          .catch(() => '');
        if (!/Floor Bench/i.test(open ?? ''))
          await page.locator('.part.activitybar a[aria-label^="Floor Bench"]').click({ timeout });
        samples.push((await (await row).jsonValue()) - (await ready.jsonValue()));
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
