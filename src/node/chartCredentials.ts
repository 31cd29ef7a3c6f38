/**
 * Credentials for charts of private Helm repositories and OCI registries, found where the user's own tools find them
 * (issue #16), for the ChartSource adapter (chartSource.ts):
 * - a Helm repository: the entry of Helm's `repositories.yaml` whose `url` is the repository's (`helm pull` after
 *   `helm repo add --username …`);
 * - an OCI registry: Helm's registry config (`helm registry login`), then Docker's `config.json` (`docker login`), as
 *   Helm's registry client falls back from one to the other.
 * A credential helper (`credsStore`, `credHelpers`) is a program: it is never run, and a registry whose credentials
 * are behind one gets a state saying so. Nothing here prints or logs a credential; `from` names only the file.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import type { ChartCredentials } from '../core/ports';
import type { TlsSettings } from './tlsFetch';

/** What a request is sent with: Basic credentials, or a reason not to try anonymously (`refused`). */
export type ResolvedCredentials =
  | { type: 'basic'; username: string; password: string; from: string; passCredentials?: boolean }
  | { type: 'refused'; from: string; reason: string };

/** Where Helm (helm.sh/helm/v4 pkg/helmpath and pkg/cli) and Docker keep their client config on this machine. */
export function helmClientConfigPaths(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME || env.USERPROFILE || homedir(),
): { repositories: string; registry: string; docker: string } {
  // helmpath's lazypath: $HELM_CONFIG_HOME itself, else $XDG_CONFIG_HOME/helm, else the OS's default /helm.
  const osDefault =
    platform === 'darwin'
      ? join(home, 'Library', 'Preferences')
      : platform === 'win32'
        ? (env.APPDATA ?? '')
        : join(home, '.config');
  const configPath = (...elem: string[]) =>
    env.HELM_CONFIG_HOME
      ? join(env.HELM_CONFIG_HOME, ...elem)
      : join(env.XDG_CONFIG_HOME || osDefault, 'helm', ...elem);
  return {
    repositories: env.HELM_REPOSITORY_CONFIG || configPath('repositories.yaml'),
    registry: env.HELM_REGISTRY_CONFIG || configPath('registry', 'config.json'),
    docker: join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json'),
  };
}

/** One entry of Helm's repositories.yaml (helm.sh/helm/v4 pkg/repo.Entry), as far as downloads use it. */
export interface HelmRepositoryEntry {
  name: string;
  url: string;
  username?: string;
  password?: string;
  passCredentialsAll?: boolean;
  /** Paths of its TLS files (`helm repo add --ca-file/--cert-file/--key-file`) and `--insecure-skip-tls-verify`. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipTlsVerify?: boolean;
}

/** Helm's repositories.yaml → its entries; throws with the file's problem on YAML that is not one. */
export function parseRepositoriesYaml(text: string): HelmRepositoryEntry[] {
  const doc = load(text, { schema: FAILSAFE_SCHEMA });
  const list = rec(doc).repositories;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('`repositories` is not a list');
  return list.map(rec).flatMap((e) => {
    const url = typeof e.url === 'string' ? e.url : '';
    if (!url) return [];
    const text = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined);
    return [
      {
        name: text('name') ?? '',
        url,
        ...(text('username') !== undefined ? { username: text('username') } : {}),
        ...(text('password') !== undefined ? { password: text('password') } : {}),
        ...(text('pass_credentials_all') === 'true' ? { passCredentialsAll: true } : {}),
        ...(text('caFile') !== undefined ? { caFile: text('caFile') } : {}),
        ...(text('certFile') !== undefined ? { certFile: text('certFile') } : {}),
        ...(text('keyFile') !== undefined ? { keyFile: text('keyFile') } : {}),
        ...(text('insecure_skip_tls_verify') === 'true' ? { insecureSkipTlsVerify: true } : {}),
      },
    ];
  });
}

/** What a Docker-format config (Docker's, Helm's registry config, a `.dockerconfigjson`) says for one registry. */
export type DockerConfigAnswer =
  | { type: 'basic'; username: string; password: string }
  | { type: 'helper'; helper: string }
  | { type: 'unusable'; reason: string }
  | undefined;

