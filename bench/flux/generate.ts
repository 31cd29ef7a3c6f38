/**
 * Generates a home-ops-sized Flux repo (deterministic for a seed), laid out as the "home-ops" repos are
 * (onedr0p/home-ops, bjw-s/home-ops, the flux-cluster-template they share):
 *
 *   clusters/home/flux-system/      bootstrap's GitRepository and `flux-system` Kustomization (path ./clusters/home)
 *   clusters/home/vars/             the `cluster-settings` ConfigMap: the cluster's ${VARS}
 *   clusters/home/apps.yaml         `cluster-apps` (path ./kubernetes/apps): substitutes from cluster-settings and
 *                                   patches every child Kustomization (decryption, substituteFrom, timeout)
 *   kubernetes/apps/<ns>/           a namespace and one `<app>/ks.yaml` per app (Kustomizations in flux-system,
 *                                   `targetNamespace: <ns>`, dependsOn chains, postBuild substitute + substituteFrom)
 *   kubernetes/apps/<ns>/<app>/app/ the app: HelmRelease(s) with an OCIRepository chart source each, its config, an
 *                                   Ingress and NetworkPolicy on ${SECRET_DOMAIN}, ${METRICS_PORT}, ...; plain apps a
 *                                   Deployment and friends instead
 *   kubernetes/components/          `backup` (PVC, CronJob, RBAC) and `dashboards`, included through the
 *                                   Kustomizations' spec.components as onedr0p's kopiur component is
 *
 * Defaults: 120 Flux Kustomizations (flux-system, cluster-apps and 118 apps), 150 HelmReleases, 2,000 objects in all
 * (the remainder after the apps' own objects is made up with dashboard ConfigMaps, as Grafana sidecars read them).
 * Run alone: `npx tsx bench/flux/generate.ts DIR [--objects 2000] [--seed 15]` prints the counts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FluxRepoOptions {
  /** Objects the cluster's render holds in all (Kustomizations, namespaces and cluster-settings included). */
  objects?: number;
  /** Flux Kustomizations in all, flux-system and cluster-apps included. */
  kustomizations?: number;
  helmReleases?: number;
  seed?: number;
}

/** One app Kustomization of the generated repo. */
export interface GeneratedApp {
  name: string;
  namespace: string;
  /** Repo-relative folder its Kustomization renders. */
  path: string;
  /** Repo-relative ks.yaml holding its Kustomization. */
  ksFile: string;
  helmReleases: string[];
  /** Objects its render holds. */
  objects: number;
}

export interface GeneratedFluxRepo {
  cluster: string;
  apps: GeneratedApp[];
  kustomizations: number;
  helmReleases: number;
  objects: number;
  /** The ${VARS} of cluster-settings. */
  settings: Record<string, string>;
  namespaces: string[];
}

export const CLUSTER = 'home';
const NAMESPACES = [
  'cert-manager',
  'database',
  'default',
  'home-automation',
  'kube-system',
  'media',
  'network',
  'observability',
  'security',
  'storage',
  'system-upgrade',
  'tools',
];
const APP_WORDS = [
  'atuin',
  'autobrr',
  'bazarr',
  'blocky',
  'cloudflared',
  'echo',
  'emqx',
  'esphome',
  'frigate',
  'gatus',
  'go2rtc',
  'grafana',
  'home-assistant',
  'immich',
  'jellyfin',
  'kromgo',
  'loki',
  'mosquitto',
  'node-red',
  'ollama',
  'paperless',
  'plex',
  'prowlarr',
  'qbittorrent',
  'radarr',
  'recyclarr',
  'redis',
  'sabnzbd',
  'smtp-relay',
  'sonarr',
  'tautulli',
  'unpoller',
  'vector',
  'zigbee2mqtt',
  'zwave',
  'vaultwarden',
  'miniflux',
  'mealie',
  'lidarr',
  'readarr',
];

