/**
 * An Argo CD Application's `source.kustomize` overrides against Argo CD's own way of applying them: the test bed's
 * kustomize runs the very `kustomize edit` commands argo-cd's `util/kustomize/kustomize.go` Build runs (in its order,
 * on a copy of the folder, with `patches` appended to the file), then `kustomize build`; our renderer renders the
 * untouched folder with the Application's overrides. The objects must be the same.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { MemoryFileSystem } from '../../src/core/memoryFileSystem';
import { loadRepository } from '../../src/core/repo/repository';
import { renderApplication } from '../../src/core/render/application';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { testbedBin } from '../testbed/bins';
import { compareObjects } from './compareObjects';
import { kustomizeBuild } from './kustomizeCli';
import { argoApplicationIn } from '../support/argoApplication';

const base: Record<string, string> = {
  'base/kustomization.yaml': 'resources: [deployment.yaml, service.yaml]\ncommonLabels: { app: guestbook }\n',
  'base/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: guestbook-ui }',
    'spec:',
    '  replicas: 1',
    '  selector: { matchLabels: { app: guestbook } }',
    '  template:',
    '    metadata: { labels: { app: guestbook } }',
    '    spec: { containers: [{ name: ui, image: "gcr.io/heptio-images/ks-guestbook-demo:0.1" }] }',
  ].join('\n'),
  'base/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata: { name: guestbook-ui }\nspec: { ports: [{ port: 80 }], selector: { app: guestbook } }\n',
  'components/team/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: { team: shop }\n',
  'kustomize-guestbook/kustomization.yaml':
    'resources: [../base]\ncommonLabels: { app: guestbook }\nimages: [{ name: gcr.io/heptio-images/ks-guestbook-demo, newTag: "0.1" }]\n',
};

interface Case {
  name: string;
  kustomize: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'namePrefix, nameSuffix, images (tag and digest forms), replicas, namespace',
    kustomize: {
      namePrefix: 'prod-',
      nameSuffix: '-v2',
      images: [
        'gcr.io/heptio-images/ks-guestbook-demo:0.2',
        'busybox=registry.local:5000/busybox@sha256:' + 'a'.repeat(64),
      ],
      replicas: [{ name: 'guestbook-ui', count: 3 }],
      namespace: 'guestbook-prod',
    },
  },
  {
    name: 'commonLabels (forced over the folder’s own) and commonAnnotations with $ARGOCD_APP_NAME',
    kustomize: {
      commonLabels: { app: 'guestbook-prod', tier: 'web' },
      forceCommonLabels: true,
      commonAnnotations: { owner: 'app-$ARGOCD_APP_NAME' },
      commonAnnotationsEnvsubst: true,
    },
  },
  {
    name: 'labelWithoutSelector, patches appended, components added',
    kustomize: {
      commonLabels: { release: 'r1' },
      labelWithoutSelector: true,
      patches: [
        {
          target: { kind: 'Deployment', name: 'guestbook-ui' },
          patch: '- op: replace\n  path: /spec/template/spec/containers/0/name\n  value: web',
        },
      ],
      components: ['../components/team'],
    },
  },
];

/** The `kustomize edit` commands Argo CD runs for the overrides, in its order. */
function argoEditCommands(k: Record<string, unknown>, appName: string): string[][] {
  const sub = (s: string) => s.replace(/\$\{?ARGOCD_APP_NAME\}?/g, appName);
  const pairs = (m: Record<string, unknown>, envsubst: boolean) =>
    Object.keys(m)
      .sort()
      .map((key) => `${key}:${envsubst ? sub(String(m[key])) : String(m[key])}`);
  const out: string[][] = [];
  if (k.namePrefix) out.push(['edit', 'set', 'nameprefix', '--', String(k.namePrefix)]);
  if (k.nameSuffix) out.push(['edit', 'set', 'namesuffix', '--', String(k.nameSuffix)]);
  if (Array.isArray(k.images)) out.push(['edit', 'set', 'image', ...k.images.map((i) => sub(String(i)))]);
  if (Array.isArray(k.replicas))
    out.push([
      'edit',
      'set',
      'replicas',
      ...k.replicas.map((r: { name: string; count: number }) => `${r.name}=${r.count}`),
    ]);
  if (k.commonLabels) {
    const args = ['edit', 'add', 'label'];
    if (k.forceCommonLabels) args.push('--force');
    if (k.labelWithoutSelector) args.push('--without-selector');
    out.push([...args, ...pairs(k.commonLabels as Record<string, unknown>, true)]);
  }
  if (k.commonAnnotations) {
    const args = ['edit', 'add', 'annotation'];
    if (k.forceCommonAnnotations) args.push('--force');
    out.push([...args, ...pairs(k.commonAnnotations as Record<string, unknown>, k.commonAnnotationsEnvsubst === true)]);
  }
  if (k.namespace) out.push(['edit', 'set', 'namespace', '--', String(k.namespace)]);
  if (Array.isArray(k.components)) out.push(['edit', 'add', 'component', ...k.components.map(String)]);
  return out;
}

