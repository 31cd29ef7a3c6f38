import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DriftEngine } from '../../src/core/engine';
import { clusterKs, homeOpsFiles } from '../support/homeOpsFixture';
import { keyOf, type KubeObject } from '../../src/core/model/resource';
import { ProblemError } from '../../src/core/model/problem';
import { renderApplication } from '../../src/core/render/application';
import type { RenderedObject, RenderOptions, RenderResult } from '../../src/core/render/types';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { compareObjects } from './compareObjects';
import { fluxBuild } from './fluxCli';
import { testbedBin } from '../testbed/bins';
import { parseStream } from './kustomizeCli';
import { parentPointer, pointerSegments, valueAt } from '../../src/core/yaml/pointer';

/**
 * Flux conformance: each case renders a folder with our flux-kustomization renderer and with the code
 * kustomize-controller runs (github.com/fluxcd/pkg/kustomize, built into the test bed as flux-build), and compares
 * the objects one by one, in order. One case per Flux feature the renderer implements.
 */
interface FluxCase {
  name: string;
  /** The Kustomization's `spec:` lines after `path:` (two-space indented). */
  spec: string;
  /** Repo files (the rendered folder is `app/`). */
  files: Record<string, string>;
  /** ConfigMaps and Secrets substituteFrom may read (namespace flux-system, where the Kustomization is). */
  objects?: string;
  /** Both must fail: ours with a message matching this, Flux with one matching `fluxError`. */
  error?: RegExp;
  fluxError?: RegExp;
  /** `name pointer` of each value substituted from a Secret: ours holds a placeholder there, Flux the value. */
  secretPaths?: string[];
  /** The Kustomization's API version (default v1). */
  apiVersion?: 'v1' | 'v1beta2';
  /** Strict postBuild substitution (the controller's StrictPostBuildSubstitutions gate; ours from .gitops-drift.yaml). */
  strict?: boolean;
}

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: main
          image: nginx:1.25
          envFrom:
            - configMapRef: {name: ${name}-env}
${extra}`;
const configMap = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${data}`;

const substituted = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-\${CLUSTER}
  annotations:
    note: "cluster \${CLUSTER} in \${REGION:=eu-west-1}"
data:
  replicas: \${REPLICAS}
  port: "\${PORT}"
  enabled: \${ENABLED}
  octal: \${MODE}
  empty: \${UNSET_VAR}
  inText: prefix-\${UNSET_VAR}-suffix
  fallback: \${UNSET_VAR:-default-value}
  colonEquals: \${UNSET_VAR:=assigned}
  escaped: $\${CLUSTER}
  dollars: cost $$5
  upper: \${CLUSTER^^}
  keep: "on"
`;

const strictVars = `apiVersion: v1
kind: ConfigMap
metadata:
  name: strict-\${CLUSTER}
data:
  region: \${REGION:=eu-west-1}
  tier: \${TIER:-standard}
  escaped: $\${NOT_A_VAR}
