// The UI checks, in order; each gets { page, server, testEnv, shots } and throws on failure. They look at what a
// person sees: the Environments view, the status bar, a drift squiggle and its hover, the Problems panel, the
// diff editor. Selectors are VS Code workbench DOM classes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const TIMEOUT = 30_000;

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: TIMEOUT });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Enter');
}

async function openFile(page, path) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: TIMEOUT });
  await input.fill(path);
  // The row for the file itself, not a stale row from before the filter applied.
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: path.split('/').pop() })
    .first()
    .waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: path.split('/').pop() }).waitFor({ timeout: TIMEOUT });
}

/**
 * Throws when a value in the hover wraps inside itself (a code span drawn on more than one line box), when the hover
 * holds a table, or when its content is wider than the hover.
 */
async function assertHoverFits(hover) {
  const found = await hover.evaluate((el) => ({
    wrapped: [...el.querySelectorAll('code')].filter((c) => c.getClientRects().length > 1).map((c) => c.textContent),
    tables: el.querySelectorAll('table').length,
    overflow: [...el.querySelectorAll('.hover-contents')].some((c) => c.scrollWidth > c.clientWidth + 1),
    codes: el.querySelectorAll('code').length,
  }));
  if (found.wrapped.length) throw new Error(`values wrapped inside: ${found.wrapped.join(' | ')}`);
  if (found.tables) throw new Error(`the hover holds ${found.tables} table(s)`);
  if (found.overflow) throw new Error('the hover content is wider than the hover');
  if (!found.codes) throw new Error('no value (code span) in the hover');
}

/**
 * The generated 100-environment repo (bench/ui/generate.ts) beside the example, as a git repo, with a workspace setting
 * that names a kubeconfig that does not exist: the editor has no cluster for it.
 */
async function scaleRepo(testEnv) {
  const dir = `${testEnv.workspace}-scale`;
  const { generateScaleRepo } = await tsImport('../../bench/ui/generate.ts', import.meta.url);
  generateScaleRepo(dir);
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    JSON.stringify({ 'gitopsDrift.kubeconfig': join(dir, 'no-such-kubeconfig') }),
  );
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'generated');
  return dir;
}

/**
 * A destination of 8 Argo CD Applications on the test-bed cluster (beyond the fleet threshold of 6: each read when its
 * row is opened), as a git repo beside the example. Each Application's one ConfigMap is not in the cluster: missing
 * once read.
 */
function fleetRepo(testEnv) {
  const dir = `${testEnv.workspace}-fleet`;
  const { server, adminContext } = JSON.parse(readFileSync(testEnv.env.GITOPS_DRIFT_TESTBED, 'utf8'));
  const files = { '.gitops-drift.yaml': `argocd:\n  inClusterContext: ${adminContext}\n  environments: cluster\n` };
  for (let i = 0; i < 8; i++) {
    files[`apps/shop-${i}.yaml`] =
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop-${i}\n  namespace: argocd\n` +
      `spec:\n  project: default\n  source:\n    path: manifests/shop-${i}\n  destination:\n    server: ${server}\n    namespace: default\n`;
    files[`manifests/shop-${i}/cm.yaml`] =
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ui-fleet-shop-${i}\ndata:\n  a: "1"\n`;
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'fleet');
  return dir;
}

/** A row of the side bar's tree: its text (spaces folded) and whether it is open (`true`, `false`, `null`). */
async function sideBarRow(page, text) {
  const row = page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: TIMEOUT * 2 });
  return { text: (await row.innerText()).replace(/\s+/g, ' '), open: await row.getAttribute('aria-expanded') };
}

/** The side bar and the status bar under it: what a screenshot of the view needs, small enough for the README. */
async function sideBarClip(page) {
  const side = await page.locator('.part.sidebar').boundingBox();
  const viewport = page.viewportSize();
  return { x: 0, y: 0, width: Math.ceil(side.x + side.width + 8), height: viewport.height };
}

/**
 * Opens a folded row of the side bar's tree (clicking `on` it: the row, or its twistie where a click on the row opens
 * a file) until it is open and `then` shows. The view redraws as checks end. A click that lands while the extension
 * host replaces the rows is lost (VS Code drops the expansion event, and the request for the row's rows: "No tree item
 * with id … found" in its log), and the row may fold back as its parent is drawn again: a person clicks again, and so
 * does this.
 */
