import type { spawn, SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type * as ClientNodeConfig from '@kubernetes/client-node/dist/config.js';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
import { isMap, isSeq, parseDocument } from 'yaml';
import { ClusterError } from '../core/live/clusterError';
import { proxyFromEnv } from './kubeProxy';

/** Where to read the kubeconfig from, as kubectl decides it. */
export interface KubeConfigSource {
  /** Explicit file (`--kubeconfig`, setting `gitopsDrift.kubeconfig`): only this file, and it must exist. */
  kubeconfigPath?: string;
  /** Environment for `KUBECONFIG`, `HOME` and the proxy variables; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the in-cluster service-account mount (tests); default none. */
  serviceAccountRoot?: string;
}

/** One context of the merged kubeconfig, for pickers and the status bar. */
export interface KubeContextInfo {
  name: string;
  cluster: string;
  user: string;
  /** The context's namespace, undefined when it sets none (kubectl then uses `default`). */
  namespace?: string;
  /** The cluster's server URL, undefined when the context names a cluster the files do not define. */
  server?: string;
}

/** The merged kubeconfig as kubectl sees it. */
export interface KubeContexts {
  contexts: KubeContextInfo[];
  /** `current-context` (first file that sets it wins), undefined when none is set. */
  current?: string;
  /** The files read, in precedence order. */
  files: string[];
}

/** A kubeconfig resolved for one context, ready to build a client. */
export interface LoadedKubeConfig {
  /** client-node's KubeConfig with `currentContext` set to the chosen context. */
  kc: KubeConfig;
  context: string;
  cluster: Cluster;
  user: User;
  /** The context's namespace, else `default`. */
  namespace: string;
  files: string[];
  /** Token files (kubectl's `tokenFile`, which client-node does not read), by user name. */
  tokenFiles: Map<string, string>;
}

let clientNode: Promise<typeof ClientNodeConfig> | undefined;

/**
 * client-node's kubeconfig module, loaded once. Only that module: the package index pulls in the whole generated
 * API (a 16 MB bundle instead of 2 MB, about a second more startup).
 */
function clientNodeConfig(): Promise<typeof ClientNodeConfig> {
  return (clientNode ??= import('@kubernetes/client-node/dist/config.js'));
}

/**
 * Starts loading client-node's kubeconfig support in the background (about 0.2–0.4 s), so a command that will
 * read a cluster can render meanwhile. Calling it is optional.
 */
export function preloadKubeConfigSupport(): void {
  clientNodeConfig().catch(() => undefined);
}

/**
 * The files kubectl would read: the explicit path; else every existing entry of `KUBECONFIG` (missing ones
 * are skipped, as kubectl does); else `~/.kube/config` when it exists.
 */
export function kubeconfigFiles(source: KubeConfigSource = {}): string[] {
  const env = source.env ?? process.env;
  if (source.kubeconfigPath) {
    if (!existsSync(source.kubeconfigPath))
      throw new ClusterError('kubeconfig', `kubeconfig ${source.kubeconfigPath} does not exist`);
    return [resolve(source.kubeconfigPath)];
  }
  if (env.KUBECONFIG) {
    const seen = new Set<string>();
    return env.KUBECONFIG.split(delimiter)
      .filter(Boolean)
      .map((f) => resolve(f))
      .filter((f) => !seen.has(f) && seen.add(f) && existsSync(f));
  }
  const home = env.HOME || env.USERPROFILE || homedir();
  const fallback = join(home, '.kube', 'config');
  return existsSync(fallback) ? [fallback] : [];
}

/** Lists the contexts of the merged kubeconfig and the current one, without touching credentials. */
export async function listKubeContexts(source: KubeConfigSource = {}): Promise<KubeContexts> {
  const { kc, files } = await mergeFiles(kubeconfigFiles(source));
  return {
    files,
    current: kc.getCurrentContext() || undefined,
    contexts: kc.getContexts().map((c) => ({
      name: c.name,
      cluster: c.cluster,
      user: c.user,
      namespace: c.namespace,
      server: kc.getCluster(c.cluster)?.server,
    })),
  };
}

/**
 * Loads the kubeconfig the way kubectl does (several files merged, first definition of a name wins, paths
 * relative to the file that names them) and selects `context` (default: current-context). Throws a
 * ClusterError (`kubeconfig`) when there is no usable configuration, or (`execNotAllowed`) when the user's
 * credentials come from a plugin command and `allowExec` is not set.
 */
export async function loadKubeConfig(
  source: KubeConfigSource & { context?: string; allowExec?: boolean; execTimeoutMs?: number } = {},
): Promise<LoadedKubeConfig> {
  const files = kubeconfigFiles(source);
  if (!files.length) {
    const env = source.env ?? process.env;
    const inCluster = await inClusterConfig(env, source.serviceAccountRoot);
    if (inCluster) return inCluster;
    throw new ClusterError(
      'kubeconfig',
      env.KUBECONFIG
        ? `none of the KUBECONFIG files exist (${env.KUBECONFIG})`
        : 'no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist',
    );
  }
  const { kc, tokenFiles } = await mergeFiles(files);
  const where = files.join(', ');
  const contextName = source.context || kc.getCurrentContext();
  if (!contextName) throw new ClusterError('kubeconfig', `no context chosen and no current-context set in ${where}`);
  const context = kc.getContextObject(contextName);
  if (!context)
    throw new ClusterError('kubeconfig', `context "${contextName}" is not defined in ${where}`, contextName);
  let cluster = kc.getCluster(context.cluster);
  if (!cluster)
    throw new ClusterError(
      'kubeconfig',
      `context "${contextName}" names cluster "${context.cluster}", which is not defined in ${where}`,
      contextName,
    );
  kc.setCurrentContext(contextName);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new ClusterError(
      'kubeconfig',
      `cluster "${cluster.name}" has an invalid server URL "${cluster.server}" (${where})`,
      contextName,
    );
  }
  const proxy = cluster.proxyUrl ? undefined : proxyFromEnv(server, source.env ?? process.env);
  if (proxy) {
    // kubectl honours the proxy environment when the kubeconfig names no proxy-url; client-node does not.
    const index = kc.clusters.indexOf(cluster);
    cluster = { ...cluster, proxyUrl: proxy };
    kc.clusters[index] = cluster;
  }
  // A context without a user means anonymous access; one naming a user nobody defines is an error, as in kubectl.
  const named = context.user ? kc.getUser(context.user) : null;
  if (context.user && !named)
    throw new ClusterError(
      'kubeconfig',
      `context "${contextName}" names user "${context.user}", which is not defined in ${where}`,
      contextName,
    );
  const user: User = named ?? { name: '' };
  const plugin = credentialCommand(user);
  if (plugin && !source.allowExec) {
    throw new ClusterError(
      'execNotAllowed',
      `context "${contextName}" gets credentials by running "${plugin}" (kubeconfig user "${user.name}"); GitOps Drift runs credential plugins only when you allow it (CLI --allow-exec, setting gitopsDrift.allowExecCredentials)`,
      contextName,
    );
  }
  if (user.exec) withExecInfo(user, cluster);
  if (plugin) limitCredentialPlugin(kc, plugin, source.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
  return { kc, context: contextName, cluster, user, namespace: context.namespace || 'default', files, tokenFiles };
}

/** How long a credential plugin may run before it is killed (kubectl waits forever; a hung plugin hung `check`). */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

/** The error a credential plugin that ran too long ends with. */
export class CredentialPluginTimeout extends Error {
  constructor(
    readonly plugin: string,
    readonly timeoutMs: number,
  ) {
    super(`credential plugin "${plugin}" did not answer within ${timeoutMs / 1000} s`);
    this.name = 'CredentialPluginTimeout';
  }
}

/**
 * client-node runs exec plugins with `spawn` and waits for them to exit, however long that takes. Its ExecAuth
 * keeps the spawn function in a field: wrap it so the plugin is killed after `timeoutMs` and the wait ends with
 * a CredentialPluginTimeout (reported through the 'error' event client-node listens to). If a client-node
 * release moves that field, plugins run unbounded again, and the transport's own deadline still ends the wait.
 */
function limitCredentialPlugin(kc: KubeConfig, plugin: string, timeoutMs: number): void {
  const authenticators = (kc as unknown as { authenticators?: Array<{ execFn?: typeof spawn }> }).authenticators ?? [];
  for (const auth of authenticators) {
    const original = auth.execFn;
    if (typeof original !== 'function') continue;
    auth.execFn = ((command: string, args: readonly string[], options: SpawnOptions) => {
      const child = original(command, args, options);
      const timer = setTimeout(() => {
        child.emit('error', new CredentialPluginTimeout(plugin, timeoutMs));
        child.kill('SIGKILL');
      }, timeoutMs);
      child.once('exit', () => clearTimeout(timer));
      child.once('error', () => clearTimeout(timer));
      return child;
    }) as typeof spawn;
  }
}

/**
 * Inside a pod with no kubeconfig, kubectl uses the pod's service account: the API server from
 * KUBERNETES_SERVICE_HOST/PORT, the mounted token (re-read as it rotates) and CA. `root` prefixes the mount
 * path (tests).
 */
async function inClusterConfig(env: NodeJS.ProcessEnv, root = ''): Promise<LoadedKubeConfig | undefined> {
  const tokenPath = `${root}/var/run/secrets/kubernetes.io/serviceaccount/token`;
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT || !existsSync(tokenPath)) return undefined;
  const { KubeConfig } = await clientNodeConfig();
  const kc = new KubeConfig();
  const host = env.KUBERNETES_SERVICE_HOST.includes(':')
    ? `[${env.KUBERNETES_SERVICE_HOST}]`
    : env.KUBERNETES_SERVICE_HOST;
  const nsFile = `${root}/var/run/secrets/kubernetes.io/serviceaccount/namespace`;
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '';
  const cluster: Cluster = {
    name: 'in-cluster',
    server: `https://${host}:${env.KUBERNETES_SERVICE_PORT}`,
    caFile: `${root}/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`,
    skipTLSVerify: false,
  };
  // No token in the User: the transport reads the token file when it resolves credentials (it rotates).
  const user: User = { name: 'in-cluster' };
  kc.loadFromOptions({
    clusters: [cluster],
    users: [user],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', namespace }],
    currentContext: 'in-cluster',
  });
  return {
    kc,
    context: 'in-cluster',
    cluster,
    user,
    namespace: namespace || 'default',
    files: [],
    tokenFiles: new Map([['in-cluster', tokenPath]]),
  };
}

