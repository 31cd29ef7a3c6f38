#!/usr/bin/env node
// `npm run demo`: the main job on the built-in example, no cluster needed. Installs and builds when needed, then
// checks examples/shop against a live snapshot recorded from a real API server after a few hand changes.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// The example snapshot's Secret values are hashed with the example's own key (examples/shop/demo-secret-key, a
// throwaway for the example's made-up values); your own snapshots use your key, never one kept in a repo.
const run = (command, args) =>
  spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, GITOPS_DRIFT_SECRET_KEY_FILE: join(root, 'examples', 'shop', 'demo-secret-key') },
  }).status ?? 2;

const marker = join('node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs) {
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(2);
}
// The example has no Helm content: the Helm engine (a Go build the first time) is left out.
if (run('npm', ['run', '--silent', 'build', '--', '--no-helm-engine']) !== 0) process.exit(2);

const args = [
  'dist/cli.js',
  'check',
  'examples/shop',
  '--live-from',
  'examples/shop/live-snapshot.yaml',
  ...process.argv.slice(2),
];
console.log(`$ gitops-drift ${args.slice(1).join(' ')}`);
const code = run(process.execPath, args);
// Exit code 1 means "drift found", which is what the demo is for.
process.exit(code === 1 ? 0 : code);
