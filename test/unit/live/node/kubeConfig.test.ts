import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ClusterError } from '../../../../src/core/live/clusterError';
import { kubeconfigFiles, listKubeContexts, loadKubeConfig } from '../../../../src/node/kubeConfig';

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function isClusterError(reason: string, pattern: RegExp) {
  return (e: unknown) => e instanceof ClusterError && e.reason === reason && pattern.test(e.message);
}

describe('kubeconfig loading (as kubectl reads it)', () => {
  let dir: string;
  let first: string;
  let second: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-kubeconfig-'));
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    first = write(
      join(dir, 'a'),
      'config',
      `apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: shared
  cluster: {server: 'https://first.example:6443', certificate-authority: certs/ca.crt}
contexts:
- name: prod
  context: {cluster: shared, user: alice, namespace: shop-prod}
users:
- name: alice
  user: {client-certificate: alice.crt, client-key: /abs/alice.key}
`,
    );
    second = write(
      join(dir, 'b'),
      'config',
      `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: shared
  cluster: {server: 'https://second.example:6443'}
- name: dev-cluster
  cluster: {server: 'https://dev.example:6443', insecure-skip-tls-verify: true, proxy-url: 'http://proxy.corp:3128'}
contexts:
- name: prod
  context: {cluster: dev-cluster, user: bob}
- name: dev
  context: {cluster: dev-cluster, user: bob}
users:
- name: alice
  user: {token: from-second-file}
- name: bob
  user: {tokenFile: tokens/bob}
`,
    );
  });

  it('merges KUBECONFIG files: first definition of a name and first current-context win, missing files are skipped', async () => {
    const env = { KUBECONFIG: [first, join(dir, 'missing'), second].join(delimiter) };
    assert.deepEqual(kubeconfigFiles({ env }), [first, second]);
    const { contexts, current, files } = await listKubeContexts({ env });
    assert.equal(current, 'prod');
    assert.deepEqual(files, [first, second]);
    assert.deepEqual(contexts, [
      { name: 'prod', cluster: 'shared', user: 'alice', namespace: 'shop-prod', server: 'https://first.example:6443' },
      { name: 'dev', cluster: 'dev-cluster', user: 'bob', namespace: undefined, server: 'https://dev.example:6443' },
    ]);
  });

  it('resolves paths relative to the file that names them and selects the context and its namespace', async () => {
    const env = { KUBECONFIG: [first, second].join(delimiter) };
    const prod = await loadKubeConfig({ env });
    assert.equal(prod.context, 'prod');
    assert.equal(prod.namespace, 'shop-prod');
    assert.equal(prod.cluster.caFile, join(dir, 'a', 'certs', 'ca.crt'));
    assert.equal(prod.user.certFile, join(dir, 'a', 'alice.crt'));
    assert.equal(prod.user.keyFile, '/abs/alice.key');
    assert.equal(prod.user.token, undefined, 'alice from the second file is ignored whole, as kubectl does');
    const dev = await loadKubeConfig({ env, context: 'dev' });
    assert.equal(dev.namespace, 'default');
    assert.equal(dev.cluster.skipTLSVerify, true);
    assert.equal(dev.cluster.proxyUrl, 'http://proxy.corp:3128');
    assert.equal(dev.tokenFiles.get('bob'), join(dir, 'b', 'tokens', 'bob'));
    assert.equal(dev.kc.getCurrentContext(), 'dev');
  });

  it('applies HTTPS_PROXY to a cluster without proxy-url, and rejects a server that is not a URL', async () => {
    const env = {
      KUBECONFIG: [first, second].join(delimiter),
      HTTPS_PROXY: 'http://corp-proxy:3128',
      NO_PROXY: 'dev.example',
    };
    assert.equal((await loadKubeConfig({ env })).cluster.proxyUrl, 'http://corp-proxy:3128');
    assert.equal(
      (await loadKubeConfig({ env, context: 'dev' })).cluster.proxyUrl,
      'http://proxy.corp:3128',
      "the kubeconfig's proxy-url wins",
    );
    const bad = write(
      dir,
      'bad-server',
      'clusters: [{name: x, cluster: {server: "not a url"}}]\ncontexts: [{name: c, context: {cluster: x}}]\ncurrent-context: c\n',
    );
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: bad, env: {} }),
      isClusterError('kubeconfig', /cluster "x" has an invalid server URL "not a url"/),
    );
  });

  it('reads only the explicit path, which must exist', async () => {
    assert.deepEqual(kubeconfigFiles({ kubeconfigPath: second, env: { KUBECONFIG: first } }), [second]);
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: join(dir, 'nope') }),
      isClusterError('kubeconfig', /nope does not exist/),
    );
  });

  it('falls back to ~/.kube/config, and says so when there is none', async () => {
    mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
    await assert.rejects(
      loadKubeConfig({ env: { HOME: join(dir, 'home') } }),
      isClusterError('kubeconfig', /KUBECONFIG is not set and ~\/.kube\/config does not exist/),
    );
    const home = write(join(dir, 'home', '.kube'), 'config', '');
    assert.deepEqual(kubeconfigFiles({ env: { HOME: join(dir, 'home') } }), [home]);
    await assert.rejects(
      loadKubeConfig({ env: { HOME: join(dir, 'home') } }),
      isClusterError('kubeconfig', /no context chosen and no current-context/),
    );
  });

  it('points at the line of a YAML error and names undefined contexts and clusters', async () => {
    const broken = write(dir, 'broken', 'apiVersion: v1\nclusters:\n- name: x\n  cluster: {server: [unclosed\n');
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: broken }),
      isClusterError('kubeconfig', new RegExp(`^${broken}:\\d+:\\d+: invalid YAML`)),
    );
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: second, context: 'staging' }),
      isClusterError('kubeconfig', /context "staging" is not defined in/),
    );
    const dangling = write(
      dir,
      'dangling',
      'contexts:\n- name: c\n  context: {cluster: gone, user: u}\ncurrent-context: c\n',
    );
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: dangling }),
      isClusterError('kubeconfig', /names cluster "gone", which is not defined/),
    );
    const noUser = write(
      dir,
      'no-user',
      'clusters: [{name: x, cluster: {server: "https://x.example"}}]\ncontexts: [{name: c, context: {cluster: x, user: ghost}}]\ncurrent-context: c\n',
    );
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: noUser, env: {} }),
      isClusterError('kubeconfig', /context "c" names user "ghost", which is not defined/),
    );
    const invalid = write(dir, 'invalid', 'clusters:\n- name: x\n  cluster: {}\n');
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: invalid }),
      isClusterError('kubeconfig', /invalid: clusters\[0\]\.cluster\.server is missing/),
    );
  });

  it('refuses exec credential plugins and auth-provider commands unless allowed', async () => {
    const exec = write(
      dir,
      'exec',
      `clusters:
- name: eks
  cluster: {server: 'https://eks.example'}
users:
- name: aws
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/aws-iam, args: [token, -i, prod]}
- name: gcp
  user:
    auth-provider: {name: gcp, config: {cmd-path: /usr/bin/gcloud}}
contexts:
- name: eks
  context: {cluster: eks, user: aws}
- name: gke
  context: {cluster: eks, user: gcp}
current-context: eks
`,
    );
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: exec }),
      isClusterError('execNotAllowed', new RegExp(`running "${join(dir, 'bin', 'aws-iam')} token -i prod"`)),
    );
    await assert.rejects(
      loadKubeConfig({ kubeconfigPath: exec, context: 'gke' }),
      isClusterError('execNotAllowed', /running "\/usr\/bin\/gcloud"/),
    );
    const allowed = await loadKubeConfig({ kubeconfigPath: exec, allowExec: true });
    assert.equal(
      allowed.user.exec.command,
      join(dir, 'bin', 'aws-iam'),
      'a relative command resolves against the kubeconfig folder',
    );
  });
});