/** cluster-settings: the 20 variables the apps read through ${VAR}. */
export const CLUSTER_SETTINGS: Record<string, string> = {
  CLUSTER_NAME: CLUSTER,
  TIMEZONE: 'Europe/Berlin',
  SECRET_DOMAIN: 'home.example.net',
  CLUSTER_CIDR: '10.42.0.0/16',
  SERVICE_CIDR: '10.43.0.0/16',
  NODE_CIDR: '192.168.10.0/24',
  LB_INGRESS_IP: '192.168.10.220',
  LB_DNS_IP: '192.168.10.221',
  INGRESS_CLASS: 'internal',
  CERT_ISSUER: 'letsencrypt-production',
  STORAGE_CLASS: 'ceph-block',
  STORAGE_CLASS_FAST: 'openebs-hostpath',
  BACKUP_ENDPOINT: 'https://s3.home.example.net',
  BACKUP_BUCKET: 'volsync',
  PUID: '1000',
  PGID: '1000',
  LOG_LEVEL: 'info',
  SMTP_HOST: 'smtp-relay.default.svc.cluster.local',
  METRICS_PORT: '9090',
  ALERTMANAGER_URL: 'http://alertmanager.observability.svc.cluster.local:9093',
};

/** A small seeded generator (mulberry32): the same seed writes the same repo. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOURCE_REF = `  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system`;

/** Writes the repo under `dir`. */
export function generateFluxRepo(dir: string, options: FluxRepoOptions = {}): GeneratedFluxRepo {
  const totalObjects = options.objects ?? 2000;
  const totalKustomizations = options.kustomizations ?? 120;
  const totalHelmReleases = options.helmReleases ?? 150;
  const rand = random(options.seed ?? 15);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };

  // Apps: most are Helm charts (app-template over OCI), a few of them with a second release (a database, a cache);
  // the rest plain manifests. Names are unique across the cluster (their Kustomizations share flux-system).
  const appCount = totalKustomizations - 2;
  const plainCount = Math.max(0, Math.round(appCount * 0.15));
  const helmCount = appCount - plainCount;
  const secondReleases = Math.max(0, Math.min(helmCount, totalHelmReleases - helmCount));
  const used = new Set<string>();
  const names: string[] = [];
  for (let i = 0; i < appCount; i++) {
    let name = pick(APP_WORDS);
    for (let n = 2; used.has(name); n++) name = `${pick(APP_WORDS)}-${n}`;
    used.add(name);
    names.push(name);
  }
  const apps: (GeneratedApp & { kind: 'helm' | 'plain'; second: boolean; stateful: boolean; dashboards: number })[] =
    names.map((name, i) => {
      const namespace = NAMESPACES[i % NAMESPACES.length];
      const kind = i < helmCount ? 'helm' : 'plain';
      return {
        name,
        namespace,
        path: `kubernetes/apps/${namespace}/${name}/app`,
        ksFile: `kubernetes/apps/${namespace}/${name}/ks.yaml`,
        helmReleases: [],
        objects: 0,
        kind,
        second: kind === 'helm' && i < secondReleases,
        stateful: rand() < 0.55,
        dashboards: 0,
      };
    });
  // Objects each app renders before dashboards: helm: HelmRelease + OCIRepository (per release), ConfigMap, Ingress,
  // NetworkPolicy, ServiceAccount, PodDisruptionBudget; plain: Deployment, Service, ServiceAccount, ConfigMap,
  // Ingress, NetworkPolicy, PodDisruptionBudget, HorizontalPodAutoscaler; stateful ones add the backup component's
  // PVC, CronJob, Role and RoleBinding.
  for (const app of apps) app.objects = (app.kind === 'helm' ? (app.second ? 4 : 2) + 5 : 8) + (app.stateful ? 4 : 0);
  const fixed = totalKustomizations + 1 /* GitRepository */ + 1 /* cluster-settings */ + NAMESPACES.length;
  let remainder = totalObjects - fixed - apps.reduce((n, a) => n + a.objects, 0);
  if (remainder < 0)
    throw new Error(`${totalObjects} objects is too few for ${appCount} apps (at least ${totalObjects - remainder})`);
  // Dashboards through the `dashboards` component: one ConfigMap each, spread over the apps that have metrics.
  for (let i = 0; remainder > 0; i = (i + 1) % apps.length) {
    apps[i].dashboards++;
    apps[i].objects++;
    remainder--;
  }

  // Bootstrap, as `flux bootstrap` writes it (gotk-components left out: home-ops repos install Flux itself apart).
  write(
    `clusters/${CLUSTER}/flux-system/gotk-sync.yaml`,
    `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  secretRef:
    name: flux-system
  url: ssh://git@github.com/example/home-ops
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/${CLUSTER}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
  );
  write(
    `clusters/${CLUSTER}/flux-system/kustomization.yaml`,
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-sync.yaml
`,
  );
  write(
    `clusters/${CLUSTER}/vars/cluster-settings.yaml`,
    `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cluster-settings
  namespace: flux-system
data:
${Object.entries(CLUSTER_SETTINGS)
  .map(([k, v]) => `  ${k}: ${/^\d+$/.test(v) ? `"${v}"` : v}`)
  .join('\n')}
`,
  );
  write(
    `clusters/${CLUSTER}/vars/kustomization.yaml`,
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ./cluster-settings.yaml
`,
  );
  // The parent patches every child Kustomization (bjw-s/home-ops: decryption and substituteFrom for all), except those
  // labelled out of substitution.
  write(
    `clusters/${CLUSTER}/apps.yaml`,
    `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-apps
  namespace: flux-system
spec:
  interval: 30m
  path: ./kubernetes/apps
  prune: true
${SOURCE_REF}
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-settings
  patches:
    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: not-used
        spec:
          decryption:
            provider: sops
            secretRef:
              name: sops-age
          postBuild:
            substituteFrom:
              - kind: ConfigMap
                name: cluster-settings
          timeout: 5m
      target:
        group: kustomize.toolkit.fluxcd.io
        kind: Kustomization
        labelSelector: substitution.flux.home.arpa/disabled notin (true)
`,
  );

  // Components, referenced from the Kustomizations (relative to their path, as onedr0p's are).
  write(
    'kubernetes/components/backup/kustomization.yaml',
    `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - ./pvc.yaml
  - ./cronjob.yaml
  - ./rbac.yaml
`,
  );
  write(
    'kubernetes/components/backup/pvc.yaml',
    `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: \${APP}
spec:
  accessModes:
    - \${VOLSYNC_ACCESSMODES:=ReadWriteOnce}
  resources:
    requests:
      storage: \${VOLSYNC_CAPACITY:=5Gi}
  storageClassName: \${VOLSYNC_STORAGECLASS:=ceph-block}
`,
  );
  write(
    'kubernetes/components/backup/cronjob.yaml',
    `---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: \${APP}-backup
spec:
  schedule: "\${VOLSYNC_SCHEDULE:=0 * * * *}"
  timeZone: \${TIMEZONE}
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: \${APP}-backup
          restartPolicy: OnFailure
          securityContext:
            runAsUser: \${VOLSYNC_PUID:=1000}
            runAsGroup: \${VOLSYNC_PGID:=1000}
          containers:
            - name: restic
              image: ghcr.io/home-operations/restic:0.18.0
              args: ["backup", "/data", "--tag", "\${APP}"]
              env:
                - name: RESTIC_REPOSITORY
                  value: s3:\${BACKUP_ENDPOINT}/\${BACKUP_BUCKET}/\${APP}
                - name: TZ
                  value: \${TIMEZONE}
              volumeMounts:
                - name: data
                  mountPath: /data
          volumes:
            - name: data
              persistentVolumeClaim:
                claimName: \${APP}
`,
  );
  write(
    'kubernetes/components/backup/rbac.yaml',
    `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: \${APP}-backup
rules:
  - apiGroups: [""]
    resources: ["persistentvolumeclaims"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: \${APP}-backup
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: \${APP}-backup
subjects:
  - kind: ServiceAccount
    name: \${APP}-backup
`,
  );

  // Namespaces and the apps' Kustomizations. dependsOn: a stateful app waits for the namespace's first app (storage
  // operators, databases), and every third app for the one before it: chains of several links.
  const byNamespace = new Map<string, typeof apps>();
  for (const app of apps) byNamespace.set(app.namespace, [...(byNamespace.get(app.namespace) ?? []), app]);
  for (const namespace of NAMESPACES) {
    const members = byNamespace.get(namespace) ?? [];
    write(
      `kubernetes/apps/${namespace}/namespace.yaml`,
      `---
apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
  annotations:
    kustomize.toolkit.fluxcd.io/prune: disabled
`,
    );
    write(
      `kubernetes/apps/${namespace}/kustomization.yaml`,
      `---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ./namespace.yaml
${members.map((a) => `  - ./${a.name}/ks.yaml`).join('\n')}
`,
    );
    members.forEach((app, i) => {
      const deps = new Set<string>();
      if (app.stateful && i > 0) deps.add(members[0].name);
      if (i > 0 && i % 3 === 0) deps.add(members[i - 1].name);
      const components = [
        ...(app.stateful ? ['../../../../components/backup'] : []),
        ...(app.dashboards ? ['./dashboards'] : []),
      ];
      const capacity = app.stateful ? `${pick([1, 2, 5, 10, 20, 50])}Gi` : '';
      write(
        app.ksFile,
        `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${app.name}
  namespace: flux-system
spec:
${components.length ? `  components:\n${components.map((c) => `    - ${c}`).join('\n')}\n` : ''}${
          deps.size
            ? `  dependsOn:\n${[...deps].map((d) => `    - name: ${d}\n      namespace: flux-system`).join('\n')}\n`
            : ''
        }  interval: 1h
  path: ./${app.path}
  postBuild:
    substitute:
      APP: ${app.name}
${capacity ? `      VOLSYNC_CAPACITY: ${capacity}\n` : ''}    substituteFrom:
      - kind: ConfigMap
        name: cluster-settings
  prune: true
${SOURCE_REF}
  targetNamespace: ${app.namespace}
  wait: false
`,
      );
      writeApp(app, write, pick);
    });
  }
  const helmReleases = apps.reduce((n, a) => n + a.helmReleases.length, 0);
  const objects = fixed + apps.reduce((n, a) => n + a.objects, 0);
  return {
    cluster: CLUSTER,
    apps: apps.map(({ name, namespace, path, ksFile, helmReleases: hr, objects: n }) => ({
      name,
      namespace,
      path,
      ksFile,
      helmReleases: hr,
      objects: n,
    })),
    kustomizations: apps.length + 2,
    helmReleases,
    objects,
    settings: CLUSTER_SETTINGS,
    namespaces: NAMESPACES,
  };
}

function writeApp(
  app: GeneratedApp & { kind: 'helm' | 'plain'; second: boolean; dashboards: number },
  write: (file: string, text: string) => void,
  pick: <T>(xs: readonly T[]) => T,
): void {
  const files: string[] = [];
  const add = (file: string, text: string) => {
    files.push(file);
    write(`${app.path}/${file}`, text);
  };
  const version = `${pick([1, 2, 3, 4])}.${pick([0, 1, 2, 5, 8, 12])}.${pick([0, 1, 3])}`;
  if (app.kind === 'helm') {
    const releases = app.second ? [app.name, `${app.name}-db`] : [app.name];
    app.helmReleases.push(...releases);
    add(
      'ocirepository.yaml',
      releases
        .map(
          (r) => `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: ${r}
spec:
  interval: 15m
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
  ref:
    tag: ${r.endsWith('-db') ? '16.4.0' : '4.2.0'}
  url: oci://ghcr.io/${r.endsWith('-db') ? 'cloudnative-pg/charts/cluster' : 'bjw-s-labs/helm/app-template'}
`,
        )
        .join(''),
    );
    add(
      'helmrelease.yaml',
      releases
        .map(
          (r, i) => `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${r}
spec:
  chartRef:
    kind: OCIRepository
    name: ${r}
  interval: 1h
${i > 0 ? '' : `  dependsOn:\n    - name: ${app.name}-db\n`.repeat(app.second ? 1 : 0)}  install:
    remediation:
      retries: -1
  upgrade:
    cleanupOnFail: true
    remediation:
      retries: 3
  values:
    controllers:
      ${r}:
        annotations:
          reloader.stakater.com/auto: "true"
        containers:
          app:
            image:
              repository: ghcr.io/home-operations/${app.name}
              tag: ${version}@sha256:${(app.name + r + version)
                .padEnd(64, '0')
                .replace(/[^0-9a-f]/g, 'a')
                .slice(0, 64)}
            env:
              TZ: \${TIMEZONE}
              LOG_LEVEL: \${LOG_LEVEL}
              PUID: \${PUID}
              PGID: \${PGID}
              SMTP_HOST: \${SMTP_HOST}
              APP_URL: https://\${APP}.\${SECRET_DOMAIN}
            probes:
              liveness: &probes
                enabled: true
                custom: true
                spec:
                  httpGet:
                    path: /healthz
                    port: &port 8080
                  initialDelaySeconds: 0
                  periodSeconds: 10
                  timeoutSeconds: 1
                  failureThreshold: 3
              readiness: *probes
            securityContext:
              allowPrivilegeEscalation: false
              readOnlyRootFilesystem: true
              capabilities: { drop: ["ALL"] }
            resources:
              requests:
                cpu: 10m
              limits:
                memory: ${pick([128, 256, 512, 1024])}Mi
    defaultPodOptions:
      securityContext:
        runAsNonRoot: true
        runAsUser: \${PUID}
        runAsGroup: \${PGID}
        fsGroup: \${PGID}
        fsGroupChangePolicy: OnRootMismatch
    service:
      app:
        ports:
          http:
            port: *port
          metrics:
            port: \${METRICS_PORT}
    persistence:
      config:
        existingClaim: ${app.name}
      tmp:
        type: emptyDir
`,
        )
        .join(''),
    );
  } else {
    add(
      'deployment.yaml',
      `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app.name}
  labels:
    app.kubernetes.io/name: ${app.name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app.name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app.name}
    spec:
      serviceAccountName: ${app.name}
      securityContext:
        runAsUser: \${PUID}
        runAsGroup: \${PGID}
      containers:
        - name: app
          image: ghcr.io/home-operations/${app.name}:${version}
          env:
            - name: TZ
              value: \${TIMEZONE}
            - name: LOG_LEVEL
              value: \${LOG_LEVEL}
          envFrom:
            - configMapRef:
                name: ${app.name}-config
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: \${METRICS_PORT}
          resources:
            requests:
              cpu: 10m
              memory: 64Mi
---
apiVersion: v1
kind: Service
metadata:
  name: ${app.name}
spec:
  selector:
    app.kubernetes.io/name: ${app.name}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${app.name}
spec:
  minReplicas: 1
  maxReplicas: 3
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${app.name}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 80
`,
    );
  }
  add(
    'config.yaml',
    `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app.name}-config