/**
 * The credentials a Docker-format config gives `host` (`host:port`): `credHelpers[host]`, then `auths` (keys compared
 * by host alone, as docker and oras compare `https://host/v1/` and `host`; Docker Hub's `docker.io` is
 * `index.docker.io`), then `credsStore` for any host. Throws on text that is not JSON.
 */
export function dockerConfigCredentials(json: string, host: string): DockerConfigAnswer {
  const config = rec(JSON.parse(json));
  const wanted = registryKey(host);
  const helpers = rec(config.credHelpers);
  for (const [key, helper] of Object.entries(helpers))
    if (registryKey(key) === wanted && typeof helper === 'string' && helper) return { type: 'helper', helper };
  for (const [key, value] of Object.entries(rec(config.auths))) {
    if (registryKey(key) !== wanted) continue;
    const entry = rec(value);
    if (typeof entry.auth === 'string' && entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return { type: 'unusable', reason: 'its `auth` is not base64 of user:password' };
      return { type: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (typeof entry.username === 'string' && typeof entry.password === 'string')
      return { type: 'basic', username: entry.username, password: entry.password };
    if (typeof entry.identitytoken === 'string' && entry.identitytoken)
      return { type: 'unusable', reason: 'it holds an identity token (OAuth2 refresh), which is not used' };
  }
  if (typeof config.credsStore === 'string' && config.credsStore) return { type: 'helper', helper: config.credsStore };
  return undefined;
}

/** `https://index.docker.io/v1/`, `docker.io`, `HOST:PORT/path` → the registry's host as compared. */
function registryKey(key: string): string {
  const host = key
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]
    .toLowerCase();
  return host === 'docker.io' || host === 'registry-1.docker.io' ? 'index.docker.io' : host;
}

/**
 * The user's Helm and Docker client config, read once per run (lazily, on the first chart that needs it). A file
 * that is absent is no credentials; one that cannot be read as its format is a `refused` state naming the file.
 */
export class HelmClientCredentials {
  private readonly paths: { repositories: string; registry: string; docker: string };
  private readonly texts = new Map<string, Promise<string | undefined>>();

  constructor(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform) {
    this.paths = helmClientConfigPaths(env, platform);
  }

  /** The repositories.yaml entry with the same URL (a trailing `/` ignored), or why the file cannot be read. */
  private async repositoryEntry(url: string): Promise<HelmRepositoryEntry | { refused: string } | undefined> {
    const file = this.paths.repositories;
    const text = await this.text(file);
    if (text === undefined) return undefined;
    let entries: HelmRepositoryEntry[];
    try {
      entries = parseRepositoriesYaml(text);
    } catch (e) {
      return { refused: `${file} cannot be read: ${yamlProblem(e)}` };
    }
    const wanted = url.replace(/\/+$/, '');
    return entries.find((e) => e.url.replace(/\/+$/, '') === wanted);
  }

  /** A Helm repository's credentials: the repositories.yaml entry with the same URL (a trailing `/` ignored). */
  async forHelmRepository(url: string): Promise<ResolvedCredentials | undefined> {
    const file = this.paths.repositories;
    const entry = await this.repositoryEntry(url);
    if (entry && 'refused' in entry) return { type: 'refused', from: file, reason: entry.refused };
    if (!entry || entry.username === undefined || entry.password === undefined) return undefined;
    return {
      type: 'basic',
      username: entry.username,
      password: entry.password,
      from: `${file} (repository ${entry.name})`,
      ...(entry.passCredentialsAll ? { passCredentials: true } : {}),
    };
  }

  /**
   * A Helm repository's TLS settings: its repositories.yaml entry's `caFile`, `certFile`, `keyFile` (read from the
   * paths it names) and `insecure_skip_tls_verify`, as Helm's getter applies them (the CA replaces the system's roots).
   */
  async tlsForHelmRepository(url: string): Promise<TlsSettings | { refused: string } | undefined> {
    const file = this.paths.repositories;
    const entry = await this.repositoryEntry(url);
    if (entry && 'refused' in entry) return entry;
    if (!entry || (!entry.caFile && !entry.certFile && !entry.keyFile && !entry.insecureSkipTlsVerify))
      return undefined;
    const from = `${file} (repository ${entry.name})`;
    const read: Partial<Record<'caPem' | 'certPem' | 'keyPem', string>> = {};
    for (const [field, path] of [
      ['caPem', entry.caFile],
      ['certPem', entry.certFile],
      ['keyPem', entry.keyFile],
    ] as const) {
      if (!path) continue;
      const pem = await readFile(path, 'utf8').catch(() => undefined);
      if (pem === undefined) return { refused: `${from}: its ${fileKey[field]} ${path} cannot be read` };
      read[field] = pem;
    }
    return { from, ...read, ...(entry.insecureSkipTlsVerify ? { insecureSkipVerify: true } : {}) };
  }

  /** A registry's credentials: Helm's registry config, then Docker's (Helm's registry client's fallback). */
  async forRegistry(host: string): Promise<ResolvedCredentials | undefined> {
    for (const file of [this.paths.registry, this.paths.docker]) {
      const text = await this.text(file);
      if (text === undefined) continue;
      const answer = fromDockerConfig(text, host, file);
      if (answer) return answer;
    }
    return undefined;
  }

  private text(file: string): Promise<string | undefined> {
    let known = this.texts.get(file);
    if (!known) {
      known = readFile(file, 'utf8').catch(() => undefined);
      this.texts.set(file, known);
    }
    return known;
  }
}

const fileKey = { caPem: 'caFile', certPem: 'certFile', keyPem: 'keyFile' } as const;

/** A Docker-format config's answer for `host` as credentials to send, or a reason not to. */
export function fromDockerConfig(json: string, host: string, from: string): ResolvedCredentials | undefined {
  let answer: DockerConfigAnswer;
  try {
    answer = dockerConfigCredentials(json, host);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a credential: not repeated.
    return { type: 'refused', from, reason: `${from} is not JSON` };
  }
  if (!answer) return undefined;
  if (answer.type === 'basic') return { ...answer, from };
  if (answer.type === 'helper')
    return {
      type: 'refused',
      from,
      reason: `the credentials for ${host} are kept by the credential helper docker-credential-${answer.helper} (${from}), which GitOps Drift does not run`,
    };
  return { type: 'refused', from, reason: `${from} has credentials for ${host}, but ${answer.reason}` };
}

/**
 * The controller's credentials (a Secret of the render) as credentials to send to `host`, or a reason not to; an
 * `elsewhere` Secret gives nothing (the user's config is tried next) and `undefined` means none were asked for.
 */
export function fromControllerSecret(
  credentials: ChartCredentials | undefined,
  host: string | undefined,
): ResolvedCredentials | undefined {
  if (!credentials || credentials.type === 'elsewhere') return undefined;
  if (credentials.type === 'unusable') return { type: 'refused', from: credentials.from, reason: credentials.reason };
  if (credentials.type === 'basic')
    return {
      type: 'basic',
      username: credentials.username,
      password: credentials.password,
      from: credentials.from,
      ...(credentials.passCredentials ? { passCredentials: true } : {}),
    };
  if (host === undefined)
    return {
      type: 'refused',
      from: credentials.from,
      reason: `${credentials.from}: .dockerconfigjson is for OCI only`,
    };
  const answer = fromDockerConfig(credentials.json, host, credentials.from);
  return answer ?? { type: 'refused', from: credentials.from, reason: `${credentials.from} has no entry for ${host}` };
}

/**
 * `text` with any URL's `user:password@` removed and every credential in `secrets` (and Basic's base64 of
 * `user:password`) replaced by `***`: for every message that could echo a request (fetch errors repeat URLs).
 */
export function scrubCredentials(text: string, credentials: readonly ResolvedCredentials[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1');
  for (const c of credentials) {
    if (c.type !== 'basic') continue;
    const basic = Buffer.from(`${c.username}:${c.password}`).toString('base64');
    for (const secret of [basic, c.password, encodeURIComponent(c.password)])
      if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

/** js-yaml's reason and line, without the snippet of the file it quotes (which may hold a password). */
function yamlProblem(e: unknown): string {
  const { reason, mark } = e as { reason?: string; mark?: { line?: number } };
  if (typeof reason !== 'string') return 'not YAML';
  return typeof mark?.line === 'number' ? `${reason} at line ${mark.line + 1}` : reason;
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