describe('Argo CD kustomize overrides, as Argo CD applies them with the real kustomize', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'argo-overrides-'));
      try {
        for (const [file, text] of Object.entries(base)) {
          mkdirSync(dirname(join(dir, file)), { recursive: true });
          writeFileSync(join(dir, file), text);
        }
        // Argo CD's side: edit a copy, append patches to the file (no edit command exists for them), build.
        cpSync(join(dir, 'kustomize-guestbook'), join(dir, 'argo-copy'), { recursive: true });
        const copy = join(dir, 'argo-copy');
        for (const args of argoEditCommands(c.kustomize, 'guestbook-prod'))
          execFileSync(testbedBin('kustomize'), args, { cwd: copy, stdio: 'pipe' });
        if (Array.isArray(c.kustomize.patches)) {
          const file = join(copy, 'kustomization.yaml');
          const k = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
          k.patches = [...((k.patches as unknown[]) ?? []), ...c.kustomize.patches];
          writeFileSync(file, stringify(k));
        }
        const argo = await kustomizeBuild(dir, 'argo-copy');
        assert.ok(argo.ok, argo.ok ? '' : argo.stderr);

        // Ours: the Application in the repo, discovered and rendered as the product does.
        const application = stringify({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'guestbook-prod', namespace: 'argocd' },
          spec: {
            source: { repoURL: 'https://github.com/org/apps', path: 'kustomize-guestbook', kustomize: c.kustomize },
            destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook-prod' },
          },
        });
        writeFileSync(join(dir, 'app.yaml'), application);
        const repo = await loadRepository(new NodeFileSystem(), dir);
        const env = argoApplicationIn(repo.environments, 'guestbook-prod');
        const ours = await renderApplication(env.applications[0], { fs: new NodeFileSystem(), repoRoot: dir });
        assert.deepEqual(ours.problems, []);
        const report = compareObjects(
          argo.objects,
          ours.objects.map((o) => o.object),
        );
        assert.equal(report, undefined, report);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a label the folder already sets, without forceCommonLabels: kustomize edit fails, and so does our render, at the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argo-overrides-'));
    try {
      for (const [file, text] of Object.entries(base)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
      assert.throws(
        () =>
          execFileSync(testbedBin('kustomize'), ['edit', 'add', 'label', 'app:other'], {
            cwd: join(dir, 'kustomize-guestbook'),
            stdio: 'pipe',
          }),
        /already in kustomization file/,
      );
      writeFileSync(
        join(dir, 'app.yaml'),
        'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: gb }\nspec:\n  source:\n    path: kustomize-guestbook\n    kustomize:\n      commonLabels: { app: other }\n',
      );
      const repo = await loadRepository(new NodeFileSystem(), dir);
      const app = repo.environments.find((e) => e.name === 'gb')!.applications[0];
      await assert.rejects(
        renderApplication(app, { fs: new NodeFileSystem(), repoRoot: dir }),
        (e: Error & { problem?: { location?: { file: string; line: number } } }) => {
          assert.match(e.message, /label app already in kustomization file/);
          assert.deepEqual([e.problem?.location?.file, e.problem?.location?.line], ['app.yaml', 8]);
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('each overridden value points at the Application line that set it', async () => {
    const fs = new MemoryFileSystem({
      ...Object.fromEntries(Object.entries(base).map(([f, t]) => [`/r/${f}`, t])),
      '/r/app.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: guestbook-prod, namespace: argocd }',
        'spec:',
        '  source:',
        '    repoURL: https://github.com/org/apps',
        '    path: kustomize-guestbook',
        '    kustomize:',
        '      images: ["gcr.io/heptio-images/ks-guestbook-demo:0.3"]',
        '      replicas: [{ name: guestbook-ui, count: 5 }]',
        '  destination: { namespace: gb }',
      ].join('\n'),
    });
    const repo = await loadRepository(fs, '/r');
    const app = repo.environments.find((e) => e.name === 'guestbook-prod')!.applications[0];
    const ours = await renderApplication(app, { fs, repoRoot: '/r' });
    const deployment = ours.objects.find((o) => o.key.kind === 'Deployment')!;
    const at = (p: string) => {
      const o = deployment.origins.get(p)!;
      return `${o.file}:${o.line} ${o.kind}`;
    };
    assert.equal(at('/spec/replicas'), 'app.yaml:10 replicas');
    assert.equal(at('/spec/template/spec/containers/0/image'), 'app.yaml:9 image');
    assert.deepEqual(ours.problems, []);
  });
});
