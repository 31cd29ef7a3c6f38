/** Helpers for the extension-host tests: the test bed, event-driven waits, and the engine's own answer. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { DriftEngine, type EnvironmentReport } from '../../src/core/engine';
import { createKubeClusterReader } from '../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import type { ObjectState } from '../../src/core/model/verdictState';
import type { GitOpsDriftApi } from '../../src/extension';
import { testbedAdminRequest } from '../testbed/cluster';

export const EXTENSION_ID = 'gitops-drift.gitops-drift';

export interface Testbed {
  server: string;
  kubeconfigPath: string;
  adminContext: string;
  readonlyContext: string;
  readonlyNamespace: string;
  caFile: string;
  adminToken: string;
}

/** The test-bed cluster the driver started (GITOPS_DRIFT_TESTBED), or undefined when run without one. */
export function testbed(): Testbed | undefined {
  const file = process.env.GITOPS_DRIFT_TESTBED;
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as Testbed) : undefined;
}

/**
 * The test bed, for suites that need a cluster: a run without one fails (the driver always starts it), instead of
 * skipping the suite and passing with nothing checked.
 */
export function requireTestbed(): Testbed {
  const tb = testbed();
  if (!tb)
    throw new Error(
      'no test-bed cluster: GITOPS_DRIFT_TESTBED is unset (run the editor tests through scripts/run-editor-tests.mjs, which starts one)',
    );
  return tb;
}

/** The workspace folder the editor opened (a git copy of examples/shop). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder');
  return folder.uri.fsPath;
}

export function workspaceUri(file: string): vscode.Uri {
  return vscode.Uri.file(`${workspaceRoot()}/${file}`);
}

/** Activates the extension and waits until its first check has finished. */
export async function activeApi(): Promise<GitOpsDriftApi> {
  const ext = vscode.extensions.getExtension<GitOpsDriftApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this editor`);
  const api = await ext.activate();
  await api.whenIdle();
  return api;
}

/** Our diagnostics, as plain data: repo-relative file, 1-based line. */
export interface DriftDiagnostic {
  file: string;
  line: number;
  message: string;
  code: string;
  diagnostic: vscode.Diagnostic;
  uri: vscode.Uri;
}

export function driftDiagnostics(): DriftDiagnostic[] {
  const root = workspaceRoot();
  return vscode.languages.getDiagnostics().flatMap(([uri, ds]) =>
    ds
      .filter((d) => d.source === 'GitOps drift' || d.source === 'GitOps authoring')
      .map((d) => ({
        file: uri.fsPath.slice(root.length + 1),
        line: d.range.start.line + 1,
        message: d.message,
        code: typeof d.code === 'object' ? String(d.code.value) : String(d.code),
        diagnostic: d,
        uri,
      })),
  );
}

/**
 * Resolves with `current()` once `done` holds for it: checked now and on every `event` (no polling, no sleeps).
 * The timer is only a deadline: it rejects after `timeoutMs`, saying what was awaited and what was seen last.
 */
export function waitForEvent<T>(
  event: vscode.Event<unknown>,
  current: () => T,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
  describe: (value: T) => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const value = current();
      if (!done(value)) return;
      cleanup();
      resolve(value);
    };
    const sub = event(() => check());
    const deadline = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; now:\n${describe(current())}`));
    }, timeoutMs);
    const cleanup = () => {
      sub.dispose();
      clearTimeout(deadline);
    };
    check();
  });
}

/** Resolves once `predicate` holds for our diagnostics (see {@link waitForEvent}). */
export function waitForDiagnostics(
  predicate: (ds: DriftDiagnostic[]) => boolean,
  timeoutMs: number,
  what: string,
): Promise<DriftDiagnostic[]> {
  return waitForEvent(vscode.languages.onDidChangeDiagnostics, driftDiagnostics, predicate, timeoutMs, what, (ds) =>
    ds.map((d) => `  ${d.file}:${d.line} ${d.message}`).join('\n'),
  );
}

/** What the engine (the core `gitops-drift check` runs) reports for every environment of the workspace. */
export async function engineReports(tb: Testbed, context?: string): Promise<EnvironmentReport[]> {
  const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: workspaceRoot() });
  const repo = await engine.load();
  const reader = await createKubeClusterReader({ kubeconfigPath: tb.kubeconfigPath, context });
  const source = { reader, context: reader.context, namespace: reader.namespace };
  return Promise.all(repo.environments.map((env) => engine.check(env, source)));
}

/** A request to the test-bed API server as admin; resolves with the status and parsed body. */
export function kubeApi(
  tb: Testbed,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/merge-patch+json',
): Promise<{ status: number; body: unknown }> {
  return testbedAdminRequest(tb, method, path, body, contentType);
}

/** The 1-based line of the first line of a workspace file matching `pattern`. */
export function lineOf(file: string, pattern: RegExp): number {
  const lines = readFileSync(`${workspaceRoot()}/${file}`, 'utf8').split('\n');
  const i = lines.findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`${file} has no line matching ${pattern}`);
  return i + 1;
}

/** One environment of `gitops-drift check --format json` (the fields the tests read). */
export interface CheckJsonEnvironment {
  name: string;
  context: string;
  error: string | null;
  /** Count per state present (src/core/model/verdictState.ts). */
  states: Partial<Record<ObjectState, number>>;
  resources: {
    apiVersion: string;
    kind: string;
    namespace: string;
    name: string;
    verdict: string;
    source?: { file: string; line: number };
    fields?: { path: string; origin?: { file: string; line: number } }[];
  }[];
}

/** Runs the real `gitops-drift check --format json` (bundled by the driver) on the workspace against the test bed. */
export function cliCheck(tb: Testbed): CheckJsonEnvironment[] {
  const cli = process.env.GITOPS_DRIFT_TEST_CLI;
  if (!cli) throw new Error('GITOPS_DRIFT_TEST_CLI is not set: run the tests through scripts/run-editor-tests.mjs');
  const r = spawnSync(
    process.execPath,
    [cli, 'check', workspaceRoot(), '--format', 'json', '--kubeconfig', tb.kubeconfigPath],
    { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
  );
  // Exit 1 means "drift found"; anything else but 0 is a failure to check.
  if (r.status !== 0 && r.status !== 1) throw new Error(`gitops-drift check exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { environments: CheckJsonEnvironment[] }).environments;
}

/** A workspace state kept in `entries` (a second store over the same map is a reopened window's). */
export function memoryMemento(entries: Map<string, unknown> = new Map()): vscode.Memento {
  return {
    keys: () => [...entries.keys()],
    get: <T>(key: string, fallback?: T) => (entries.has(key) ? (entries.get(key) as T) : fallback),
    update: (key: string, value: unknown) => Promise.resolve(void entries.set(key, value)),
  } as vscode.Memento;
}

/** A SecretStorage with nothing in it, that keeps nothing. */
export const noSecrets = { get: () => Promise.resolve(undefined), store: () => Promise.resolve() };
