#!/usr/bin/env node
// `npm test`: installs what the tests need (npm packages, the Go-built test bed, the editor host), then runs
// type checks, lint, and every suite; ends with one "N passed, N failed" line over all suites.
// `npm test -- unit integration` runs only the named steps.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const statsDir = mkdtempSync(join(tmpdir(), 'gitops-drift-stats-'));
const statsFile = join(statsDir, 'stats.jsonl');

/** Every step, in order. `suite: true` steps report test counts; the others pass or fail as a whole. */
const steps = [
  { name: 'install', run: ensureNodeModules },
  { name: 'testbed', run: () => sh('bash', ['scripts/setup-testbed.sh']) },
  { name: 'build', run: () => sh('npm', ['run', '--silent', 'build']) },
  { name: 'types', run: () => sh('npm', ['run', '--silent', 'check-types']) },
  { name: 'lint', run: () => sh('npm', ['run', '--silent', 'lint']) },
  { name: 'unit', suite: true, run: () => mocha('unit', '.mocharc.unit.json') },
  { name: 'conformance', suite: true, run: () => mocha('conformance', '.mocharc.conformance.json') },
  { name: 'integration', suite: true, run: () => mocha('integration', '.mocharc.integration.json') },
  // The hostile corpus runs the built CLI as child processes; it builds dist/ itself, so it can run alone.
  { name: 'hostile', suite: true, run: () => mocha('hostile', '.mocharc.hostile.json') },
  {
    name: 'editor',
    suite: true,
    optional: 'scripts/run-editor-tests.mjs',
    run: () => editor('scripts/run-editor-tests.mjs', 'editor'),
  },
  {
    name: 'ui',
    suite: true,
    optional: 'scripts/run-ui-tests.mjs',
    run: () => editor('scripts/run-ui-tests.mjs', 'ui'),
  },
];

const wanted = process.argv.slice(2);
const failures = [];
for (const step of steps) {
  if (wanted.length && !wanted.includes(step.name) && step.name !== 'install') continue;
  if (step.optional && !existsSync(step.optional)) continue;
  console.log(`\n=== ${step.name} ===`);
  const ok = step.run();
  if (!ok) {
    failures.push(step.name);
    // Without dependencies or servers the later steps cannot say anything useful.
    if (step.name === 'install' || step.name === 'testbed') break;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(statsFile)) {
  for (const line of readFileSync(statsFile, 'utf8').split('\n').filter(Boolean)) {
    const s = JSON.parse(line);
    console.log(`  ${s.suite}: ${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
    passed += s.passes;
    failed += s.failures;
    skipped += s.pending ?? 0;
  }
}
rmSync(statsDir, { recursive: true, force: true });
if (failures.length) console.log(`Failed steps: ${failures.join(', ')}`);
// A failed step that is not a test suite (install, build, types, lint) counts as one failure.
const stepFailures = failures.filter((name) => !steps.find((s) => s.name === name)?.suite).length;
console.log(`Total: ${passed} passed, ${failed + stepFailures} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length ? 1 : 0);

function sh(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) console.error(`${command}: ${result.error.message}`);
  return result.status === 0;
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
function ensureNodeModules() {
  // A worktree whose node_modules links to another checkout's: `npm ci` here would empty that shared folder (it
  // did once, for every worktree at once). Installing is the linked checkout's business.
  if (existsSync('node_modules') && lstatSync('node_modules').isSymbolicLink()) {
    console.log('node_modules is a link to another checkout: not installing here');
    return true;
  }
  const marker = join('node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs) return true;
  return sh('npm', ['ci', '--no-audit', '--no-fund']);
}

function mocha(suite, config) {
  return sh(join('node_modules', '.bin', 'mocha'), ['--config', config], {
    GITOPS_DRIFT_STATS_FILE: statsFile,
    GITOPS_DRIFT_SUITE: suite,
  });
}

function editor(script, suite) {
  return sh(process.execPath, [script], { GITOPS_DRIFT_STATS_FILE: statsFile, GITOPS_DRIFT_SUITE: suite });
}
