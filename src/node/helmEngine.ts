/**
 * The HelmEngine port over Helm itself compiled to WebAssembly (helm-wasm/, built by scripts/build-helm-wasm.sh into
 * dist/helm/: helm.wasm.gz and the wasm_exec.js of the Go that built it).
 *
 * The engine runs in one worker thread, started on the first render and kept for the next ones (the process can
 * exit while it idles). The worker has no `fetch` and gives Go no file system (wasm_exec.js's stub refuses every
 * call), so a chart's templates, schemas and `.Files` see only the files we hand over: nothing on disk, no network.
 * A render that runs longer than the time limit, or a worker that dies, fails that render; the next one starts a
 * fresh worker.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HelmEngine, HelmRenderRequest, HelmRenderResult } from '../core/ports';

/** The files the build puts in dist/helm/. */
const ENGINE_FILE = 'helm.wasm.gz';
const WASM_EXEC_FILE = 'wasm_exec.js';

/**
 * Where the engine is: `$GITOPS_DRIFT_HELM_ENGINE_DIR` when set, else dist/helm/ beside the running bundle
 * (dist/cliMain.js, dist/vscode/lazyEntry.js) or, for the sources run by tests, the clone's dist/helm/.
 */
export function defaultHelmEngineDir(): string {
  const fromEnv = process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;
  if (fromEnv) return fromEnv;
  const candidates = [
    join(__dirname, 'helm'),
    join(__dirname, '..', 'helm'),
    join(__dirname, '..', '..', 'dist', 'helm'),
  ];
  return candidates.find((dir) => existsSync(join(dir, ENGINE_FILE))) ?? candidates[0];
}

export interface WasmHelmEngineOptions {
  /** Folder holding helm.wasm.gz and wasm_exec.js; default: defaultHelmEngineDir(). */
  dir?: string;
  /** One render's limit (ms) before the worker is stopped; default 60 s. */
  renderTimeoutMs?: number;
}

/** How long the last start took, for the benchmark and the log. */
export interface HelmEngineTimings {
  /** Reading and inflating the wasm file. */
  readMs: number;
  /** WebAssembly.compile. */
  compileMs: number;
  /** Instantiating and running Go's initialisation until the engine is ready. */
  startMs: number;
  /** From the request for a worker to the engine being ready, as the caller waits for it. */
  totalMs: number;
}

interface Pending {
  resolve(result: HelmRenderResult): void;
  timer: ReturnType<typeof setTimeout>;
}

type WorkerMessage =
  | { type: 'ready'; timings: Omit<HelmEngineTimings, 'totalMs'> }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; response: string };

/** Helm's engine in a worker thread; `dispose()` stops the worker. */
export class WasmHelmEngine implements HelmEngine {
  private readonly dir: string;
  private readonly renderTimeoutMs: number;
  private worker: Worker | undefined;
  private ready: Promise<string | undefined> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the engine has started. */
  timings: HelmEngineTimings | undefined;

  constructor(options: WasmHelmEngineOptions = {}) {
    this.dir = options.dir ?? defaultHelmEngineDir();
    this.renderTimeoutMs = options.renderTimeoutMs ?? 60_000;
  }

  /** Whether the engine's files are there (a build without Go has none). */
  available(): boolean {
    return existsSync(join(this.dir, ENGINE_FILE)) && existsSync(join(this.dir, WASM_EXEC_FILE));
  }

  /** Starts the worker now (otherwise the first render does); resolves to an error message when it cannot start. */
  start(): Promise<string | undefined> {
    this.ready ??= this.spawn();
    return this.ready;
  }

  async render(request: HelmRenderRequest): Promise<HelmRenderResult> {
    const startError = await this.start();
    const worker = this.worker;
    if (startError !== undefined || !worker)
      return { ok: false, stage: 'unavailable', message: startError ?? 'no engine' };
    const id = this.nextId++;
    const payload = JSON.stringify({
      ...request,
      files: request.files.map((f) => ({ name: f.name, data: Buffer.from(f.data).toString('base64') })),
    });
    return new Promise<HelmRenderResult>((resolve) => {
      const timer = setTimeout(() => {
        this.stop(`the Helm engine took longer than ${this.renderTimeoutMs / 1000} s to render; it was stopped`);
      }, this.renderTimeoutMs);
      this.pending.set(id, { resolve, timer });
      worker.ref();
      worker.postMessage({ id, request: payload });
    });
  }