data:
  CLUSTER: \${CLUSTER_NAME}
  EXTERNAL_URL: https://\${APP}.\${SECRET_DOMAIN}
  TZ: \${TIMEZONE}
  ALERTMANAGER_URL: \${ALERTMANAGER_URL}
  LOG_LEVEL: \${LOG_LEVEL}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${app.name}
`,
  );
  add(
    'network.yaml',
    `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${app.name}
  annotations:
    cert-manager.io/cluster-issuer: \${CERT_ISSUER}
    external-dns.alpha.kubernetes.io/target: \${LB_INGRESS_IP}
spec:
  ingressClassName: \${INGRESS_CLASS}
  tls:
    - hosts: ["\${APP}.\${SECRET_DOMAIN}"]
  rules:
    - host: \${APP}.\${SECRET_DOMAIN}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${app.name}
                port:
                  name: http
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${app.name}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: ${app.name}
  policyTypes: [Ingress]
  ingress:
    - from:
        - ipBlock:
            cidr: \${CLUSTER_CIDR}
        - ipBlock:
            cidr: \${NODE_CIDR}
      ports:
        - port: 8080
        - port: \${METRICS_PORT}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${app.name}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app.name}
`,
  );
  write(
    `${app.path}/kustomization.yaml`,
    `---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${files.map((f) => `  - ./${f}`).join('\n')}
