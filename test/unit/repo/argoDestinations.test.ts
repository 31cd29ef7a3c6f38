import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { loadRepository } from '../../../src/core/repo/repository';
import { normalizeServer, resolveArgoDestinations } from '../../../src/core/repo/argoDestinations';

const app = (name: string, destination: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: ${name} }\nspec:\n  source: { path: guestbook }\n  destination: ${destination}\n`;

describe('Argo CD destinations → kube contexts', () => {
  it('server matched by normalised URL, name through argocd.clusters, in-cluster through inClusterContext; unmatched named at the destination', async () => {
    const fs = new MemoryFileSystem({
      '/r/guestbook/d.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n',
      '/r/apps/a.yaml': [
        app('by-server', '{ server: "HTTPS://EU.example.com:443/", namespace: gb }'),
        app('by-name', '{ name: us-prod, namespace: gb }'),
        app('in-cluster', '{ server: https://kubernetes.default.svc, namespace: gb }'),
        app('unknown-server', '{ server: https://nowhere:6443 }'),
        app('unknown-name', '{ name: mars }'),
      ].join('---\n'),
      // One environment per Application (the opt-out), so each Application's resolved context is seen on its own.
      '/r/.gitops-drift.yaml':
        'argocd:\n  clusters: { us-prod: prod-us-admin }\n  inClusterContext: mgmt\n  environments: application\n',
    });
    const repo = await loadRepository(fs, '/r');
    assert.deepEqual(repo.config.argocd, {
      clusters: { 'us-prod': 'prod-us-admin' },
      inClusterContext: 'mgmt',
      environments: 'application',
    });
    const problems = resolveArgoDestinations(repo.environments, repo.config.argocd, [
      { name: 'dev', server: 'https://dev.example.com' },
      { name: 'eu-admin', server: 'https://eu.example.com' },
      { name: 'eu-readonly', server: 'https://eu.example.com' },
    ]);
    const contexts = Object.fromEntries(
      repo.environments
        .filter((e) => e.source === 'argocd' && !e.appOfAppsRoot)
        .map((e) => [e.name, e.context ?? null]),
    );
    assert.deepEqual(contexts, {
      'by-server': 'eu-admin',
      'by-name': 'prod-us-admin',
      'in-cluster': 'mgmt',
      'unknown-server': null,
      'unknown-name': null,
    });
    assert.deepEqual(
      problems.map((p) => `${p.location?.file}:${p.location?.line} ${p.message}`),
      [
        "apps/a.yaml:34 Application 'unknown-name': destination.name 'mars' has no kube context: add it to argocd.clusters in .gitops-drift.yaml (checked in the current context until then)",
        "apps/a.yaml:27 Application 'unknown-server': no kubeconfig context has the server https://nowhere:6443 (checked in the current context)",
      ],
    );
  });

  it('normalises server URLs as Argo CD users write them', () => {
    assert.equal(normalizeServer('HTTPS://Host.Example:443/'), 'https://host.example');
    assert.equal(normalizeServer('https://host.example:6443'), 'https://host.example:6443');
  });
});