  dispose(): void {
    this.stop('the Helm engine was stopped');
  }

  private spawn(): Promise<string | undefined> {
    if (!this.available())
      return Promise.resolve(
        `the Helm engine is not built (${join(this.dir, ENGINE_FILE)} is missing): build with Go installed (npm run build)`,
      );
    const began = performance.now();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { engine: join(this.dir, ENGINE_FILE), wasmExec: join(this.dir, WASM_EXEC_FILE) },
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    return new Promise<string | undefined>((resolve) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          this.timings = { ...message.timings, totalMs: performance.now() - began };
          worker.unref();
          resolve(undefined);
        } else if (message.type === 'failed') {
          resolve(`the Helm engine could not start: ${message.message}`);
          this.stop(message.message);
        } else {
          const pending = this.pending.get(message.id);
          if (!pending) return;
          this.pending.delete(message.id);
          clearTimeout(pending.timer);
          if (this.pending.size === 0) worker.unref();
          pending.resolve(parseResponse(message.response));
        }
      });
      worker.on('error', (error) => {
        resolve(`the Helm engine could not start: ${error.message}`);
        this.stop(`the Helm engine failed: ${error.message}`);
      });
      worker.on('exit', () => {
        resolve('the Helm engine stopped while starting');
        if (this.worker === worker) this.stop('the Helm engine stopped');
      });
    });
  }

  /** Fails every pending render with `message` and lets the next render start a fresh worker. */
  private stop(message: string): void {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ ok: false, stage: 'unavailable', message });
      this.pending.delete(id);
    }
    void worker?.terminate();
  }
}

interface EngineResponse {
  chart?: { name: string; version: string; appVersion?: string };
  manifests?: { source: string; content: string }[];
  hooks?: { source: string; content: string; kind: string; name: string; events: string[] | null }[];
  error?: string;
  errorKind?: Exclude<HelmRenderResult & { ok: false }, { ok: true }>['stage'];
}

function parseResponse(text: string): HelmRenderResult {
  let response: EngineResponse;
  try {
    response = JSON.parse(text) as EngineResponse;
  } catch {
    return { ok: false, stage: 'manifests', message: 'the Helm engine answered something that is not JSON' };
  }
  if (response.error !== undefined)
    return { ok: false, stage: response.errorKind ?? 'render', message: response.error };
  return {
    ok: true,
    chart: response.chart ?? { name: '', version: '' },
    manifests: response.manifests ?? [],
    hooks: (response.hooks ?? []).map((h) => ({ ...h, events: h.events ?? [] })),
  };
}

/**
 * The worker: reads and inflates the engine, takes `fetch` away (Go's net/http would use it for a schema's remote
 * $ref), loads Go's wasm_exec.js (which, with no globalThis.fs, gives Go a file system that refuses every call) and
 * answers render requests one at a time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { gunzipSync } = require('node:zlib');
(async () => {
  try {
    const t0 = performance.now();
    const bytes = gunzipSync(readFileSync(workerData.engine));
    const t1 = performance.now();
    for (const name of ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource']) delete globalThis[name];
    require(workerData.wasmExec);
    const module = await WebAssembly.compile(bytes);
    const t2 = performance.now();
    const go = new globalThis.Go();
    go.env = {};
    go.argv = ['helm-wasm'];
    const ready = new Promise((resolve) => { globalThis.gitopsDriftHelmReady = resolve; });
    const instance = await WebAssembly.instantiate(module, go.importObject);
    go.run(instance).then(() => parentPort.postMessage({ type: 'failed', message: 'the engine exited' }));
    await ready;
    const t3 = performance.now();
    parentPort.on('message', ({ id, request }) => {
      parentPort.postMessage({ type: 'result', id, response: globalThis.gitopsDriftHelmRender(request) });
    });
    parentPort.postMessage({ type: 'ready', timings: { readMs: t1 - t0, compileMs: t2 - t1, startMs: t3 - t2 } });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String(error && error.message || error) });
  }
})();
`;