/**
 * kubectl tells a credential plugin how it runs through KUBERNETES_EXEC_INFO (some plugins pick their output
 * version from it, and `provideClusterInfo` plugins need the cluster); client-node does not, so add it. We
 * never have a terminal for the plugin: `interactive` is false.
 */
function withExecInfo(user: User, cluster: Cluster): void {
  const exec = user.exec as {
    apiVersion?: string;
    env?: Array<{ name: string; value: string }> | null;
    provideClusterInfo?: boolean;
  };
  if (exec.env?.some((e) => e.name === 'KUBERNETES_EXEC_INFO')) return;
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo) {
    const ca =
      cluster.caData ??
      (cluster.caFile && existsSync(cluster.caFile) ? readFileSync(cluster.caFile).toString('base64') : undefined);
    spec.cluster = {
      server: cluster.server,
      'certificate-authority-data': ca,
      'insecure-skip-tls-verify': cluster.skipTLSVerify || undefined,
      'tls-server-name': cluster.tlsServerName,
      'proxy-url': cluster.proxyUrl,
    };
  }
  const info = { apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec };
  exec.env = [...(exec.env ?? []), { name: 'KUBERNETES_EXEC_INFO', value: JSON.stringify(info) }];
}

/** The command a user's credentials come from (exec plugin, or a legacy auth provider's cmd-path), if any. */
function credentialCommand(user: User): string | undefined {
  const exec = user.exec ?? user.authProvider?.config?.exec;
  if (exec?.command) return [exec.command, ...(exec.args ?? [])].join(' ');
  if (user.authProvider?.name === 'exec') return 'an exec auth provider';
  const cmdPath = user.authProvider?.config?.['cmd-path'];
  return cmdPath ? String(cmdPath) : undefined;
}

