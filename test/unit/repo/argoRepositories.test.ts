import assert from 'node:assert/strict';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { argoChartCredentials, argoRepositorySecret } from '../../../src/core/repo/argoRepositories';
import { FileLocator } from '../../../src/core/yaml/yamlLocate';

/** The repository Secrets of one YAML file, as discovery reads them. */
function secretsOf(text: string) {
  const lines = new LineCounter();
  const loc = new FileLocator('argocd/repos.yaml', lines);
  return (parseAllDocuments(text, { lineCounter: lines }) as Document[]).flatMap(
    (doc) => argoRepositorySecret(doc, loc) ?? [],
  );
}

const secret = (name: string, type: string, body: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: argocd, labels: {argocd.argoproj.io/secret-type: ${type}}}\n${body}\n`;

describe('Argo CD repository Secrets of the repo: the credentials of a chart source', () => {
  const secrets = secretsOf(
    [
      secret('org', 'repo-creds', 'stringData: {url: "https://charts.example.com/", username: org, password: org-pw}'),
      secret(
        'team',
        'repo-creds',
        'stringData: {url: "https://charts.example.com/team", username: team, password: team-pw}',
      ),
      // A repository Secret without credentials takes its template's (Argo CD fills it in).
      secret('bare', 'repository', 'stringData: {url: "https://charts.example.com/team/bare", type: helm}'),
      secret(
        'own',
        'repository',
        `data: {url: ${Buffer.from('HTTPS://Charts.Example.com/own.git').toString('base64')}, username: ${Buffer.from('own').toString('base64')}, password: ${Buffer.from('own-pw').toString('base64')}}`,
      ),
      secret(
        'sealed',
        'repository',
        'stringData: {url: "ghcr.io/acme/charts", username: "ENC[AES256_GCM,x]", password: "ENC[AES256_GCM,y]"}\nsops: {version: 3.9.0}',
      ),
      secret('cluster', 'cluster', 'stringData: {server: "https://k", name: c}'),
      'apiVersion: v1\nkind: Secret\nmetadata: {name: unlabelled}\nstringData: {url: "https://charts.example.com", password: x}\n',
    ].join('---\n'),
  );
  const user = (url: string) => {
    const c = argoChartCredentials(secrets, url);
    return c?.type === 'basic' ? c.username : c?.type;
  };

  it('reads only repository and repo-creds Secrets, with where they are and never their values in `from`', () => {
    assert.deepEqual(
      secrets.map((s) => `${s.type} ${s.url}`),
      [
        'repo-creds https://charts.example.com/',
        'repo-creds https://charts.example.com/team',
        'repository https://charts.example.com/team/bare',
        'repository HTTPS://Charts.Example.com/own.git',
        'repository ghcr.io/acme/charts',
      ],
    );
    const own = argoChartCredentials(secrets, 'https://charts.example.com/own');
    assert.equal(own?.from, 'Argo CD repository Secret argocd/own (argocd/repos.yaml:16)');
  });

  it('matches as Argo CD does: the same URL (case, .git), else the longest repo-creds prefix', () => {
    assert.equal(user('https://charts.example.com/own'), 'own');
    assert.equal(user('https://charts.example.com/team/bare'), 'team');
    assert.equal(user('https://charts.example.com/team/other'), 'team');
    assert.equal(user('https://charts.example.com/other'), 'org');
    assert.equal(user('https://elsewhere.example.com/'), undefined);
    assert.equal(user('ghcr.io/acme/charts'), 'unusable', 'SOPS-encrypted: said, never sent');
    assert.equal(JSON.stringify(secrets).includes('pw'), false, 'no JSON of the model holds a credential');
  });
});