`;

const cases: FluxCase[] = [
  {
    name: 'strict substitution: every variable set or defaulted renders as in the default mode',
    spec: '  postBuild:\n    substitute:\n      CLUSTER: prod\n',
    files: { 'app/cm.yaml': strictVars },
    strict: true,
  },
  {
    name: 'strict substitution: an unset variable without a default fails the build',
    spec: '  postBuild:\n    substitute:\n      CLUSTER: prod\n',
    files: { 'app/cm.yaml': `${strictVars}  missing: \${UNSET_VAR}\n` },
    strict: true,
    error: /UNSET_VAR/,
    fluxError: /variable not set \(strict mode\): "UNSET_VAR"/,
  },
  {
    name: 'helmCharts: kustomize-controller builds without --enable-helm, so the build fails on them',
    spec: '',
    files: {
      'app/kustomization.yaml': 'resources: [cm.yaml]\nhelmCharts:\n  - name: c\n    releaseName: r\n',
      'app/cm.yaml': configMap('plain', '  a: b\n'),
      'app/charts/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'app/charts/c/templates/cm.yaml': configMap('from-chart', '  k: v\n'),
    },
    error:
      /app\/kustomization\.yaml:2:\d+: helmCharts: must specify --enable-helm: kustomize-controller builds without Helm/,
    fluxError: /must specify --enable-helm/,
  },
  {
    name: 'default (non-strict) substitution: the same unset variable becomes empty',
    spec: '  postBuild:\n    substitute:\n      CLUSTER: prod\n',
    files: { 'app/cm.yaml': `${strictVars}  missing: "\${UNSET_VAR}"\n` },
  },
  {
    name: 'generated kustomization (a folder without one)',
    spec: '',
    files: {
      'app/web.yaml': deployment('web'),
      'app/env/web-env.yaml': configMap('web-env', '  LEVEL: info\n'),
      'app/nested/kustomization.yaml': 'resources: [cm.yaml]\n',
      'app/nested/cm.yaml': configMap('nested', '  a: b\n'),
      'app/README.md': '# not a manifest\n',
    },
  },
  {
    name: 'generated kustomization lists .yaml and .yml files only (not .json), comment-only files are fine',
    spec: '',
    files: {
      'app/a.yml': configMap('a', '  k: v\n'),
      'app/b.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}\n',
      'app/notes.yaml': '# nothing here yet\n',
    },
  },
  {
    name: 'generated kustomization: a .yaml file that holds no Kubernetes object fails the build',
    spec: '',
    files: { 'app/a.yaml': configMap('a', '  k: v\n'), 'app/values.yaml': 'replicas: 3\nimage: nginx\n' },
    error: /app\/values\.yaml:1:1: resource has no kind/,
    fluxError: /values\.yaml/,
  },
  {
    name: 'targetNamespace replaces the folder’s namespace',
    spec: '  targetNamespace: shop\n',
    files: {
      'app/kustomization.yaml': 'namespace: base\nresources: [web.yaml, env.yaml]\n',
      'app/web.yaml': deployment('web'),
      'app/env.yaml': configMap('web-env', '  LEVEL: info\n'),
    },
  },
  {
    name: 'namePrefix and nameSuffix replace the folder’s, references follow',
    spec: '  namePrefix: prod-\n  nameSuffix: -v2\n',
    files: {
      'app/kustomization.yaml': 'namePrefix: own-\nresources: [web.yaml, env.yaml]\n',
      'app/web.yaml': deployment('web'),
      'app/env.yaml': configMap('web-env', '  LEVEL: info\n'),
    },
  },
  {
    name: 'commonMetadata labels and annotations on every object',
    spec: '  commonMetadata:\n    labels:\n      team: shop\n      app: overridden\n    annotations:\n      owner: "platform"\n',
    files: { 'app/web.yaml': deployment('web'), 'app/env.yaml': configMap('web-env', '  LEVEL: info\n') },
  },
  {
    name: 'patches with targets, after the folder’s own',
    spec: `  patches:
    - patch: |
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: not-used
        spec:
          replicas: 3
      target:
        kind: Deployment
        labelSelector: app=web
    - patch: |
        - op: add
          path: /data/EXTRA
          value: from-flux
      target:
        kind: ConfigMap
        name: ".*-env"
    - patch: |
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: api-env
        data:
          LEVEL: debug
`,
    files: {
      'app/kustomization.yaml':
        'resources: [web.yaml, api.yaml, env.yaml]\npatches:\n  - patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 2\n    target: {kind: Deployment}\n',
      'app/web.yaml': deployment('web'),
      'app/api.yaml': deployment('api'),
      'app/env.yaml': configMap('web-env', '  LEVEL: info\n') + '---\n' + configMap('api-env', '  LEVEL: info\n'),
    },
  },
  {
    name: 'images merge into the folder’s entries by name',
    spec: '  images:\n    - name: nginx\n      newTag: "1.27"\n    - name: busybox\n      newName: mirror/busybox\n      digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n',
    files: {
      'app/kustomization.yaml':
        'resources: [web.yaml]\nimages:\n  - name: nginx\n    newName: mirror/nginx\n    digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\n',
      'app/web.yaml': deployment('web', '        - name: side\n          image: busybox:1.36\n'),
    },
  },
  {
    name: 'components appended, a missing one ignored with ignoreMissingComponents',
    spec: '  components: [../components/monitoring, ../components/absent]\n  ignoreMissingComponents: true\n',
    files: {
      'app/kustomization.yaml': 'resources: [web.yaml]\n',
      'app/web.yaml': deployment('web'),
      'components/monitoring/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [monitor.yaml]\npatches:\n  - patch: |\n      - op: add\n        path: /metadata/annotations\n        value: {monitored: "true"}\n    target: {kind: Deployment}\n',
      'components/monitoring/monitor.yaml': configMap('monitor', '  scrape: "true"\n'),
    },
  },
  {
    name: 'postBuild substitute: Flux’s variable syntax, defaults, escapes, unset variables, typing',
    spec: '  postBuild:\n    substitute:\n      CLUSTER: prod\n      REPLICAS: "3"\n      PORT: "8080"\n      ENABLED: "true"\n      MODE: "0755"\n',
    files: { 'app/settings.yaml': substituted },
  },
  {
    name: 'postBuild substituteFrom: ConfigMap and Secret in order, inline map over them, optional source missing',
    spec: '  postBuild:\n    substitute:\n      REPLICAS: "5"\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n      - kind: Secret\n        name: cluster-secrets\n      - kind: ConfigMap\n        name: not-there\n        optional: true\n',
    objects: `apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-settings, namespace: flux-system}
