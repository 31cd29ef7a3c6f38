import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argoCdBaseUrl } from '../../../src/node/argoCdClient';
import { argoCdConfigDir, argoCdServerFromConfig, argoCdTlsFromConfig } from '../../../src/node/argoCdConfig';

const CONFIG = `contexts:
- name: prod
  server: argocd.prod.example.com
  user: prod-user
- name: local
  server: localhost:8080
  user: local-user
current-context: prod
servers:
- server: argocd.prod.example.com
  certificate-authority-data: ${Buffer.from('-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n').toString('base64')}
- server: localhost:8080
  plain-text: true
  insecure: true
users:
- name: prod-user
  auth-token: token-prod
- name: local-user
  auth-token: token-local
`;

describe("the argocd CLI's config, read as the argocd CLI reads it", () => {
  let home = '';
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'gitops-drift-argocd-home-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('finds the folder: ARGOCD_CONFIG_DIR, else ~/.argocd when it exists, else XDG_CONFIG_HOME/argocd, else ~/.config/argocd', () => {
    assert.equal(argoCdConfigDir({ HOME: home, ARGOCD_CONFIG_DIR: '/x' }), '/x');
    assert.equal(argoCdConfigDir({ HOME: home }), join(home, '.config', 'argocd'));
    assert.equal(argoCdConfigDir({ HOME: home, XDG_CONFIG_HOME: '/xdg' }), '/xdg/argocd');
    mkdirSync(join(home, '.argocd'));
    assert.equal(argoCdConfigDir({ HOME: home, XDG_CONFIG_HOME: '/xdg' }), join(home, '.argocd'));
  });

  it("takes the current context's server and token, or a named server's, with its TLS settings", () => {
    mkdirSync(join(home, '.config', 'argocd'), { recursive: true });
    writeFileSync(join(home, '.config', 'argocd', 'config'), CONFIG);
    const current = argoCdServerFromConfig({ HOME: home });
    assert.equal(current.server, 'argocd.prod.example.com');
    assert.equal(current.token, 'token-prod');
    assert.match(current.ca!, /BEGIN CERTIFICATE/);
    const local = argoCdServerFromConfig({ HOME: home }, 'http://localhost:8080/');
    assert.deepEqual(
      { token: local.token, plainText: local.plainText, insecure: local.insecure },
      { token: 'token-local', plainText: true, insecure: true },
    );
    assert.equal(argoCdServerFromConfig({ HOME: home, ARGOCD_AUTH_TOKEN: 'from-env' }).token, 'from-env');
    assert.deepEqual(argoCdTlsFromConfig({ HOME: home }, 'localhost:8080'), {
      server: 'localhost:8080',
      plainText: true,
      insecure: true,
    });
    assert.deepEqual(argoCdTlsFromConfig({ HOME: home }, 'other.example.com'), { server: 'other.example.com' });
    assert.equal(argoCdBaseUrl('localhost:8080', true).href, 'http://localhost:8080/');
    assert.equal(argoCdBaseUrl('https://example.com/argo').href, 'https://example.com/argo/');
  });

  it('says what is missing, naming the file and never a token', () => {
    assert.throws(
      () => argoCdServerFromConfig({ HOME: home }),
      /no Argo CD server: .*config does not exist \(run argocd login/,
    );
    mkdirSync(join(home, '.config', 'argocd'), { recursive: true });
    writeFileSync(join(home, '.config', 'argocd', 'config'), CONFIG.replace('  auth-token: token-prod\n', ''));
    assert.throws(
      () => argoCdServerFromConfig({ HOME: home }),
      (e: Error) =>
        /no token for Argo CD at argocd\.prod\.example\.com/.test(e.message) && !e.message.includes('token-local'),
    );
    writeFileSync(join(home, '.config', 'argocd', 'config'), '- a list\n');
    assert.throws(() => argoCdServerFromConfig({ HOME: home }), /config: not an argocd config: not a mapping/);
  });
});
