/**
 * Decoding and checking live Helm releases (issue #16: 150 releases ≤ 1 s). A repo of one environment holding N Flux
 * HelmReleases; a cluster, in memory, holding for each release R revisions of release Secrets as Helm writes them
 * (JSON with the chart's templates and values, gzip, base64 twice) whose manifest is a podinfo-sized chart's
 * (ServiceAccount, ConfigMap, Service, Deployment with probes and resources, HorizontalPodAutoscaler), and the live
 * objects as Helm left them (its metadata, server defaults, managedFields). One object in ten is hand-edited.
 *
 * Each round runs `check` on a fresh engine: the render of the HelmReleases, the LISTs (in memory), decoding each
 * release's newest and deployed revisions, comparing every release object. Prints the median with the machine's load and, with --record, adds
 * a row to docs/benchmarks.md.
 *
 *   npx tsx bench/helm-releases/run.ts [--releases 150] [--revisions 5] [--rounds 9] [--record]
 */
import { gzipSync } from 'node:zlib';
import { loadAll } from 'js-yaml';
import { cpus, loadavg } from 'node:os';
import { DriftEngine } from '../../src/core/engine';
import { MemoryFileSystem } from '../../src/core/memoryFileSystem';
import { splitApiVersion, type KubeObject } from '../../src/core/model/resource';
import type { ClusterReader, ListOutcome, ResourceType } from '../../src/core/ports';
import { recordRow } from '../recordRow';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) || fallback : fallback;
}

const NS = 'apps';

/** podinfo's default render, as `helm template` prints it (trimmed of comments), for release `name`. */
function manifest(name: string, replicas: number): string {
  const labels = `    app.kubernetes.io/name: ${name}\n    app.kubernetes.io/instance: ${name}\n    app.kubernetes.io/version: "6.5.0"\n    helm.sh/chart: podinfo-6.5.0\n    app.kubernetes.io/managed-by: Helm`;
  return `---
# Source: podinfo/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  labels:
${labels}
---
# Source: podinfo/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  labels:
${labels}
data:
  PODINFO_UI_MESSAGE: "hello from ${name}"
  PODINFO_UI_COLOR: "#34577c"
---
# Source: podinfo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
${labels}
spec:
  type: ClusterIP
  ports:
    - port: 9898
      targetPort: http
      protocol: TCP
      name: http
    - port: 9999
      targetPort: grpc
      protocol: TCP
      name: grpc
  selector:
    app.kubernetes.io/name: ${name}
---
# Source: podinfo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
${labels}
spec:
  replicas: ${replicas}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9898"
    spec:
      terminationGracePeriodSeconds: 30
      serviceAccountName: ${name}
      containers:
        - name: podinfo
          image: "ghcr.io/stefanprodan/podinfo:6.5.0"
          imagePullPolicy: IfNotPresent
          command:
            - ./podinfo
            - --port=9898
            - --cert-path=/data/cert
            - --port-metrics=9797
            - --grpc-port=9999
            - --grpc-service-name=podinfo
            - --level=info
            - --random-delay=false
            - --random-error=false
          env:
          - name: PODINFO_UI_COLOR
            value: "#34577c"
          ports:
            - name: http
              containerPort: 9898
              protocol: TCP
            - name: http-metrics
              containerPort: 9797
              protocol: TCP
            - name: grpc
              containerPort: 9999
              protocol: TCP
          livenessProbe:
            exec:
              command:
              - podcli
              - check
              - http
              - localhost:9898/healthz
            initialDelaySeconds: 1
            timeoutSeconds: 5
          readinessProbe:
            exec:
              command:
              - podcli
              - check
              - http
              - localhost:9898/readyz
            initialDelaySeconds: 1
            timeoutSeconds: 5
          volumeMounts:
          - name: data
            mountPath: /data
          resources:
            limits: null
            requests:
              cpu: 1m
              memory: 16Mi
      volumes:
      - name: data
        emptyDir: {}
---
# Source: podinfo/templates/hpa.yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
  labels:
${labels}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  minReplicas: ${replicas}
  maxReplicas: 4
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 99
`;
}

/** The chart as Helm stores it in a release: metadata, its templates (base64) and default values. */
const chart = {
  metadata: {
    name: 'podinfo',
    version: '6.5.0',
    appVersion: '6.5.0',
    apiVersion: 'v2',
    description: 'Podinfo Helm chart for Kubernetes',
  },
  templates: Array.from({ length: 14 }, (_, i) => ({
    name: `templates/t${i}.yaml`,
    data: Buffer.from(manifest('{{ include "podinfo.fullname" . }}', 1).slice(0, 1500)).toString('base64'),
  })),
  values: {
    replicaCount: 1,
    image: { repository: 'ghcr.io/stefanprodan/podinfo', tag: '6.5.0' },
    ui: { color: '#34577c' },
  },
};