data:
  CLUSTER: staging
  REPLICAS: "2"
  PORT: "9090"
  ENABLED: "false"
  MODE: "0644"
---
apiVersion: v1
kind: Secret
metadata: {name: cluster-secrets, namespace: flux-system}
data:
  PORT: ODQ0Mw==
stringData:
  REGION: us-east-2
`,
    files: { 'app/settings.yaml': substituted },
    secretPaths: ['settings-staging /data/port', 'settings-staging /metadata/annotations/note'],
  },
  {
    name: 'the substitute: disabled opt-out, as a label and as an annotation',
    spec: '  postBuild:\n    substitute:\n      CLUSTER: prod\n',
    files: {
      'app/a.yaml': configMap('a-${CLUSTER}', '  v: ${CLUSTER}\n').replace(
        'metadata:\n',
        'metadata:\n  labels:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n',
      ),
      'app/b.yaml': configMap('b', '  v: ${CLUSTER}\n').replace(
        'metadata:\n',
        'metadata:\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n',
      ),
      'app/c.yaml': configMap('c', '  v: ${CLUSTER}\n'),
    },
  },
  {
    name: 'postBuild with no variables substitutes nothing ($${x} stays), substituteStrategy Always does',
    spec: '  postBuild:\n    substitute: {}\n',
    files: { 'app/settings.yaml': substituted },
  },
  {
    name: 'substituteStrategy Always with no variables: every reference is empty or its default',
    spec: '  postBuild:\n    substituteStrategy: Always\n',
    files: { 'app/settings.yaml': substituted.replace('settings-${CLUSTER}', 'settings') },
  },
  {
    name: 'an invalid variable name fails the build',
    spec: '  postBuild:\n    substitute:\n      my-var: x\n',
    files: { 'app/settings.yaml': substituted },
    error: /not a valid name/,
    fluxError: /var name is invalid/,
  },
  {
    name: 'a reference Flux cannot parse fails the build',
    spec: '  postBuild:\n    substitute:\n      A: x\n',
    files: { 'app/cm.yaml': configMap('cm', '  v: ${A-x}\n') },
    error: /missing closing brace/,
    fluxError: /missing closing brace/,
  },
  {
    name: 'a substituteFrom source that is missing and not optional fails the build',
    spec: '  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n',
    files: { 'app/cm.yaml': configMap('cm', '  v: x\n') },
    error: /ConfigMap\/cluster-settings/,
    fluxError: /ConfigMap\/cluster-settings/,
  },
  {
    name: 'v1beta2: patchesStrategicMerge objects after the folder’s own, before patches',
    apiVersion: 'v1beta2',
    spec: `  patchesStrategicMerge:
    - apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 4
        template:
          spec:
            containers:
              - name: main
                env:
                  - name: FROM
                    value: flux-smp
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: web-env
      data:
        LEVEL: debug
  patches:
    - patch: |
        - op: replace
          path: /spec/replicas
          value: 5
      target:
        kind: Deployment
        name: web
`,
    files: {
      'app/kustomization.yaml':
        'resources: [web.yaml, env.yaml]\npatchesStrategicMerge:\n  - |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      replicas: 2\n      revisionHistoryLimit: 3\n',
      'app/web.yaml': deployment('web'),
      'app/env.yaml': configMap('web-env', '  LEVEL: info\n  KEEP: "yes"\n'),
    },
  },
  {
    name: 'v1beta2: patchesJson6902 targets and operations, applied after labels (kustomize’s order)',
    apiVersion: 'v1beta2',
    spec: `  patchesJson6902:
    - target:
        group: apps
        version: v1
        kind: Deployment
        name: web
      patch:
        - op: add
          path: /metadata/annotations
          value: {patched: "true"}
        - op: replace
          path: /spec/template/spec/containers/0/image
          value: nginx:1.27
    - target:
        version: v1
        kind: ConfigMap
        name: web-env
      patch:
        - op: add
          path: /data/EXTRA
          value: from-json6902
        - op: remove
          path: /data/DROP