async function mergeFiles(
  files: string[],
): Promise<{ kc: KubeConfig; files: string[]; tokenFiles: Map<string, string> }> {
  const { KubeConfig } = await clientNodeConfig();
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
  const tokenFiles = new Map<string, string>();
  for (const file of files) {
    const one = new KubeConfig();
    const raw = parseFile(file);
    if (raw.empty) continue; // kubectl skips empty files
    try {
      one.loadFromString(raw.text);
    } catch (e) {
      throw new ClusterError('kubeconfig', `${file}: ${(e as Error).message}`);
    }
    const dir = dirname(file);
    one.makePathsAbsolute(dir);
    if (!merged.getCurrentContext() && one.getCurrentContext()) merged.setCurrentContext(one.getCurrentContext());
    // kubectl: the first file to define a name wins, and its entry is used whole.
    for (const c of one.getClusters()) if (!merged.getCluster(c.name)) merged.clusters.push(c);
    for (const c of one.getContexts()) if (!merged.getContextObject(c.name)) merged.contexts.push(c as Context);
    for (const u of one.getUsers()) {
      if (merged.getUser(u.name)) continue;
      if (u.exec?.command && !isAbsolute(u.exec.command) && /[\\/]/.test(u.exec.command))
        u.exec.command = resolve(dir, u.exec.command);
      merged.users.push(u);
      const tokenFile = raw.tokenFiles.get(u.name);
      if (tokenFile && !u.token) tokenFiles.set(u.name, resolve(dir, tokenFile));
    }
  }
  return { kc: merged, files, tokenFiles };
}

/** Reads and syntax-checks one kubeconfig file, pointing at file:line on errors. */
function parseFile(file: string): { text: string; empty: boolean; tokenFiles: Map<string, string> } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ClusterError('kubeconfig', `cannot read kubeconfig ${file}: ${(e as Error).message}`);
  }
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    throw new ClusterError(
      'kubeconfig',
      `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  if (doc.contents !== null && !isMap(doc.contents))
    throw new ClusterError('kubeconfig', `${file}:1: a kubeconfig must be a YAML mapping`);
  const tokenFiles = new Map<string, string>();
  const users = doc.get('users', true);
  if (isSeq(users)) {
    for (const item of users.items) {
      if (!isMap(item)) continue;
      const name = item.get('name');
      const tokenFile = item.getIn(['user', 'tokenFile']);
      if (typeof name === 'string' && typeof tokenFile === 'string' && tokenFile) tokenFiles.set(name, tokenFile);
    }
  }
  return { text, empty: doc.contents === null, tokenFiles };
}
