/**
 * Drift through Argo CD's API, for a cluster without kube credentials: `check --argocd` against a loopback HTTPS
 * server that replays Argo CD's answers to `GET /api/v1/applications` and `.../managed-resources`. No real
 * argocd-server runs here (it needs its repo server, application controller and redis to have anything to answer):
 * every replayed answer is first checked against the published API schema of the pinned argo-cd module
 * (assets/swagger.json), so a field it does not define, or a wrong type, fails the test.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { loopbackCerts } from '../../testbed/certs';
import { testbedArgoCdSwagger } from '../../testbed/bins';

const TOKEN = 'argocd-test-token-7f3a9c-never-printed';

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
};

/** Where `value` leaves the schema: a key the definition does not have, or a value of another type. */
function schemaProblems(value: unknown, schema: Schema, defs: Record<string, Schema>, at: string): string[] {
  if (schema.$ref) return schemaProblems(value, defs[schema.$ref.replace('#/definitions/', '')], defs, at);
  if (value === undefined || value === null) return [];
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
        const sub =
          schema.properties?.[k] ??
          (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        return sub ? schemaProblems(v, sub, defs, `${at}.${k}`) : [`${at}.${k}: not in the schema`];
      });
    }
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((v, i) => schemaProblems(v, schema.items ?? {}, defs, `${at}[${i}]`))
        : [`${at}: not an array`];
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: not a string`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
    case 'integer':
      return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
        ? []
        : [`${at}: not an integer`];
    default:
      return [];
  }
}

const json = (o: unknown) => JSON.stringify(o);

/** An Application as `GET /api/v1/applications` lists it (no apiVersion/kind: the gateway's v1alpha1Application has none). */
function listedApplication(name: string, ns: string, status: Record<string, unknown>) {
  return {
    metadata: { name, namespace: 'argocd', resourceVersion: '4711', creationTimestamp: '2026-12-01T09:00:00Z' },
    spec: {
      project: 'default',
      source: { repoURL: 'https://example.com/acme/config.git', path: `apps/${name}`, targetRevision: 'main' },
      destination: { server: 'https://prod.example.com:6443', namespace: ns },
      syncPolicy: { automated: { prune: true, selfHeal: false } },
    },
    status,
  };
}

/** `perApplication`: one environment per Application (the opt-out); else both in their destination's environment. */
function writeRepo(perApplication = true): string {
  const root = mkdtempSync(join(tmpdir(), 'gitops-drift-argoapi-'));
  const app = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://example.com/acme/config.git
    path: apps/${name}
    targetRevision: main
  destination:
    server: https://prod.example.com:6443
    namespace: shop-prod
`;
  const files: Record<string, string> = {
    // One environment per Application (the opt-out): these tests read each Application through the API on its own,
    // and one Application the token may not read must not hide the other (both deploy to one destination).
    '.gitops-drift.yaml': `argocd:\n  environments: ${perApplication ? 'application' : 'cluster'}\n`,
    'argo/shop.yaml': app('shop'),
    'argo/blog.yaml': app('blog'),
    'apps/shop/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0
`,
    'apps/shop/creds.yaml':
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2-in-git\n  user: shop\n',
    'apps/blog/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blog\ndata:\n  k: v\n',
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe('Argo CD API: drift without kube credentials, against replayed answers checked by the published schema', function () {
  let server: Server;
  let port = 0;
  let dir = '';
  let root = '';
  let caPem = '';
  const requests: string[] = [];
  let defs: Record<string, Schema> = {};

  const labels = { 'app.kubernetes.io/instance': 'shop' };
  const web = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop-prod',
      labels,
      managedFields: [
        {
          manager: 'argocd-controller',
          operation: 'Apply',
          apiVersion: 'apps/v1',
          time: '2026-12-06T09:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:spec': {
              'f:template': {
                'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
              },
            },
          },
        },
        {
          manager: 'kubectl-scale',
          operation: 'Update',
          apiVersion: 'apps/v1',
          time: '2026-12-06T11:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
          subresource: 'scale',
        },
      ],
    },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'ghcr.io/acme/web:1.4.0' }] },
      },
    },
  };
  // Argo CD masks Secret values with `+` runs, equal values alike: user unchanged, password changed in the cluster.
  const secretTarget = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: 'shop-prod', labels },
    data: { password: '++++++++', user: '+++++++++' },
  };
  const secretLive = { ...secretTarget, data: { password: '++++++++++', user: '+++++++++' }, type: 'Opaque' };
  const old = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'old', namespace: 'shop-prod', labels },
    data: { a: 'b' },
  };
  const answers: Record<string, unknown> = {
    '/api/v1/applications': {
      metadata: { resourceVersion: '4711' },
      items: [
        listedApplication('shop', 'shop-prod', {
          sync: { status: 'OutOfSync', revision: 'a'.repeat(40) },
          health: { status: 'Healthy' },
          operationState: {
            phase: 'Succeeded',
            message: 'successfully synced (all tasks run)',
            startedAt: '2026-12-06T09:00:00Z',
            finishedAt: '2026-12-06T09:00:04Z',
            operation: { sync: { revision: 'a'.repeat(40) } },
          },
          resources: [
            {
              group: 'apps',
              version: 'v1',
              kind: 'Deployment',
              namespace: 'shop-prod',
              name: 'web',
              status: 'OutOfSync',
              health: { status: 'Healthy' },
            },
            { version: 'v1', kind: 'Secret', namespace: 'shop-prod', name: 'creds', status: 'OutOfSync' },
            {
              version: 'v1',
              kind: 'ConfigMap',
              namespace: 'shop-prod',
              name: 'old',
              status: 'OutOfSync',
              requiresPruning: true,
            },
          ],
        }),
        listedApplication('blog', 'shop-prod', {
          sync: { status: 'Synced', revision: 'a'.repeat(40) },
          health: { status: 'Healthy' },
        }),
      ],
    },
    '/api/v1/applications/shop/managed-resources?appNamespace=argocd': {
      items: [
        {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'shop-prod',
          name: 'web',
          targetState: json({ ...web, spec: { ...web.spec, replicas: 2 } }),
          liveState: json(web),
          normalizedLiveState: json(web),
          modified: true,
          resourceVersion: '812',
        },
        {
          kind: 'Secret',
          namespace: 'shop-prod',
          name: 'creds',
          targetState: json(secretTarget),
          liveState: json(secretLive),
          modified: true,
        },
        {
          kind: 'ConfigMap',
          namespace: 'shop-prod',
          name: 'old',
          targetState: 'null',
          liveState: json(old),
          modified: true,
        },
      ],
    },
  };

  before(function () {
    this.timeout(60_000);
    defs = (JSON.parse(readFileSync(testbedArgoCdSwagger(), 'utf8')) as { definitions: Record<string, Schema> })
      .definitions;
    // Each replayed answer as Argo CD's schema defines it, else the test is wrong, not the product.
    assert.deepEqual(
      schemaProblems(answers['/api/v1/applications'], { $ref: '#/definitions/v1alpha1ApplicationList' }, defs, 'list'),
      [],
    );
    assert.deepEqual(
      schemaProblems(
        answers['/api/v1/applications/shop/managed-resources?appNamespace=argocd'],
        { $ref: '#/definitions/applicationManagedResourcesResponse' },
        defs,
        'managed',
      ),
      [],
    );
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-argoapi-certs-'));
    const certs = loopbackCerts(dir, 'argocd', { days: 1, extensions: 'subjectAltName=IP:127.0.0.1\n' });
    caPem = readFileSync(certs.caCert, 'utf8');
    root = writeRepo();
    server = createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (req, res) => {
      requests.push(req.url ?? '');
      res.setHeader('Content-Type', 'application/json');
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.statusCode = 401;
        res.end(
          json({ error: 'invalid session: token is expired', code: 16, message: 'invalid session: token is expired' }),
        );
        return;
      }
      const answer = answers[req.url ?? ''];
      if (answer === undefined) {
        // As Argo CD answers for an Application the token's project roles do not allow.
        res.statusCode = 403;
        res.end(json({ error: 'permission denied', code: 7, message: 'permission denied' }));
        return;
      }
      res.end(json(answer));
    });
    return new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  /** The argocd CLI's config, as `argocd login` writes it. */
  function argocdConfig(token: string): string {
    const configDir = mkdtempSync(join(tmpdir(), 'gitops-drift-argocd-config-'));
    writeFileSync(
      join(configDir, 'config'),
      `contexts:
- name: 127.0.0.1:${port}
  server: 127.0.0.1:${port}
  user: 127.0.0.1:${port}
current-context: 127.0.0.1:${port}
prompts-enabled: false
servers:
- grpc-web-root-path: ""
  server: 127.0.0.1:${port}
  certificate-authority-data: ${Buffer.from(caPem).toString('base64')}
users:
- auth-token: ${token}
  name: 127.0.0.1:${port}
`,
    );
    return configDir;
  }

  async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIO = {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      cwd: root,
      color: false,
      // No kubeconfig at all: the only way in is Argo CD's API.
      env: { HOME: dir, KUBECONFIG: join(dir, 'none'), ...env },
    };
    return { code: await runCli(argv, io), out, err };
  }

  it('lands drift on the line in git, compares Secrets by Argo CD masks, shows the status, and never prints the token', async () => {
    requests.length = 0;
    const configDir = argocdConfig(TOKEN);
    try {
      const text = await cli(['check', root, '--argocd', '--env', 'shop'], { ARGOCD_CONFIG_DIR: configDir });
      assert.equal(text.code, 1, text.out + text.err);
      assert.match(
        text.out,
        /shop +Deployment shop-prod\/web +replicas: git 2, live 5 \(kubectl-scale, 2026-12-06 11:00Z\) +apps\/shop\/web\.yaml:6/,
      );
      assert.match(text.out, /Secret shop-prod\/creds +data\.password: secret value differs +apps\/shop\/creds\.yaml:/);
      assert.doesNotMatch(text.out, /data\.user/, 'a value Argo CD masks alike is the same');
      assert.match(
        text.out,
        /ConfigMap shop-prod\/old +pending prune: Argo CD would prune it, git no longer renders it/,
      );
      assert.match(text.out, /Application argocd\/shop +Argo CD: OutOfSync, Healthy; compared aaaaaaa/);
      for (const out of [text.out, text.err]) {
        assert.ok(!out.includes(TOKEN), 'the token is never printed');
        assert.ok(!out.includes('hunter2'), "git's Secret value is never printed");
      }
      // One list of every Application, and the managed resources of the one checked.
      assert.deepEqual(requests.sort(), [
        '/api/v1/applications',
        '/api/v1/applications/shop/managed-resources?appNamespace=argocd',
      ]);

      const doc = JSON.parse(
        (await cli(['check', root, '--argocd', '--env', 'shop', '--format', 'json'], { ARGOCD_CONFIG_DIR: configDir }))
          .out,
      );
      const env = doc.environments[0];
      assert.equal(env.context, `argocd:127.0.0.1:${port}`);
      assert.equal(env.applications[0].controller.argo.via, 'api');
      const webJson = env.resources.find((r: { name: string }) => r.name === 'web');
      assert.deepEqual(
        webJson.fields.map(
          (f: { path: string; desired: unknown; live: unknown; origin: { file: string; line: number } }) => [
            f.path,
            f.desired,
            f.live,
            `${f.origin.file}:${f.origin.line}`,
          ],
        ),
        [['/spec/replicas', 2, 5, 'apps/shop/web.yaml:6']],
      );
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('one Application the token may not read is its own error; the others are still checked', async () => {
    const configDir = argocdConfig(TOKEN);
    try {
      const out = await cli(['check', root, '--argocd'], { ARGOCD_CONFIG_DIR: configDir });
      assert.equal(out.code, 2);
      assert.match(out.out, /blog: /);
      assert.match(out.out + out.err, /managed-resources: permission denied/);
      assert.match(out.out, /Deployment shop-prod\/web +replicas: git 2, live 5/);
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('a destination of two Applications: the one the token may not read is forbidden, said once on it; the other is checked', async () => {
    // Both Applications deploy to prod.example.com:6443: one environment (argocd.environments: cluster, the default).
    const destinationRoot = writeRepo(false);
    const configDir = argocdConfig(TOKEN);
    try {
      const run = (extra: string[]) =>
        cli(['check', destinationRoot, '--argocd', ...extra], { ARGOCD_CONFIG_DIR: configDir });
      const text = await run(['--verbose']);
      // Forbidden objects are an error of the check (exit 2), as a forbidden LIST is; the environment is checked.
      assert.equal(text.code, 2, text.out + text.err);
      assert.doesNotMatch(text.out, /error:/, 'no error for the whole environment');
      assert.match(text.out, /prod\.example\.com:6443 +Deployment shop-prod\/web +replicas: git 2, live 5/);
      assert.match(text.out, /Application argocd\/shop +Argo CD: OutOfSync, Healthy/);
      // The cause once, on blog; its object points back to it, never "missing".
      const cause =
        /application blog +forbidden: Argo CD at 127\.0\.0\.1:\d+: \/api\/v1\/applications\/blog\/managed-resources: permission denied +argo\/blog\.yaml:\d+/;
      assert.match(text.out, cause);
      assert.equal(text.out.match(/blog\/managed-resources: permission denied/g)?.length, 1, text.out);
      assert.match(text.out, /ConfigMap shop-prod\/blog +forbidden: as for application blog +apps\/blog\/cm\.yaml:1/);
      assert.doesNotMatch(text.out, /missing from the cluster|prod\.example\.com:6443 +Application argocd\/blog/);
      assert.match(text.out, /^prod\.example\.com:6443: 2 drifted \(2 fields\), 1 pending prune, 1 forbidden$/m);

      const doc = JSON.parse((await run(['--format', 'json'])).out);
      const env = doc.environments.find((e: { name: string }) => e.name === 'prod.example.com:6443');
      assert.equal(env.error, null);
      const byApp = Object.fromEntries(
        env.resources.map((r: { application: string; kind: string; state: string }) => [
          `${r.application} ${r.kind}`,
          r.state,
        ]),
      );
      assert.equal(byApp['blog ConfigMap'], 'forbidden');
      assert.equal(byApp['shop Deployment'], 'drifted');
      const blog = env.applications.find((a: { name: string }) => a.name === 'blog');
      assert.equal(blog.unread, 'forbidden');
      assert.match(blog.message, /managed-resources: permission denied/);
      // Its status is not claimed ("no such Application") when it could not be read.
      assert.equal(blog.controller, undefined);
      const shop = env.applications.find((a: { name: string }) => a.name === 'shop');
      assert.equal(shop.unread, undefined);
      assert.equal(shop.controller.argo.sync, 'OutOfSync');
    } finally {
      rmSync(configDir, { recursive: true, force: true });
      rmSync(destinationRoot, { recursive: true, force: true });
    }
  });

  it('a rejected token says so, without the token; a missing config says how to sign in', async () => {
    const configDir = argocdConfig('expired-token-value-zz');
    try {
      const out = await cli(['check', root, '--argocd', '--env', 'shop'], { ARGOCD_CONFIG_DIR: configDir });
      assert.equal(out.code, 2);
      assert.match(out.out + out.err, /Argo CD at 127\.0\.0\.1:\d+ rejected the token: 401 Unauthorized/);
      assert.ok(!(out.out + out.err).includes('expired-token-value-zz'));
      // ARGOCD_AUTH_TOKEN overrides the config's token, as with the argocd CLI.
      const fixed = await cli(['check', root, '--argocd', '--env', 'shop'], {
        ARGOCD_CONFIG_DIR: configDir,
        ARGOCD_AUTH_TOKEN: TOKEN,
      });
      assert.equal(fixed.code, 1, fixed.out + fixed.err);
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
    const none = await cli(['check', root, '--argocd', '--env', 'shop'], {
      ARGOCD_CONFIG_DIR: join(dir, 'no-such-dir'),
    });
    assert.equal(none.code, 2);
    assert.match(none.out + none.err, /no Argo CD server: .*no-such-dir\/config does not exist \(run argocd login/);
  });
});