function releaseSecret(name: string, version: number, status: string, replicas: number): KubeObject {
  const release = {
    name,
    namespace: NS,
    version,
    info: {
      status,
      first_deployed: '2026-12-06T10:00:00Z',
      last_deployed: `2026-12-06T1${version}:00:00Z`,
      description: 'Upgrade complete',
    },
    chart,
    config: { replicaCount: replicas, ui: { message: `hello from ${name}` } },
    manifest: manifest(name, replicas),
  };
  const helmText = gzipSync(Buffer.from(JSON.stringify(release)), { level: 9 }).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${name}.v${version}`,
      namespace: NS,
      labels: { name, owner: 'helm', status, version: String(version) },
    },
    data: { release: Buffer.from(helmText).toString('base64') },
  };
}

/** The live objects of one release: the manifest's objects with Helm's metadata, server defaults and managedFields. */
function liveObjects(name: string, replicas: number, edited: boolean): KubeObject[] {
  const helm = {
    manager: 'helm',
    operation: 'Apply',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:replicas': {} } },
    time: '2026-12-06T10:00:00Z',
  };
  const objects = parseManifest(manifest(name, replicas));
  return objects.map((o, i) => {
    const copy = structuredClone(o);
    copy.metadata = {
      ...copy.metadata,
      namespace: NS,
      uid: `${name}-${i}`,
      resourceVersion: '1',
      annotations: {
        ...(copy.metadata.annotations ?? {}),
        'meta.helm.sh/release-name': name,
        'meta.helm.sh/release-namespace': NS,
      },
      managedFields: [{ ...helm, apiVersion: o.apiVersion }],
    };
    if (o.kind === 'Deployment') {
      const spec = copy.spec as Record<string, any>;
      spec.revisionHistoryLimit = 10;
      spec.progressDeadlineSeconds = 600;
      spec.template.spec.restartPolicy = 'Always';
      spec.template.spec.dnsPolicy = 'ClusterFirst';
      spec.template.spec.containers[0].terminationMessagePath = '/dev/termination-log';
      if (edited) {
        spec.replicas = replicas + 3;
        (copy.metadata.managedFields as unknown[]).push({
          manager: 'kubectl',
          operation: 'Update',
          apiVersion: 'apps/v1',
          subresource: 'scale',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
          time: '2026-12-06T12:00:00Z',
        });
      }
      copy.status = { replicas, readyReplicas: replicas };
    }
    if (o.kind === 'Service') {
      const spec = copy.spec as Record<string, any>;
      spec.clusterIP = '10.0.0.1';
      spec.clusterIPs = ['10.0.0.1'];
      spec.sessionAffinity = 'None';
      spec.ipFamilies = ['IPv4'];
    }
    return copy;
  });
}

function parseManifest(text: string): KubeObject[] {
  // The bench's own reading of its manifest (the live side), with js-yaml.
  return text
    .split(/^---$/m)
    .flatMap((d) => loadAll(d) as KubeObject[])
    .filter((o) => o && typeof o === 'object');
}

const types: ResourceType[] = [
  ['', 'v1', 'Secret', 'secrets'],
  ['', 'v1', 'ConfigMap', 'configmaps'],
  ['', 'v1', 'Service', 'services'],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts'],
  ['apps', 'v1', 'Deployment', 'deployments'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'],
  ['helm.toolkit.fluxcd.io', 'v2', 'HelmRelease', 'helmreleases'],
].map(([group, version, kind, resource]) => ({ group, version, kind, resource, namespaced: true, verbs: ['list'] }));

/** A cluster in memory: each LIST returns copies, as a real one returns fresh objects. */
class MemoryCluster implements ClusterReader {
  lists = 0;
  constructor(private readonly objects: KubeObject[]) {}
  async resourceType(group: string, kind: string) {
    return types.find((t) => t.group === group && t.kind === kind);
  }
  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    this.lists++;
    const items = this.objects.filter(
      (o) =>
        splitApiVersion(o.apiVersion).group === type.group &&
        o.kind === type.kind &&
        o.metadata.namespace === namespace,
    );
    return { status: 'ok', items: structuredClone(items), resourceVersion: '1' };
  }
}

async function main(): Promise<void> {
  const releases = option('releases', 150);
  const revisions = option('revisions', 5);
  const rounds = option('rounds', 9);
  const files: Record<string, string> = {
    '.gitops-drift.yaml': `environments:\n  - name: prod\n    path: envs/prod\n    namespace: ${NS}\n`,
    'envs/prod/kustomization.yaml': `resources:\n${Array.from({ length: releases }, (_, i) => `  - r${i}.yaml\n`).join('')}`,
  };
  const live: KubeObject[] = [];
  for (let i = 0; i < releases; i++) {
    const name = `podinfo-${i}`;
    const replicas = 1 + (i % 3);
    files[`envs/prod/r${i}.yaml`] =
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: podinfo\n      version: 6.5.0\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n  values:\n    replicaCount: ${replicas}\n    ui:\n      message: hello from ${name}\n`;
    for (let v = 1; v <= revisions; v++)
      live.push(releaseSecret(name, v, v === revisions ? 'deployed' : 'superseded', replicas));
    live.push(...liveObjects(name, replicas, i % 10 === 0));
  }
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let counts = '';
  const phases: { render: number; live: number; reconcile: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const engine = new DriftEngine({ fs: new MemoryFileSystem(files, '/r'), repoRoot: '/r' });
    const reader = new MemoryCluster(live);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const report = await engine.check(await engine.environment('prod'), { reader, context: 'bench' });
    times.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time: on a shared machine the wall clock counts the other processes' turns too.
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    if (report.error) throw new Error(report.error);
    const released = report.resources.filter((r) => r.application?.startsWith('HelmRelease '));
    const drifted = released.filter((r) => r.verdict !== 'InSync');
    const apps = report.applications.filter((a) => a.kind === 'helm' && a.state === 'rendered').length;
    const expected = Math.ceil(releases / 10);
    if (apps !== releases || released.length !== releases * 5 || drifted.length !== expected)
      throw new Error(
        `round ${round}: ${apps} releases compared, ${released.length} objects, ${drifted.length} drifted (expected ${releases}, ${releases * 5}, ${expected}): ${drifted
          .filter((r) => r.key.kind !== 'Deployment')
          .slice(0, 3)
          .map((r) => `${r.key.kind} ${r.fields.map((f) => f.path).join(',')}`)
          .join('; ')}`,
      );
    counts = `${released.length} objects, ${drifted.length} drifted, ${releases * revisions} release Secrets, ${reader.lists} LISTs`;
    phases.push(report.timings);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const cpuMedian = [...cpuTimes].sort((a, b) => a - b)[Math.floor(cpuTimes.length / 2)];
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `check of ${releases} Helm releases (${revisions} revisions each; ${counts}) over ${rounds} rounds: median ${median.toFixed(0)} ms (CPU ${cpuMedian.toFixed(0)} ms), min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms; first round ${times[0].toFixed(0)} ms (load ${load}, ${cpus().length} cores, Node ${process.version})`,
  );
  const phase = (k: 'render' | 'live' | 'reconcile') =>
    [...phases.map((p) => p[k])].sort((a, b) => a - b)[Math.floor(phases.length / 2)];
  console.log(
    `  median phases: render ${phase('render')} ms, live (the HelmReleases' LISTs) ${phase('live')} ms, reconcile with the releases (their LISTs, decoding, comparing) ${phase('reconcile')} ms`,
  );
  if (process.argv.includes('--record')) {
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    recordRow(
      '## Helm releases (`bench/helm-releases`)',
      'Decoding and checking live Helm releases (issue #16, target: 150 releases ≤ 1 s): one environment of N Flux ' +
        "HelmReleases, a cluster in memory holding each release's revisions as Helm writes them (JSON with the chart, " +
        'gzip, base64 twice) with a podinfo-sized manifest (5 objects), and the live objects as Helm left them (one ' +
        'release in ten hand-scaled). Each round is a `check` on a fresh engine: render, LISTs, decoding every release ' +
        'Secret, comparing every release object. Command: `npx tsx bench/helm-releases/run.ts --record`. The CPU time (user ' +
        'and system time of the process, its GC threads included) is the work itself, which the wall clock exceeds when ' +
        'the machine is shared.\n\n' +
        '| when (UTC) | releases | revisions each | rounds | median | median CPU time | min–max | first round | load (1/5/15 min) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n',
      `| ${when} | ${releases} | ${revisions} | ${rounds} | ${median.toFixed(0)} ms | ${cpuMedian.toFixed(0)} ms | ${sorted[0].toFixed(0)}–${sorted[sorted.length - 1].toFixed(0)} ms | ${times[0].toFixed(0)} ms | ${load} |`,
    );
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
