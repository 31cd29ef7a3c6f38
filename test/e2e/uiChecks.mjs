// The UI checks, in order; each gets { page, server, testEnv, shots } and throws on failure.
// Selectors are VS Code workbench DOM classes (stable across 1.9x releases).
import { join } from 'node:path';

const TIMEOUT = 30_000;

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
    name: 'GitOps Drift view shows the environments',
    async run({ page, shots }) {
      await page.locator('.part.activitybar a[aria-label^="GitOps Drift"]').click({ timeout: TIMEOUT });
      const view = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: 'Environments' }) });
      await view.locator('.monaco-list-row').first().waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'environments-view.png') });
    },
  },
  {
    name: 'command palette lists the GitOps commands',
    async run({ page, shots }) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: TIMEOUT });
      await input.fill('>GitOps: ');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'GitOps: Refresh' }).first().waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, 'command-palette.png') });
      await page.keyboard.press('Escape');
    },
  },
];
