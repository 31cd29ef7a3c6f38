import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One benchmark size's figures. */
export interface Row {
  resources: number;
  objects: number;
  warmCachedMs: number;
  warmFilesKeptMs: number;
  warmUncachedMs: number;
  coldMs: number;
  inProcessRssMiB: number;
  cliMs: number;
  cliRssMiB: number;
  kustomizeMs: number;
  kustomizeRssMiB: number;
  sameOutput: string;
}

/** How and where the figures were taken. */
export interface RunInfo {
  machine: string;
  node: string;
  kustomize: string;
  /** `YYYY-MM-DD HH:MM` UTC. */
  date: string;
  loadAverage: string;
  runs: number;
  processRuns: number;
  kustomizeRuns: number;
  /** The arguments run.ts was given. */
  args: string;
}

const START = '<!-- render:start -->';
const END = '<!-- render:end -->';
const WARM_TARGET_MS = 50;

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(n < 100 ? 1 : 0)} ms`);
const mib = (n: number) => `${n.toFixed(0)} MiB`;

/** The whole render section of docs/benchmarks.md, every sentence derived from the figures. */
export function formatSection(rows: Row[], info: RunInfo): string {
  const thousand = rows.find((r) => r.resources === 1000);
  const met = (n: number) => (n < WARM_TARGET_MS ? 'met' : 'missed');
  const warm = thousand
    ? `warm render of 1,000 resources under ${WARM_TARGET_MS} ms — **${met(thousand.warmFilesKeptMs)}** with the file-read cache ` +
      `(${ms(thousand.warmFilesKeptMs)}; only where the caller invalidates saved files), **${met(thousand.warmCachedMs)}** with the ` +
      `parse cache alone (${ms(thousand.warmCachedMs)}, every file read again), ${ms(thousand.warmUncachedMs)} with no cache`
    : 'warm render of 1,000 resources: not measured in this run';
  const cli = rows
    .map((r) => `${(r.kustomizeMs / r.cliMs).toFixed(1)}× at ${r.resources.toLocaleString('en')}`)
    .join(', ');
  const cliMet = rows.every((r) => r.cliMs < r.kustomizeMs);
  return [
    START,
    '## Render (`bench/render`)',
    '',
    `${info.date} UTC, ${info.machine}, Node ${info.node}, kustomize ${info.kustomize} (test-bed build); load average ` +
      `${info.loadAverage} at the end (other sessions share the box: compare columns within a row, not across runs). ` +
      `Command: \`npx tsx bench/render/run.ts ${info.args}\` (runs \`npm run build\` first).`,
    '',
    'Workload, generated in a temp dir: one base per app (Deployment + ServiceAccount, Service, a configMapGenerator, ' +
      '`labels` with includeSelectors; 4 objects per app) and one `envs/prod` overlay over all of them with namespace, ' +
      'namePrefix, `labels` (includeTemplates), commonAnnotations, 10 `images` entries (tags, newName, digests), 20 ' +
      '`replicas` entries, generator merges on 2% of apps, an SMP patch by label selector (half the Deployments), a ' +
      'JSON6902 patch by name regex and per-file SMP patches on 1% of apps.',
    '',
    `Warm render: median of ${info.runs} renders after 5 warm-up renders in one process, with the parse cache the engine ` +
      'keeps between renders (files unchanged, but read again), with the file-read cache as well (a `FileCache` over the file system: ' +
      "no file read, listed or stat'ed; the caller invalidates saved files) and with a fresh cache each time (every file read and parsed again). " +
      `Whole processes: median of ${info.processRuns} runs (kustomize: ${info.kustomizeRuns}), wall clock from spawn to exit ` +
      'with stdout captured. Peak memory: max RSS from GNU time; the in-process figure is the whole Node process, TS loader included.',
    '',
    '| resources | objects | warm render, cached | warm render, files kept | warm render, uncached | first render in process | in-process peak RSS | `gitops-drift render` (CLI) | CLI peak RSS | `kustomize build` | kustomize peak RSS | same output as kustomize |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.resources} | ${r.objects} | ${ms(r.warmCachedMs)} | ${ms(r.warmFilesKeptMs)} | ${ms(r.warmUncachedMs)} | ${ms(r.coldMs)} | ${mib(r.inProcessRssMiB)} | ` +
        `${ms(r.cliMs)} | ${mib(r.cliRssMiB)} | ${ms(r.kustomizeMs)} | ${mib(r.kustomizeRssMiB)} | ${r.sameOutput} |`,
    ),
    '',
    `Targets: ${warm}; CLI faster than \`kustomize build\` as a whole process — **${cliMet ? 'met' : 'missed'}** (${cli}).`,
    END,
  ].join('\n');
}

/** Replaces the render section of the file (or appends it), leaving the other sections alone. */
export function writeSection(path: string, section: string): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + section + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