`,
    files: {
      'app/kustomization.yaml': 'resources: [web.yaml, env.yaml]\nlabels:\n  - pairs: {tier: config}\n',
      'app/web.yaml': deployment('web'),
      'app/env.yaml': configMap('web-env', '  LEVEL: info\n  DROP: x\n'),
    },
  },
  {
    name: 'v1beta2: a patchesJson6902 target without a name fails the build',
    apiVersion: 'v1beta2',
    spec: '  patchesJson6902:\n    - target:\n        version: v1\n        kind: ConfigMap\n      patch:\n        - op: add\n          path: /data/EXTRA\n          value: x\n',
    files: { 'app/env.yaml': configMap('web-env', '  LEVEL: info\n') },
    error: /name/,
    fluxError: /must specify the target name/,
  },
];

const manifest = (spec: string, apiVersion = 'v1') =>
  `apiVersion: kustomize.toolkit.fluxcd.io/${apiVersion}\nkind: Kustomization\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./app\n${spec}`;

async function writeRepo(root: string, c: FluxCase): Promise<void> {
  const files = {
    ...c.files,
    'clusters/app.yaml': manifest(c.spec, c.apiVersion),
    ...(c.objects ? { 'objects.yaml': c.objects } : {}),
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** findObject over the case's objects, as the fake client of flux-build holds them. */
function finder(objects: KubeObject[]): RenderOptions['findObject'] {
  return async (kind, namespace, name) => {
    const object = objects.find(
      (o) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? '') === (namespace ?? ''),
    );
    if (!object) return undefined;
    const found: RenderedObject = {
      object,
      key: keyOf(object),
      origins: new Map(),
      source: { file: 'objects.yaml', line: 1, column: 1 },
    };
    return found;
  };
}

async function renderOursFlux(root: string, c: FluxCase): Promise<RenderResult> {
  const object = parse(manifest(c.spec, c.apiVersion)) as KubeObject;
  const objects = c.objects ? parseStream(c.objects) : [];
  return renderApplication(
    {
      name: 'app',
      source: { type: 'folder', path: 'app' },
      renderer: 'flux-kustomization',
      controller: { object, at: { file: 'clusters/app.yaml', line: 1, column: 1 } },
    },
    {
      fs: new NodeFileSystem(),
      repoRoot: root,
      findObject: finder(objects),
      ...(c.strict ? { strictSubstitution: true } : {}),
    },
  );
}

/**
 * Our render never holds a value substituted from a Secret (a placeholder stands in, its origin marked `secret`):
 * puts that placeholder into Flux's object at the same place, so the rest still compares exactly. Returns the places.
 */
function maskSecretValues(flux: KubeObject[], ours: RenderedObject[]): string[] {
  const places: string[] = [];
  ours.forEach((o, i) => {
    for (const [pointer, origin] of o.origins) {
      if (!origin.secret) continue;
      const placeholder = valueAt(o.object, pointer);
      assert.match(String(placeholder), /^\(substituted from Secret /, `${pointer} holds a placeholder`);
      const segments = pointerSegments(pointer);
      const parent = valueAt(flux[i], parentPointer(pointer)) as Record<string, unknown> | undefined;
      assert.ok(parent && segments[segments.length - 1] in parent, `Flux has a value at ${pointer}`);
      parent[segments[segments.length - 1]] = placeholder;
      places.push(`${o.object.metadata?.name} ${pointer}`);
    }
  });
  return places.sort();
}

describe('Flux conformance: flux-kustomization against kustomize-controller’s code', () => {
  let scratch: string;
  before(async function () {
    // npm test builds it in its testbed step; run alone on a fresh machine, the first build takes minutes.
    this.timeout(15 * 60_000);
    testbedBin('flux-build');
    scratch = await mkdtemp(join(tmpdir(), 'gitops-drift-flux-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const ours = join(scratch, `${i}-ours`);
      const theirs = join(scratch, `${i}-flux`);
      await writeRepo(ours, c);
      await writeRepo(theirs, c);
      const want = await fluxBuild(
        join(theirs, 'clusters/app.yaml'),
        theirs,
        join(theirs, 'app'),
        c.objects ? join(theirs, 'objects.yaml') : undefined,
        { strict: c.strict },
      );
      const got = await renderOursFlux(ours, c).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      if (c.error) {
        assert.ok(!want.ok, `Flux rendered the case it should reject: ${JSON.stringify(want)}`);
        assert.match(want.stderr, c.fluxError!);
        assert.ok(!got.ok, 'our renderer accepted what Flux rejects');
        assert.ok(got.e instanceof ProblemError, `not a ProblemError: ${String(got.e)}`);
        assert.match(got.e.message, c.error);
        return;
      }
      if (!want.ok) assert.fail(`Flux's build failed; fix the case:\n${want.stderr}`);
      assert.ok(want.objects.length > 0, 'Flux renders no objects; the case would compare nothing');
      if (!got.ok) throw got.e;
      const masked = maskSecretValues(want.objects, got.r.objects);
      // The values from the Secret are the ones (and the only ones) our render holds placeholders for.
      assert.deepEqual(masked, c.secretPaths ?? [], 'values substituted from a Secret');
      const diff = compareObjects(
        want.objects,
        got.r.objects.map((o) => o.object),
      );
      if (diff) assert.fail(`rendered output differs from Flux's\n${diff}`);
      assert.deepEqual(got.r.problems, [], 'a valid case gives no warnings');
      for (const o of got.r.objects) assert.deepEqual(o.key, keyOf(o.object));
    });
  });
});

