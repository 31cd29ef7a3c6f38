import assert from 'node:assert/strict';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import {
  argoChartCredentials,
  argoChartTls,
  argoRepositorySecret,
  argoTlsCerts,
} from '../../../src/core/repo/argoRepositories';
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

describe('Argo CD repository Secrets and argocd-tls-certs-cm: the TLS settings of a chart source', () => {
  const lines = new LineCounter();
  const loc = new FileLocator('argocd/tls.yaml', lines);
  const docs = parseAllDocuments(
    [
      secret(
        'org',
        'repo-creds',
        'stringData: {url: "https://charts.example.com/", tlsClientCertData: ORG-CERT, tlsClientCertKey: ORG-KEY}',
      ),
      // Its own certificate; the key is the template's (CopyCredentialsFrom fills each empty field).
      secret(
        'team',
        'repository',
        'stringData: {url: "https://charts.example.com/team", tlsClientCertData: TEAM-CERT}',
      ),
      secret('skip', 'repository', 'stringData: {url: "https://other.example.com/charts", insecure: "true"}'),
      secret('typo', 'repository', 'stringData: {url: "https://typo.example.com/charts", insecure: "yes"}'),
      secret(
        'half',
        'repository',
        'stringData: {url: "https://half.example.com/charts", tlsClientCertData: HALF-CERT}',
      ),
      secret(
        'sealed',
        'repository',
        'stringData: {url: "https://sealed.example.com/charts", tlsClientCertData: "ENC[AES256_GCM,x]", tlsClientCertKey: "ENC[AES256_GCM,y]"}\nsops: {version: 3.9.0}',
      ),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-tls-certs-cm, namespace: argocd}\ndata:\n  charts.example.com: CA-PEM\n  registry.example.com: REGISTRY-CA\n',
    ].join('---\n'),
    { lineCounter: lines },
  ) as Document[];
  const secrets = docs.flatMap((doc) => argoRepositorySecret(doc, loc) ?? []);
  const certs = docs.flatMap((doc) => argoTlsCerts(doc, loc) ?? []);
  const tls = (url: string) => argoChartTls(secrets, certs, url);

  it("takes the repository Secret's certificate, its template's key, and the CA for the repoURL's host", () => {
    assert.deepEqual(tls('https://charts.example.com/team'), {
      type: 'tls',
      from: 'Argo CD repository Secret argocd/team (argocd/tls.yaml:6), Argo CD repo-creds Secret argocd/org (argocd/tls.yaml:1), ConfigMap argocd/argocd-tls-certs-cm (argocd/tls.yaml:32)',
      caPem: 'CA-PEM',
      certPem: 'TEAM-CERT',
      keyPem: 'ORG-KEY',
    });
    // A repository with no Secret of its own gets the template's pair; the CA is matched by host name (an OCI
    // repoURL without a scheme too).
    assert.equal(tls('https://charts.example.com/public')?.type, 'tls');
    assert.deepEqual(tls('registry.example.com/charts'), {
      type: 'tls',
      from: 'ConfigMap argocd/argocd-tls-certs-cm (argocd/tls.yaml:32)',
      caPem: 'REGISTRY-CA',
    });
    assert.equal(tls('https://nothing.example.org/charts'), undefined);
  });

  it('insecure skips verifying; a value that is not a boolean, half a pair or SOPS is the state', () => {
    assert.deepEqual(tls('https://other.example.com/charts'), {
      type: 'tls',
      from: 'Argo CD repository Secret argocd/skip (argocd/tls.yaml:11)',
      insecureSkipVerify: true,
    });
    assert.match(
      String((tls('https://typo.example.com/charts') as { reason?: string }).reason),
      /argocd\/typo .*`insecure` is not a boolean/,
    );
    assert.match(
      String((tls('https://half.example.com/charts') as { reason?: string }).reason),
      /argocd\/half .* has tlsClientCertData but no tlsClientCertKey/,
    );
    const sealed = tls('https://sealed.example.com/charts') as { type: string; reason?: string };
    assert.equal(sealed.type, 'unusable');
    assert.match(
      String(sealed.reason),
      /^TLS settings are encrypted \(SOPS\): Argo CD repository Secret argocd\/sealed/,
    );
  });
});
