/**
 * The test bed's `helm` as the Helm conformance cases run it: Helm's homes inside the test's folder (so `helm repo
 * add` and `helm registry login` write there, and nothing of the machine's own Helm config is read), and `helm
 * template` split at its `# Source:` lines.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { KubeObject } from '../../src/core/model/resource';
import { testbedBin } from '../testbed/bins';
import { parseStream } from './kustomizeCli';

/** The `web` chart's Deployment template the remote-chart cases package (its labels show the chart and a value). */
export const WEB_DEPLOYMENT_TEMPLATE = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: {{ .Release.Name }}',
  '  labels: {chart: "{{ .Chart.Version }}", color: "{{ .Values.color }}"}',
  'spec:',
  '  replicas: {{ .Values.replicas }}',
  '  selector: {matchLabels: {app: web}}',
  '  template:',
  '    metadata: {labels: {app: web}}',
  '    spec: {containers: [{name: web, image: "nginx:{{ .Chart.AppVersion }}"}]}',
  '',
].join('\n');

/** Helm's homes under `work/helm-home`. */
export function helmEnv(work: string): NodeJS.ProcessEnv {
  const home = join(work, 'helm-home');
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

/** Runs `bin ARGS` with Helm's homes under `work` (in `cwd`, default this process's); its stdout. */
export function runWithHelmHome(bin: string, args: string[], work: string, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      bin,
      args,
      { env: helmEnv(work), maxBuffer: 64 * 1024 * 1024, ...(cwd ? { cwd } : {}) },
      (err, stdout, stderr) => (err ? reject(new Error(`${args[0]} failed: ${stderr}`)) : resolve(stdout)),
    ),
  );
}

/** `helm template ARGS` of the test bed, split at its `# Source:` lines. */
export async function helmTemplate(args: string[], work: string): Promise<{ source: string; object: KubeObject }[]> {
  const stdout = await runWithHelmHome(testbedBin('helm'), args, work);
  const documents: { source: string; object: KubeObject }[] = [];
  for (const chunk of stdout.split(/^---\n(?=# Source: )/m)) {
    const source = /^# Source: (.*)$/m.exec(chunk)?.[1];
    if (source === undefined) continue;
    for (const object of parseStream(chunk)) documents.push({ source, object });
  }
  return documents;
}

/** What helm-controller's origin-labels post-renderer adds to every object of the HelmRelease apps/web. */
export function withOriginLabels(object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...object.metadata?.labels,
        'helm.toolkit.fluxcd.io/name': 'web',
        'helm.toolkit.fluxcd.io/namespace': 'apps',
      },
    },
  } as KubeObject;
}

/**
 * The Flux HelmRelease `web` (into `web-apps`) the remote-chart cases render: `chart` is its chart or chartRef
 * lines, `values` its values' lines.
 */
export function webHelmRelease(chart: string, values: string[] = ['    color: blue']): string {
  return [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  interval: 10m',
    '  targetNamespace: web-apps',
    chart,
    '  values:',
    ...values,
    '',
  ].join('\n');
}

/** A repo of one environment `dev` (namespace `apps`) holding `release` and its `sources`. */
export function devRepoFiles(release: string, sources: string): Record<string, string> {
  return {
    '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
    'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n  - sources.yaml\n',
    'envs/dev/sources.yaml': sources,
    'envs/dev/release.yaml': release,
  };
}