describe('Flux conformance: a child Kustomization as its parent’s render applies it', () => {
  let scratch: string;
  before(async function () {
    this.timeout(15 * 60_000);
    testbedBin('flux-build');
    scratch = await mkdtemp(join(tmpdir(), 'gitops-drift-flux-children-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('home-ops: the parent’s patches give the child its targetNamespace, substituteFrom and HelmRelease patches', async () => {
    const files = homeOpsFiles();
    const ours = join(scratch, 'ours');
    const theirs = join(scratch, 'flux');
    for (const root of [ours, theirs])
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), text);
      }
    // Flux: the parent built with its own spec, then the child built from the Kustomization that build printed.
    const objectsFile = join(theirs, 'kubernetes/flux/vars/cluster-settings.yaml');
    const parentFile = join(scratch, 'cluster-apps.yaml');
    await writeFile(parentFile, clusterKs.split('---\n')[1]);
    const parent = await fluxBuild(parentFile, theirs, join(theirs, 'kubernetes/apps'), objectsFile);
    if (!parent.ok) assert.fail(`Flux's build of the parent failed:\n${parent.stderr}`);
    const child = parent.objects.find((o) => o.kind === 'Kustomization' && o.metadata.name === 'echo');
    assert.ok(child, 'the parent renders the child Kustomization');
    const childFile = join(scratch, 'echo.yaml');
    await writeFile(childFile, stringify(child));
    const want = await fluxBuild(childFile, theirs, join(theirs, 'kubernetes/apps/echo/app'), objectsFile);
    if (!want.ok) assert.fail(`Flux's build of the child failed:\n${want.stderr}`);

    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: ours });
    const env = await engine.environment('main');
    const app = (name: string) => env.applications.find((a) => a.name === name) ?? assert.fail(`no ${name}`);
    const ourParent = await engine.renderApplication(env, app('cluster-apps'));
    const parentDiff = compareObjects(
      parent.objects,
      ourParent.objects.map((o) => o.object),
    );
    if (parentDiff) assert.fail(`the parent's render differs from Flux's\n${parentDiff}`);
    const got = await engine.renderApplication(env, app('echo'));
    assert.deepEqual(got.problems, []);
    // The case compares something the parent's patches decide: the namespace, a substituted value, a patched field.
    assert.equal(want.objects[0].metadata.namespace, 'apps');
    assert.equal(valueAt(want.objects[0], '/spec/values/ingress/host'), 'echo.example.com');
    assert.equal(valueAt(want.objects[0], '/spec/install/remediation/retries'), 3);
    const diff = compareObjects(
      want.objects,
      got.objects.map((o) => o.object),
    );
    if (diff) assert.fail(`the child's render differs from Flux's\n${diff}`);
  });
});