`,
  );
  if (app.dashboards) {
    // The app's own component (as home-ops apps keep `app/` and a sibling component): dashboards for Grafana.
    write(
      `${app.path}/dashboards/kustomization.yaml`,
      `---
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - ./dashboards.yaml
`,
    );
    write(
      `${app.path}/dashboards/dashboards.yaml`,
      Array.from(
        { length: app.dashboards },
        (_, i) => `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app.name}-dashboard-${i + 1}
  labels:
    grafana_dashboard: "1"
  annotations:
    grafana_folder: \${CLUSTER_NAME}
data:
  ${app.name}-${i + 1}.json: |
    {"title": "${app.name} ${i + 1}", "timezone": "\${TIMEZONE}", "panels": [{"type": "timeseries", "targets": [{"expr": "up{job=\\"${app.name}\\"}"}]}]}
`,
      ).join(''),
    );
  }
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npx tsx bench/flux/generate.ts DIR [--objects N] [--seed N]');
  const option = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const repo = generateFluxRepo(dir, { objects: option('--objects'), seed: option('--seed') });
  console.log(
    `${dir}: cluster ${repo.cluster}, ${repo.kustomizations} Flux Kustomizations, ${repo.helmReleases} HelmReleases, ${repo.objects} objects`,
  );
}
