/**
 * The ApplicationSet benchmark (issue #17, "Speed"): an argocd-example-apps-style repo whose one ApplicationSet (a
 * matrix of a git files generator over 20 cluster config files and a list of 10 apps, goTemplate with a
 * templatePatch) generates 200 Applications, each a folder of this repo (kustomize, plain directory). Measures:
 *   - `gitops-drift envs REPO --format json` as a whole process (wall, CPU, peak RSS from GNU time); it must list the
 *     200 generated Applications;
 *   - in process: loading the repository (discovery, expansion, renderers settled), cold (fresh parse of everything).
 * Medians of `--runs` (default 7), with the load average before and after. Target: < 500 ms for both.
 * `--record` adds a row to docs/benchmarks.md. Run: `npm run build && npx tsx bench/argo/run.ts [--runs 7] [--record]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadRepository } from '../../src/core/repo/repository';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { recordRow } from '../recordRow';

const root = resolve(__dirname, '..', '..');
const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(option('--runs') ?? 7);
const CLUSTERS = 20;
const APPS = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Writes the repo: apps/app-N (half kustomize, half plain directories), clusters/cluster-N/config.json, the ApplicationSet. */
function generate(dir: string): void {
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  for (let a = 0; a < APPS; a++) {
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app-${a} }\nspec:\n  replicas: 1\n  selector: { matchLabels: { app: app-${a} } }\n  template:\n    metadata: { labels: { app: app-${a} } }\n    spec: { containers: [{ name: app, image: "ghcr.io/example/app-${a}:1.0.${a}" }] }\n`;
    write(`apps/app-${a}/deployment.yaml`, deployment);
    if (a % 2 === 0) write(`apps/app-${a}/kustomization.yaml`, 'resources: [deployment.yaml]\n');
  }
  for (let c = 0; c < CLUSTERS; c++)
    write(
      `clusters/cluster-${c}/config.json`,
      JSON.stringify({
        cluster: { name: `cluster-${c}`, server: `https://10.0.${c}.1:6443` },
        stage: c < 5 ? 'dev' : 'prod',
      }),
    );
  const elements = Array.from({ length: APPS }, (_, a) => `              - { app: app-${a} }`).join('\n');
  write(
    'argocd/appset.yaml',
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata: { name: fleet, namespace: argocd }',
      'spec:',
      '  goTemplate: true',
      '  goTemplateOptions: ["missingkey=error"]',
      '  generators:',
      '    - matrix:',
      '        generators:',
      '          - git:',
      '              repoURL: https://github.com/example/fleet',
      '              revision: HEAD',
      "              files: [{ path: 'clusters/*/config.json' }]",
      '          - list:',
      '              elements:',
      elements,
      '  template:',
      "    metadata: { name: '{{ .cluster.name }}-{{ .app }}' }",
      '    spec:',
      '      project: default',
      "      source: { repoURL: https://github.com/example/fleet, targetRevision: HEAD, path: 'apps/{{ .app }}' }",
      "      destination: { server: '{{ .cluster.server }}', namespace: '{{ .app | normalize }}' }",
      '  templatePatch: |',
      '    {{- if eq .stage "prod" }}',
      '    spec: { syncPolicy: { automated: { prune: true } } }',
      '    {{- end }}',
    ].join('\n') + '\n',
  );
}

/** Runs a command under GNU time: wall ms, CPU ms, peak RSS (MiB), exit code, stdout. */
function timed(args: string[]) {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const [rssKiB, user, system] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return {
    ms,
    cpuMs: (user + system) * 1000,
    rssMiB: rssKiB / 1024,
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-argo-'));
  try {
    generate(dir);
    const loadBefore = load();
    const cli = join(root, 'dist', 'cli.js');
    const whole: ReturnType<typeof timed>[] = [];
    const inProcess: { ms: number; cpuMs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const r = timed([cli, 'envs', dir, '--format', 'json']);
      if (r.code !== 0) throw new Error(`envs exited ${r.code}: ${r.stderr}`);
      // One environment per destination cluster (the default), each holding that cluster's Applications.
      const listed = (
        JSON.parse(r.stdout) as { environments: { source: string; applications: unknown[] }[] }
      ).environments
        .filter((e) => e.source === 'argocd')
        .flatMap((e) => e.applications);
      if (listed.length !== CLUSTERS * APPS)
        throw new Error(`envs listed ${listed.length} Argo CD applications, expected ${CLUSTERS * APPS}`);
      whole.push(r);
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const repo = await loadRepository(new NodeFileSystem(), dir);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const used = process.cpuUsage(cpu);
      const inProcessApps = repo.environments
        .filter((e) => e.source === 'argocd')
        .reduce((n, e) => n + e.applications.length, 0);
      if (inProcessApps !== CLUSTERS * APPS)
        throw new Error(`in process: ${inProcessApps} Argo CD applications, expected ${CLUSTERS * APPS}`);
      inProcess.push({ ms, cpuMs: (used.user + used.system) / 1000 });
    }
    const loadAfter = load();
    const m = {
      wholeMs: median(whole.map((r) => r.ms)),
      wholeCpuMs: median(whole.map((r) => r.cpuMs)),
      rssMiB: median(whole.map((r) => r.rssMiB)),
      inMs: median(inProcess.map((r) => r.ms)),
      inCpuMs: median(inProcess.map((r) => r.cpuMs)),
    };
    const f = (n: number) => n.toFixed(0);
    console.log(
      `ApplicationSet → ${CLUSTERS * APPS} Applications, medians of ${runs}, load ${loadBefore} → ${loadAfter}`,
    );
    console.log(
      `  gitops-drift envs (whole process): ${f(m.wholeMs)} ms wall, ${f(m.wholeCpuMs)} ms CPU, ${f(m.rssMiB)} MiB peak RSS (target < 500 ms)`,
    );
    console.log(`  in process (loadRepository):       ${f(m.inMs)} ms wall, ${f(m.inCpuMs)} ms CPU (target < 500 ms)`);
    console.log(
      `  all runs, whole process ms: ${whole.map((r) => f(r.ms)).join(', ')}; in process ms: ${inProcess.map((r) => f(r.ms)).join(', ')}`,
    );
    if (process.argv.includes('--record'))
      recordRow(
        '## Argo CD ApplicationSet (`bench/argo`)',
        'One ApplicationSet (matrix: git files over 20 cluster configs × a list of 10 apps, goTemplate, templatePatch) generating 200 Applications. Command: `npm run build && npx tsx bench/argo/run.ts --runs 7 --record`. Medians; CPU is user + system. Target: discovered and listed in < 500 ms, whole process and in process.\n\n| when (UTC) | load (1 5 15 min, before → after) | `envs` whole process: wall / CPU / peak RSS | in process (loadRepository): wall / CPU |\n| --- | --- | ---: | ---: |\n',
        `| ${new Date().toISOString().slice(0, 16).replace('T', ' ')} | ${loadBefore} → ${loadAfter} | ${f(m.wholeMs)} ms / ${f(m.wholeCpuMs)} ms / ${f(m.rssMiB)} MiB | ${f(m.inMs)} ms / ${f(m.inCpuMs)} ms |`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
