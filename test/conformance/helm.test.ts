import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/core/model/resource';
import type { HelmChartFile, HelmRenderRequest, HelmRenderResult } from '../../src/core/ports';
import type { WasmHelmEngine } from '../../src/node/helmEngine';
import { testbedBin } from '../testbed/bins';
import { startTestHelmEngine } from '../testbed/helmEngine';
import { parseStream } from './kustomizeCli';

/**
 * Helm conformance: each case makes a chart, renders it with our engine (Helm's own, in WebAssembly, through the
 * HelmEngine adapter) and with the test bed's `helm template` (the same pinned Helm, native), and compares the
 * documents one by one, in order, with the template each came from — or, for a broken chart, the error.
 */
interface HelmCase {
  name: string;
  /** Chart files, paths relative to the chart folder. */
  chart: Record<string, string>;
  /** The user's values file (`-f`). */
  values?: string;
  includeCRDs?: boolean;
  kubeVersion?: string;
  apiVersions?: string[];
  /** Both must fail; ours with Helm's message, which must match this. */
  error?: RegExp;
}

const chartYaml = (name: string, extra = '') =>
  `apiVersion: v2\nname: ${name}\nversion: 1.2.3\nappVersion: "4.5"\n${extra}`;

const cases: HelmCase[] = [
  {
    name: 'application chart: values, release, default capabilities, hooks and NOTES',
    chart: {
      'Chart.yaml': chartYaml('app'),
      'values.yaml': 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: ""\nlabels:\n  team: a\nport: 8080\n',
      'templates/_helpers.tpl':
        '{{- define "app.fullname" -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}\n',
      'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- toYaml .Values.labels | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: {{ include "app.fullname" . }}}
  template:
    metadata:
      labels: {app: {{ include "app.fullname" . }}}
    spec:
      containers:
        - name: main
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          ports: [{containerPort: {{ .Values.port }}}]
`,
      'templates/capabilities.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: capabilities
data:
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  kubeMinor: {{ .Capabilities.KubeVersion.Minor | quote }}
  hasApps: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}
  hasCRDs: {{ .Capabilities.APIVersions.Has "apiextensions.k8s.io/v1" | quote }}
  apiVersions: {{ .Capabilities.APIVersions | toJson | quote }}
  helmVersion: {{ .Capabilities.HelmVersion.Version | quote }}
  kubeClient: {{ .Capabilities.HelmVersion.KubeClientVersion | quote }}
  revision: {{ .Release.Revision | quote }}
  install: {{ .Release.IsInstall | quote }}
  service: {{ .Release.Service | quote }}
  lookup: {{ lookup "v1" "Namespace" "" "default" | toJson | quote }}
  dns: {{ getHostByName "localhost" | quote }}
`,
      'templates/multi.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ include "app.fullname" . }}
spec:
  ports: [{port: 80}]
---
# an empty document between two
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "app.fullname" . }}
`,
      'templates/hook.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox}]
`,
      'templates/NOTES.txt': 'Installed {{ .Release.Name }}.\n',
      'templates/empty.yaml': '{{- if false }}\nnothing: here\n{{- end }}\n',
    },
    values: 'replicaCount: 3\nlabels:\n  env: prod\n',
  },
  {
    name: 'library chart, tpl, .Files (Get, Glob, AsConfig, Lines) and .helmignore',
    chart: {
      'Chart.yaml': chartYaml('files', 'dependencies:\n  - name: common\n    version: 0.1.0\n'),
      'values.yaml':
        'greeting: "hello {{ .Release.Name }} from {{ .Chart.Name }}"\nnested:\n  text: "{{ .Values.who }}"\nwho: world\n',
      '.helmignore': 'files/ignored.txt\n*.bak\n',
      'files/config.ini': '[main]\nkey = value\n',
      'files/a.txt': 'A\n',
      'files/b.txt': 'B\nB2\n',
      'files/ignored.txt': 'should not be seen\n',
      'templates/old.yaml.bak': 'not: a template\n',
      'charts/common/Chart.yaml': 'apiVersion: v2\nname: common\nversion: 0.1.0\ntype: library\n',
      'charts/common/templates/_names.tpl':
        '{{- define "common.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}-lib{{- end -}}\n{{- define "common.labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\napp.kubernetes.io/managed-by: {{ .Release.Service }}\n{{- end -}}\n',
      'templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "common.name" . }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
data:
  config.ini: {{ .Files.Get "files/config.ini" | quote }}
  ignored: {{ .Files.Get "files/ignored.txt" | quote }}
  greeting: {{ tpl .Values.greeting . | quote }}
  nested: {{ tpl .Values.nested.text . | quote }}
  lines: {{ .Files.Lines "files/b.txt" | toJson | quote }}
  {{- (.Files.Glob "files/*.txt").AsConfig | nindent 2 }}
`,
    },
  },
  {
    name: 'subcharts: condition, tags, import-values, globals and parent overrides',
    chart: {
      'Chart.yaml': chartYaml(
        'parent',
        `dependencies:
  - name: db
    version: 1.0.0
    condition: db.enabled
  - name: cache
    version: 1.0.0
    tags: [backend]
  - name: queue
    version: 1.0.0
    tags: [backend]
    condition: queue.enabled
  - name: metrics
    version: 1.0.0
    import-values:
      - child: exported.settings
        parent: imported
      - data
`,
      ),
      'values.yaml':
        'db:\n  enabled: false\n  size: small\ntags:\n  backend: false\nglobal:\n  region: eu\nimported:\n  port: 1\n',
      'templates/parent.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: parent
data:
  imported: {{ .Values.imported | toJson | quote }}
  exportedData: {{ .Values.fromData | default "none" | quote }}
`,
      'charts/db/Chart.yaml': 'apiVersion: v2\nname: db\nversion: 1.0.0\n',
      'charts/db/values.yaml': 'size: large\nenabled: true\n',
      'charts/db/templates/db.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db-{{ .Values.size }}\ndata:\n  region: {{ .Values.global.region }}\n',
      'charts/cache/Chart.yaml': 'apiVersion: v2\nname: cache\nversion: 1.0.0\n',
      'charts/cache/templates/cache.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cache\n',
      'charts/queue/Chart.yaml': 'apiVersion: v2\nname: queue\nversion: 1.0.0\n',
      'charts/queue/templates/queue.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: queue\n',
      'charts/metrics/Chart.yaml': 'apiVersion: v2\nname: metrics\nversion: 1.0.0\n',
      'charts/metrics/values.yaml':
        'exported:\n  settings:\n    port: 9090\n    path: /metrics\nexports:\n  data:\n    fromData: yes-from-exports\n',
      'charts/metrics/templates/metrics.yaml':
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: metrics-{{ .Release.Name }}\nspec:\n  ports: [{port: {{ .Values.exported.settings.port }}}]\n',
    },
    values: 'db:\n  enabled: true\ntags:\n  backend: true\nqueue:\n  enabled: false\n',
  },
  {
    name: 'CRDs included (crds/ of the chart and of a subchart, printed first)',
    includeCRDs: true,
    chart: {
      'Chart.yaml': chartYaml('crds', 'dependencies:\n  - name: sub\n    version: 1.0.0\n'),
      'crds/widgets.yaml': crd('widgets'),
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 1.0.0\n',
      'charts/sub/crds/gadgets.yaml': crd('gadgets'),
      'templates/widget.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n',
    },
  },
  {
    name: 'CRDs skipped by default',
    chart: {
      'Chart.yaml': chartYaml('crds'),
      'crds/widgets.yaml': crd('widgets'),
      'templates/widget.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n',
    },
  },
  {
    name: 'capabilities given: kube version and extra API versions',
    kubeVersion: 'v1.31.2-gke.100',
    apiVersions: ['monitoring.coreos.com/v1', 'example.com/v1alpha1'],
    chart: {
      'Chart.yaml': chartYaml('caps', 'kubeVersion: ">=1.30.0-0"\n'),
      'templates/caps.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: caps
data:
  version: {{ .Capabilities.KubeVersion.Version | quote }}
  gitVersion: {{ .Capabilities.KubeVersion.GitVersion | quote }}
  new: {{ semverCompare ">=1.31" .Capabilities.KubeVersion.Version | quote }}
  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
  count: {{ len .Capabilities.APIVersions | quote }}
`,
      'templates/servicemonitor.yaml':
        '{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: sm\n{{- end }}\n',
    },
  },
  {
    name: 'required: the error names the template file and line',
    chart: {
      'Chart.yaml': chartYaml('req'),
      'templates/a.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  host: {{ required "database.host is required" .Values.database.host }}\n',
    },
    values: 'database:\n  port: 5432\n',
    error: /a\.yaml:6:.*database\.host is required/,
  },
  {
    name: 'fail: the error names the template file and line',
    chart: {
      'Chart.yaml': chartYaml('failing'),
      'values.yaml': 'mode: bad\n',
      'templates/_check.tpl':
        '{{- define "check" -}}{{- if eq .Values.mode "bad" -}}{{ fail "mode must not be bad" }}{{- end -}}{{- end -}}\n',
      'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n{{ include "check" . }}\n',
    },
    error: /a\.yaml:5:.*mode must not be bad/, // Helm names the line that included the failing define
  },
  {
    name: 'values.schema.json: a violation is an error naming the chart',
    chart: {
      'Chart.yaml': chartYaml('schema'),
      'values.yaml': 'replicas: 1\n',
      'values.schema.json': JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { replicas: { type: 'integer', minimum: 1 } },
        required: ['replicas'],
      }),
      'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    },
    values: 'replicas: 0\n',
    error: /values don't meet the specifications of the schema/,
  },
  {
    name: 'chart kubeVersion the default capabilities do not meet',
    chart: {
      'Chart.yaml': chartYaml('old', 'kubeVersion: "<1.20.0"\n'),
      'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    },
    error: /chart requires kubeVersion: <1\.20\.0/,
  },
  {
    name: 'a dependency missing from charts/',
    chart: {
      'Chart.yaml': chartYaml('missing', 'dependencies:\n  - name: absent\n    version: 1.0.0\n'),
      'templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    },
    error: /missing in charts\/ directory: absent/,
  },
];

function crd(plural: string): string {
  const kind = plural[0].toUpperCase() + plural.slice(1, -1);
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.example.com
spec:
  group: example.com
  names: {kind: ${kind}, plural: ${plural}, singular: ${plural.slice(0, -1)}}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
}

interface Document {
  source: string;
  object: KubeObject;
}

type HelmOutcome = { ok: true; documents: Document[] } | { ok: false; stderr: string };

/** `helm template` of the test bed (its output split at the `# Source:` lines `helm template` prints). */
function helmTemplate(chartDir: string, valuesFile: string | undefined, c: HelmCase): Promise<HelmOutcome> {
  const args = ['template', 'rel', chartDir, '--namespace', 'team-a'];
  if (valuesFile) args.push('-f', valuesFile);
  if (c.includeCRDs) args.push('--include-crds');
  if (c.kubeVersion) args.push('--kube-version', c.kubeVersion);
  for (const v of c.apiVersions ?? []) args.push('--api-versions', v);
  return new Promise((resolve, reject) => {
    execFile(testbedBin('helm'), args, { maxBuffer: 64 * 1024 * 1024, env: helmEnv() }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      if (err) return resolve({ ok: false, stderr });
      const documents: Document[] = [];
      for (const chunk of stdout.split(/^---\n(?=# Source: )/m)) {
        const source = /^# Source: (.*)$/m.exec(chunk)?.[1];
        if (source === undefined) continue;
        for (const object of parseStream(chunk)) documents.push({ source, object });
      }
      resolve({ ok: true, documents });
    });
  });
}

/** helm with its own empty home: no repositories, plugins or config of the machine's user. */
let helmHome = '';
const helmEnv = () => ({
  PATH: process.env.PATH ?? '',
  HOME: helmHome,
  HELM_CACHE_HOME: join(helmHome, 'cache'),
  HELM_CONFIG_HOME: join(helmHome, 'config'),
  HELM_DATA_HOME: join(helmHome, 'data'),
});

function ours(result: HelmRenderResult): Document[] {
  assert.ok(result.ok);
  return [...result.manifests, ...result.hooks].flatMap((m) =>
    parseStream(m.content).map((object) => ({ source: m.source, object })),
  );
}

async function chartFiles(dir: string, prefix = ''): Promise<HelmChartFile[]> {
  const out: HelmChartFile[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await chartFiles(dir, name)));
    else out.push({ name, data: await readFile(join(dir, name)) });
  }
  return out;
}

describe('Helm conformance: our engine against helm template (test bed)', function () {
  this.timeout(240_000);
  let engine: WasmHelmEngine;
  let work: string;

  before(async () => {
    testbedBin('helm');
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helm-'));
    helmHome = join(work, 'helm-home');
    engine = await startTestHelmEngine();
  });
  after(async () => {
    engine?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  cases.forEach((c, index) => {
    it(c.name, async () => {
      const dir = join(work, `case-${index}`);
      const chartDir = join(dir, 'chart');
      for (const [name, text] of Object.entries(c.chart)) {
        await mkdir(dirname(join(chartDir, name)), { recursive: true });
        await writeFile(join(chartDir, name), text);
      }
      const valuesFile = c.values === undefined ? undefined : join(dir, 'user-values.yaml');
      if (valuesFile) await writeFile(valuesFile, c.values ?? '');
      const request: HelmRenderRequest = {
        files: await chartFiles(chartDir),
        values: (c.values ? parse(c.values) : {}) as Record<string, unknown>,
        releaseName: 'rel',
        namespace: 'team-a',
        ...(c.includeCRDs ? { includeCRDs: true } : {}),
        ...(c.kubeVersion ? { kubeVersion: c.kubeVersion } : {}),
        ...(c.apiVersions ? { apiVersions: c.apiVersions } : {}),
      };
      const [theirs, mine] = await Promise.all([helmTemplate(chartDir, valuesFile, c), engine.render(request)]);

      if (c.error) {
        assert.equal(theirs.ok, false, 'helm template should fail');
        assert.equal(mine.ok, false, 'our engine should fail');
        if (theirs.ok || mine.ok) return;
        assert.match(mine.message, c.error);
        assert.ok(theirs.stderr.includes(mine.message), `helm said:\n${theirs.stderr}\nwe said:\n${mine.message}`);
        return;
      }
      assert.ok(theirs.ok, `helm template failed: ${theirs.ok ? '' : theirs.stderr}`);
      assert.ok(mine.ok, `our engine failed: ${mine.ok ? '' : mine.message}`);
      const expected = theirs.documents;
      const actual = ours(mine);
      assert.ok(expected.length > 0, 'the case renders something');
      assert.deepEqual(
        actual.map((d) => d.source),
        expected.map((d) => d.source),
        'same documents from the same templates, in the same order',
      );
      expected.forEach((doc, i) => assert.deepEqual(actual[i].object, doc.object, `document ${i} (${doc.source})`));
    });
  });
});