async function openRow(page, text, then, on = 'row') {
  const row = page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
  const shown = page.locator('.part.sidebar .monaco-list-row', { hasText: then }).first();
  for (let attempt = 0; ; attempt++) {
    const open = (await row.getAttribute('aria-expanded', { timeout: TIMEOUT })) === 'true';
    if (open && (await shown.isVisible())) return;
    if (attempt === 5)
      throw new Error(`opening ${text} did not show ${then}: ${JSON.stringify(await sideBarRow(page, text))}`);
    if (!open) await (on === 'twistie' ? row.locator('.monaco-tl-twistie') : row).click({ timeout: TIMEOUT });
    await shown.waitFor({ timeout: 5_000 }).catch(() => undefined);
  }
}

/** @type {{ name: string, run: (ctx: any) => Promise<void> }[]} */
export const uiChecks = [
  {
    name: 'workbench opens the example repo',
    async run({ page, server, testEnv }) {
      await page.goto(server.url(testEnv.workspace));
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: TIMEOUT });
      await page.locator('.part.activitybar').waitFor({ timeout: TIMEOUT });
    },
  },
  {
    name: 'Environments view shows each environment with its drift count and verdict icons',
    async run({ page, shots }) {
      await page.locator('.part.activitybar a[aria-label^="GitOps Drift"]').click({ timeout: TIMEOUT });
      // Widen the side bar so descriptions show whole, and move the pointer off the activity bar's tooltip.
      const side = await page.locator('.part.sidebar').boundingBox();
      if (side) {
        await page.mouse.move(side.x + side.width + 1, side.y + side.height / 2);
        await page.mouse.down();
        await page.mouse.move(side.x + side.width + 160, side.y + side.height / 2, { steps: 8 });
        await page.mouse.up();
      }
      await page.mouse.move(900, 500);
      const rows = page.locator('.part.sidebar .monaco-list-row');
      for (const env of ['dev', 'staging', 'prod'])
        await rows.filter({ hasText: env }).first().waitFor({ timeout: TIMEOUT });
      await page.locator('.part.sidebar .monaco-list-row', { hasText: /prod.*drifted/ }).waitFor({ timeout: TIMEOUT });
      // A drifted object's row says what changed, git → live (the example's prod web runs 5 replicas, git says 3).
      // The workbench keeps the folding a row had when first drawn (not checked yet: folded), so open it if needed.
      // A click lost in a redraw (see openRow) is tried again.
      const webRow = page.locator('.part.sidebar .monaco-list-row', { hasText: /web\s*replicas 3 → 5/ }).first();
      const folded = page
        .locator('.part.sidebar .monaco-list-row[aria-expanded="false"]', { hasText: /^Deployment\s*2 drifted/ })
        .first();
      for (let attempt = 0; !(await webRow.isVisible()); attempt++) {
        if (attempt === 10) throw new Error('no Deployment row opened to show web: replicas 3 → 5');
        if (await folded.isVisible()) await folded.click({ timeout: TIMEOUT });
        await webRow.waitFor({ timeout: 5_000 }).catch(() => undefined);
      }
      // The context every environment shares is said once, in the view's title, not on each row.
      await page
        .locator('.part.sidebar .pane-header', { hasText: /Environments.*ctx testbed-admin/ })
        .waitFor({ timeout: TIMEOUT });
      // The title and the rows are redrawn separately: the rows of the render before the check (no context known to
      // be shared yet) may still be on screen when the title already says it, so wait for them to be redrawn; a row
      // that keeps the context fails here.
      await page
        .locator('.part.sidebar .monaco-list-row', { hasText: 'ctx testbed-admin' })
        .first()
        .waitFor({ state: 'detached', timeout: TIMEOUT })
        .catch(() => {
          throw new Error('an environment row repeats the shared context');
        });
      // Verdict icons are codicons coloured by the contributed theme colours.
      await page.locator('.part.sidebar .monaco-list-row .codicon-diff-modified').first().waitFor({ timeout: TIMEOUT });
      await page.locator('.part.sidebar .monaco-list-row .codicon-pass').first().waitFor({ timeout: TIMEOUT });
      await page.locator('.part.sidebar .monaco-list-row .codicon-diff-removed').first().waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'environments-view.png') });
    },
  },
  {
    name: 'status bar shows the kube context and the drift count',
    async run({ page, shots }) {
      const item = page.locator('.part.statusbar .statusbar-item', { hasText: /testbed-admin · \d+ drifted/ });
      await item.waitFor({ timeout: TIMEOUT });
      const box = await page.locator('.part.statusbar').boundingBox();
      await page.screenshot({
        path: join(shots, 'status-bar.png'),
        clip: { x: 0, y: box.y - 4, width: Math.min(900, box.width), height: box.height + 4 },
      });
    },
  },
  {
    name: 'clicking the status bar offers the kubeconfig contexts',
    async run({ page, shots }) {
      await page
        .locator('.part.statusbar .statusbar-item', { hasText: /testbed-admin · \d+ drifted/ })
        .click({ timeout: TIMEOUT });
      for (const ctx of ['testbed-admin', 'testbed-readonly']) {
        await page
          .locator('.quick-input-list .monaco-list-row', { hasText: ctx })
          .first()
          .waitFor({ timeout: TIMEOUT });
      }
      await page.screenshot({ path: join(shots, 'context-picker.png') });
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'a drifted line shows a squiggle, the live value and a hover',
    async run({ page, shots }) {
      await openFile(page, 'envs/prod/web-patch.yaml');
      const squiggle = page.locator('.monaco-editor .squiggly-warning').first();
      await squiggle.waitFor({ timeout: TIMEOUT });
      // The gutter mark and the highlighted YAML are drawn: the decorations and the grammar are in.
      await page.locator('.monaco-editor .cgmr').first().waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-editor .view-lines .mtk5, .monaco-editor .view-lines .mtk6')
        .first()
        .waitFor({ timeout: TIMEOUT });
      await squiggle.hover({ force: true });
      // The diagnostic first, then the short drift hover: git → live and the link to every environment's values.
      const hover = page.locator('.monaco-hover', { hasText: 'replicas is 5 in the cluster, 3 in git' });
      await hover.first().waitFor({ timeout: TIMEOUT });
      const drift = page.locator('.monaco-hover', { hasText: 'GitOps Drift · replicas: git → live' }).first();
      await drift.waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-hover a', { hasText: 'Values in every environment' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await assertHoverFits(drift);
      await page.screenshot({ path: join(shots, 'drift-hover.png') });
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'the Problems panel lists the drift',
    async run({ page, shots }) {
      await page.keyboard.press('Control+Shift+M');
      const filter = page
        .locator('.markers-panel-container .viewpane-filter input, .panel .viewpane-filter input')
        .first();
      await filter.waitFor({ timeout: TIMEOUT });
      await filter.fill('replicas');
      await page
        .locator('.markers-panel .monaco-list-row', { hasText: 'replicas is 5 in the cluster' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'problems.png') });
    },
  },
  {
    name: 'Show Diff opens "web (prod): git ↔ cluster"',
    async run({ page, shots }) {
      await runCommand(page, 'GitOps: Show Diff');
      const pick = page.locator('.quick-input-widget input');
      await pick.fill('Deployment shop-prod/web');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Deployment shop-prod/web' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: 'web (prod): git ↔ cluster' }).waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-diff-editor .line-insert, .monaco-diff-editor .char-insert')
        .first()
        .waitFor({ timeout: TIMEOUT });
      // The object is revealed and selected in the Environments view.
      await page.locator('.part.sidebar .monaco-list-row.selected', { hasText: /^web/ }).waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'diff-editor.png') });
    },
  },
  {
    name: 'the diff wraps a long changed line instead of cutting it off at the right edge',
    async run({ page, shots }) {
      await runCommand(page, 'GitOps: Show Diff');
      await page.locator('.quick-input-widget input').fill('Deployment shop-prod/api');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Deployment shop-prod/api' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: 'api (prod): git ↔ cluster' }).waitFor({ timeout: TIMEOUT });
      // The image line is wider than the diff's right side here: unwrapped, the tag would sit past its edge.
      const tag = page.locator('.monaco-diff-editor .view-line', { hasText: /hotfix/ }).first();
      await tag.waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'diff-wrapped.png') });
      const found = await tag.evaluate((line) => {
        const editor = line.closest('.monaco-editor').getBoundingClientRect();
        const text = [...line.querySelectorAll('span')].filter((s) => /hotfix/.test(s.textContent)).pop();
        const lines = [...line.parentElement.querySelectorAll('.view-line')].filter((l) =>
          /shop-api|hotfix/.test(l.textContent),
        );
        return { end: text.getBoundingClientRect().right, edge: editor.right, lines: lines.length };
      });
      if (found.end > found.edge)
        throw new Error(`the tag ends at ${found.end} px, past the editor's edge at ${found.edge} px`);
      if (found.lines < 2) throw new Error(`the image line is not wrapped (${found.lines} view line)`);
    },
  },
  {
    name: 'hovering a base field shows one short line per value, none wrapped inside',
    async run({ page, shots }) {
      await openFile(page, 'base/web-deployment.yaml');
      const replicas = page.locator('.monaco-editor .view-line span', { hasText: /^replicas$/ }).first();
      await replicas.waitFor({ timeout: TIMEOUT });
      await replicas.hover({ force: true });
      const hover = page.locator('.monaco-hover', { hasText: 'replicas in 3 environments' });
      await hover.first().waitFor({ timeout: TIMEOUT });
      for (const origin of ['kustomization.yaml:12', 'web-deployment.yaml:8', 'web-patch.yaml:6']) {
        await page.locator('.monaco-hover a', { hasText: origin }).first().waitFor({ timeout: TIMEOUT });
      }
      await assertHoverFits(hover.first());
      await page.screenshot({ path: join(shots, 'effective-values-hover.png') });
      await page.keyboard.press('Escape');
      await page.mouse.move(900, 700);
    },
  },
  {
    name: "hovering an overlay's own line shows that environment and one line about the others",
    async run({ page, shots }) {
      await openFile(page, 'envs/prod/kustomization.yaml');
      // The CodeLens line shifts the text down when it arrives: hover after it.
      await page
        .locator('.monaco-editor .codelens-decoration a', { hasText: /^Rendered: / })
        .first()
        .waitFor({ timeout: TIMEOUT });
      const value = page.locator('.monaco-editor .view-line span', { hasText: /^shop-prod$/ }).first();
      await value.waitFor({ timeout: TIMEOUT });
      await value.hover({ force: true });
      const hover = page.locator('.monaco-hover', { hasText: 'namespace in prod' });
      await hover.first().waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-hover', { hasText: '2 of 2 other environments differ' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await assertHoverFits(hover.first());
      await page.screenshot({ path: join(shots, 'overlay-hover.png') });
      // The link opens every environment's values in a markdown preview beside the file.
      await page.locator('.monaco-hover a', { hasText: 'Values in every environment' }).first().click();
      await page
        .locator('.tab', { hasText: 'Preview namespace in every environment.md' })
        .waitFor({ timeout: TIMEOUT });
      // The preview's table, drawn in its webview: a row per environment, in a block that scrolls rather than wraps.
      const preview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      for (const value of ['shop-dev', 'shop-staging', 'shop-prod'])
        await preview.locator('pre', { hasText: value }).first().waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'values-table.png') });
      await page.keyboard.press('Escape');
      await page.mouse.move(900, 700);
      // Back to one editor group for the checks that follow.
      await runCommand(page, 'View: Close All Editors');
    },
  },
  {
    name: 'a kustomization file shows what it renders (CodeLens) and opens the rendered preview',
    async run({ page, shots }) {
      await openFile(page, 'envs/prod/kustomization.yaml');
      const lens = page
        .locator('.monaco-editor .codelens-decoration a', { hasText: /^Rendered: \d+ objects · Preview$/ })
        .first();
      await lens.waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-editor .codelens-decoration a', { hasText: 'Used by prod' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await lens.click();
      await page.locator('.tab.active', { hasText: 'prod (rendered).yaml' }).waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-editor .view-line', { hasText: 'rendered from envs/prod' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'rendered-preview.png') });
    },
  },
  {
    name: 'Compare Environments… diffs two environments under their real names',
    async run({ page, shots }) {
      await runCommand(page, 'GitOps: Compare Environments…');
      for (const env of ['staging', 'prod']) {
        await page
          .locator('.quick-input-list .monaco-list-row', { hasText: env })
          .first()
          .waitFor({ timeout: TIMEOUT });
        await page.locator('.quick-input-widget input').fill(env);
        await page.keyboard.press('Enter');
      }
      await page.locator('.tab.active', { hasText: 'staging ↔ prod' }).waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-diff-editor .line-insert, .monaco-diff-editor .char-insert')
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'compare-environments.png') });
    },
  },
  {
    name: "the History view lists each environment's deployments; clicking one opens its rendered diff",
    async run({ page, shots }) {
      await page.keyboard.press('Escape');
      const header = page.locator('.part.sidebar .pane-header', { hasText: /^History/ }).first();
      await header.waitFor({ timeout: TIMEOUT });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
      // Give the History view the side bar: collapse Environments while the screenshot is taken.
      const environments = page.locator('.part.sidebar .pane-header', { hasText: /^Environments/ }).first();
      if ((await environments.getAttribute('aria-expanded')) === 'true') await environments.click();
      const row = page.locator('.part.sidebar .monaco-list-row', { hasText: 'dev: web 1.5.0-rc.2' }).first();
      await row.waitFor({ timeout: TIMEOUT });
      await page
        .locator('.part.sidebar .monaco-list-row', { hasText: /reverted by [0-9a-f]{7} after/ })
        .first()
        .waitFor({ timeout: TIMEOUT });
      // The bottom panel (Problems, from an earlier check) closed: the diff gets the height.
      if (await page.locator('.part.panel').isVisible()) await page.keyboard.press('Control+J');
      await row.click();
      await page.locator('.tab.active', { hasText: /dev @ [0-9a-f]{7}: before ↔ after/ }).waitFor({ timeout: TIMEOUT });
      await page
        .locator('.monaco-diff-editor .line-insert, .monaco-diff-editor .char-insert')
        .first()
        .waitFor({ timeout: TIMEOUT });
      // Scroll the diff to its first change (Go to Next Change).
      await page.locator('.monaco-diff-editor .editor.modified .view-lines').first().click();
      await page.keyboard.press('Alt+F5');
      await page
        .locator('.monaco-diff-editor .editor.modified .view-line', { hasText: 'shop-web:1.5.0-rc.2' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.mouse.move(900, 700);
      await page.screenshot({ path: join(shots, 'history-view.png') });
      await environments.click();
    },
  },
  {
    name: 'Show DORA Metrics opens the panel: four metrics per environment and two charts, in the theme',
    async run({ page, shots }) {
      await runCommand(page, 'GitOps: Show DORA Metrics');
      await page.locator('.tab.active', { hasText: 'DORA Metrics' }).waitFor({ timeout: TIMEOUT });
      const frame = page.frameLocator('iframe.webview').last().frameLocator('#active-frame');
      await frame.locator('h1', { hasText: 'DORA metrics' }).waitFor({ timeout: TIMEOUT });
      for (const metric of ['Deployment frequency', 'Lead time', 'Change failure rate', 'Time to restore'])
        await frame.locator('.card h2', { hasText: metric }).waitFor({ timeout: TIMEOUT });
      await frame.locator('svg rect.bar').first().waitFor({ timeout: TIMEOUT });
      await frame.locator('svg circle.dot').first().waitFor({ timeout: TIMEOUT });
      // The side bar closed so the panel has the width a reader would give it.
      await page.keyboard.press('Control+B');
      await page.mouse.move(1590, 950);
      await page.screenshot({ path: join(shots, 'dora-panel.png') });
      await page.keyboard.press('Control+B');
    },
  },
  {
    name: 'command palette lists the GitOps commands',
    async run({ page, shots }) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: TIMEOUT });
      await input.fill('>GitOps: ');
      for (const title of ['GitOps: Refresh', 'GitOps: Show Diff', 'GitOps: Select Kube Context…']) {
        await page
          .locator('.quick-input-list .monaco-list-row', { hasText: title })
          .first()
          .waitFor({ timeout: TIMEOUT });
      }
      await page.screenshot({ path: join(shots, 'command-palette.png') });
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'the 100-environment repo without a cluster: grouped by its folders and destinations, folded, the cause said once',
    async run({ page, server, testEnv, shots }) {
      const dir = await scaleRepo(testEnv);
      await page.goto(server.url(dir));
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: TIMEOUT });
      const header = page.locator('.part.sidebar .pane-header', { hasText: /^Environments/ });
      if (!(await header.isVisible().catch(() => false)))
        await page.locator('.part.activitybar a[aria-label^="GitOps Drift"]').click({ timeout: TIMEOUT });
      // One row for the cause, with its action; then one folded row per region folder, Flux clusters and destination.
      await page
        .locator('.part.sidebar .monaco-list-row', { hasText: /No cluster: kubeconfig .* does not exist/ })
        .waitFor({ timeout: TIMEOUT * 2 });
      for (const region of ['af', 'ap', 'au', 'ca', 'eu', 'me', 'sa', 'us'])
        await page
          .locator('.part.sidebar .monaco-list-row', {
            hasText: new RegExp(`envs/${region}\s*12 environments · 60 not checked`),
          })
          .waitFor({ timeout: TIMEOUT * 2 });
      for (const group of ['clusters', 'ops-eu', 'ops-us'])
        await page.locator('.part.sidebar .monaco-list-row', { hasText: group }).first().waitFor({ timeout: TIMEOUT });
      // Folded: no environment row shows before its group is opened.
      if (await page.locator('.part.sidebar .monaco-list-row', { hasText: 'eu/prod-a' }).count())
        throw new Error('the environments of envs/eu show before their group was opened');
      await page
        .locator('.part.statusbar .statusbar-item', { hasText: 'no cluster' })
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.mouse.move(900, 700);
      await page.screenshot({ path: join(shots, 'no-cluster-view.png'), clip: await sideBarClip(page) });
      // Open one region, then the Argo CD destination whose Application holds two objects named alertmanager.
      await openRow(page, /^envs\/eu/, /eu\/prod-a\s*not checked: no cluster/);
      await openRow(page, /^ops-eu/, /^monitoring/);
      await openRow(page, /^monitoring/, /^Deployment/);
      await openRow(page, /^Deployment\s*3 not checked/, /alertmanager\s*observability · not checked/);
      await page
        .locator('.part.sidebar .monaco-list-row', { hasText: /alertmanager\s*monitoring · not checked/ })
        .waitFor({ timeout: TIMEOUT });
      await page.mouse.move(900, 700);
      await page.screenshot({ path: join(shots, 'scale-tree.png'), clip: await sideBarClip(page) });
    },
  },
  {
    name: 'an Argo CD destination at fleet shape: Application rows folded until opened; an opened one is read again, open, after a reload',
    async run({ page, server, testEnv, shots }) {
      const dir = fleetRepo(testEnv);
      await page.goto(server.url(dir));
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: TIMEOUT });
      const header = page.locator('.part.sidebar .pane-header', { hasText: /^Environments/ });
      if (!(await header.isVisible().catch(() => false)))
        await page.locator('.part.activitybar a[aria-label^="GitOps Drift"]').click({ timeout: TIMEOUT });
      const unopened = /^shop-4\s*1 objects, read when opened · Argo CD: /;
      const before = await sideBarRow(page, unopened);
      if (before.open !== 'false') throw new Error(`an unopened Application's row is open: ${JSON.stringify(before)}`);
      // Its twistie opens it (a click on the row opens the Application's file): that reads its objects. A row left open
      // and never read is the extension's fault (it reads a row whose rows are asked for), and fails this.
      await openRow(page, /^shop-3\s*1 /, /^shop-3\s*1 (missing|objects, reading…)/, 'twistie');
      const read = await sideBarRow(page, /^shop-3\s*1 missing · Argo CD: /).catch(async (e) => {
        throw new Error(`the opened row was not read: ${JSON.stringify(await sideBarRow(page, /^shop-3\s/))}\n${e}`);
      });
      if (read.open !== 'true') throw new Error(`the opened Application's row is not open: ${JSON.stringify(read)}`);
      // The workbench restores no row's expansion on a reload: the rows' own state, and the opened one read again.
      await page.reload();
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: TIMEOUT });
      const again = await sideBarRow(page, /^shop-3\s*1 missing · Argo CD: /).catch(async (e) => {
        throw new Error(
          `after a reload, the opened row was not read: ${JSON.stringify(await sideBarRow(page, /^shop-3\s/))}\n${e}`,
        );
      });
      if (again.open !== 'true')
        throw new Error(`after a reload, the opened row is not open: ${JSON.stringify(again)}`);
      for (const name of ['shop-0', 'shop-4', 'shop-7']) {
        const row = await sideBarRow(page, new RegExp(`^${name}\\s*1 objects, read when opened`));
        if (row.open !== 'false') throw new Error(`after a reload, ${name}'s row is open: ${JSON.stringify(row)}`);
      }
      await page.mouse.move(900, 700);
      await page.screenshot({ path: join(shots, 'fleet-reopened.png'), clip: await sideBarClip(page) });
    },
  },
];
