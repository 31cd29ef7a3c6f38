// Runs a real VS Code (code-server from npm on Node 24) and drives it with Debian's chromium through
// playwright-core. Shared by scripts/run-editor-tests.mjs (extension-host mocha) and scripts/run-ui-tests.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/** Installs (or reuses) Node 24 + code-server + chromium via scripts/setup-editor.sh; returns its install dir. */
export function setupEditor() {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'setup-editor.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/setup-editor.sh failed (exit ${r.status})`);
  return r.stdout.trim().split('\n').pop();
}

/** A free loopback TCP port. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const quietSettings = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
};

/**
 * Starts code-server on a free port with its own user-data and extensions dirs under `stateDir`. Workspace trust
 * is off (every folder trusted) unless `workspaceTrust`.
 * `settings` are merged into the user settings. `smokeTestDriver` enables the `payload` mechanism
 * (extensionDevelopmentPath / extensionTestsPath) and `window.codeAutomationExit`.
 * Resolves when the workbench page is served; `stop()` ends the server's process group.
 */
export async function startCodeServer({
  installDir,
  stateDir,
  settings = {},
  env = {},
  smokeTestDriver = false,
  workspaceTrust = false,
  extraArgs = [],
}) {
  const port = await freePort();
  const userDataDir = join(stateDir, 'user-data');
  const extensionsDir = join(stateDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // With workspaceTrust, folders open in restricted mode (no startup prompt): what an untrusted repo gets.
  const trust = workspaceTrust
    ? {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.untrustedFiles': 'open',
      }
    : {};
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...quietSettings, ...trust, ...settings }, null, 2),
  );
  // A remote window reads machine-scoped settings (e.g. a kubeconfig path) only from the server's Machine settings.
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  const config = join(stateDir, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    join(installDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--config',
    config,
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...extraArgs,
  ];
  const logFile = join(stateDir, 'code-server.log');
  const child = spawn(join(installDir, 'node', 'bin', 'node'), args, {
    // Its own process group, so stop() ends the server and every extension host it forked.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${join(installDir, 'bin')}:${process.env.PATH}`, ...env },
  });
  // Everything it prints goes to the log file; its "HTTP server listening" line says the routes are registered.
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const listening = new Promise((resolve, reject) => {
    let tail = '';
    const onData = (chunk) => {
      tail = (tail + chunk).slice(-4096);
      if (!/HTTP server listening on/.test(tail)) return;
      child.stdout.off('data', onData);
      resolve();
    };
    child.stdout.on('data', onData);
    child.once('exit', () => reject(new Error(`code-server exited during start; see ${logFile}`)));
  });
  listening.catch(() => undefined); // an exit after the start (or after the deadline) is no unhandled rejection
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await gone;
    clearTimeout(t);
  };
  const onExit = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', onExit);

  // Ready when it says it listens and then serves the workbench page itself (/healthz answers even when the
  // editor part crashed). The deadline only turns a hang into a clear failure.
  try {
    await Promise.race([
      listening,
      new Promise((_, reject) =>
        AbortSignal.timeout(60_000).addEventListener('abort', () =>
          reject(new Error(`code-server did not start listening within 60 s; see ${logFile}`)),
        ),
      ),
    ]);
    const res = await fetch(`http://127.0.0.1:${port}/?folder=/tmp`);
    if (!res.ok) throw new Error(`code-server answered the workbench page with HTTP ${res.status}; see ${logFile}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    /** The server's process id (its process group holds every extension host it forked). */
    pid: child.pid,
    logFile,
    userDataDir,
    extensionsDir,
    /** The workbench URL for a folder, with an optional smoke-test payload. */
    url(folder, payload) {
      const q = new URLSearchParams({ folder });
      if (payload) q.set('payload', JSON.stringify(payload));
      return `http://127.0.0.1:${port}/?${q}`;
    },
    /** A `vscode-remote://` URI for an absolute path on this server. */
    remoteUri(absPath) {
      return `vscode-remote://127.0.0.1:${port}${absPath}`;
    },
    stop: async () => {
      process.removeListener('exit', onExit);
      await stop();
    },
  };
}

/** Launches Debian's chromium through playwright-core (it never downloads a browser). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Installs the code-server's `installDir/bin` npm/node for running `code-server --install-extension`. */
export function installExtension({ installDir, stateDir, vsix }) {
  const r = spawnSync(
    join(installDir, 'node', 'bin', 'node'),
    [
      join(installDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
      '--user-data-dir',
      join(stateDir, 'user-data'),
      '--extensions-dir',
      join(stateDir, 'extensions'),
      '--install-extension',
      vsix,
      '--force',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}${r.stderr}`);
}

/** Appends this run's counts to $GITOPS_DRIFT_STATS_FILE (one JSON line), for `npm test`'s closing total. */
export function recordStats({ passes, failures, pending = 0 }) {
  const file = process.env.GITOPS_DRIFT_STATS_FILE;
  if (!file) return;
  appendFileSync(
    file,
    JSON.stringify({ suite: process.env.GITOPS_DRIFT_SUITE ?? 'editor', passes, failures, pending }) + '\n',
  );
}

/**
 * Runs a test runner's `main` (resolving to an exit code), always cleans up, and on a crash records one failure so
 * `npm test`'s total cannot miss it.
 */
export function runRunner(main, cleanup) {
  main()
    .then(async (code) => {
      await cleanup();
      process.exit(code);
    })
    .catch(async (e) => {
      console.error(e instanceof Error ? e.stack : e);
      await cleanup();
      recordStats({ passes: 0, failures: 1 });
      console.log('0 passed, 1 failed');
      process.exit(1);
    });
}

/**
 * A stack of cleanups (servers, clusters, temp folders), run last-in first-out by `cleanup()` and on SIGINT/SIGTERM,
 * so an interrupted run leaves nothing behind.
 */
export function cleanupStack() {
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()();
      } catch (e) {
        console.error(`cleanup: ${e instanceof Error ? e.message : e}`);
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  return { cleanups, cleanup };
}
