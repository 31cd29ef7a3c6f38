/**
 * Argo CD repository Secrets of this repo (`argocd.argoproj.io/secret-type: repository` or `repo-creds`): the
 * credentials Argo CD's repo server pulls a chart with, matched as argo-cd v3.5.8's util/db/repository_secrets.go
 * matches them — a `repository` Secret whose `url` is the source's repoURL (git.SameURL: lower case, `.git` dropped),
 * else the `repo-creds` template whose `url` is the longest prefix of it. Only Secrets found in the repo's files are
 * read (never the cluster's). The values are kept behind a function, so no JSON of the model can hold them.
 *
 * TLS as Argo CD's Repository.GetHelmCreds/GetOCICreds builds it: the Secret's `tlsClientCertData` and
 * `tlsClientCertKey` (a repository Secret's own, else its repo-creds template's: CopyCredentialsFrom), `insecure`
 * (the repository Secret's only; skip verifying the server), and a CA from the `argocd-tls-certs-cm` ConfigMap's entry
 * for the repoURL's host name, which replaces the system's roots (as Argo CD's Helm client does).
 */
import type { Document } from 'yaml';
import { isSopsEncrypted, secretStrings } from '../model/secretData';
import type { ChartCredentials, ChartTls } from '../ports';
import type { FileLocator } from '../yaml/yamlLocate';

/** One repository Secret: its kind, its `url`, and where it is. Its credentials only through `credentials()`. */
export interface ArgoRepositorySecret {
  type: 'repository' | 'repo-creds';
  url: string;
  /** `username`/`password` (or SOPS / none, said), read when a chart needs them. */
  credentials: () => ChartCredentials | undefined;
  /** Its TLS fields, read when a chart needs them; `sops`: they are ciphertext. */
  tls: () => { from: string; sops: boolean; certPem?: string; keyPem?: string; insecure?: boolean | 'invalid' };
}

/** What the repo's Argo CD repository Secrets and `argocd-tls-certs-cm` give a chart's repoURL, read on demand. */
export interface ArgoChartAccess {
  credentials(repoURL: string): ChartCredentials | undefined;
  tls(repoURL: string): ChartTls | undefined;
}

/** The CA certificates of an `argocd-tls-certs-cm` ConfigMap of the repo: host name → PEM, and where it is. */
export interface ArgoTlsCerts {
  byHost: Map<string, string>;
  from: string;
}

/** An `argocd-tls-certs-cm` ConfigMap document, else undefined. */
export function argoTlsCerts(doc: Document, loc: FileLocator): ArgoTlsCerts | undefined {
  const object = doc.toJS() as Record<string, unknown> | null;
  const metadata = rec(object?.metadata);
  if (!object || object.kind !== 'ConfigMap' || metadata.name !== 'argocd-tls-certs-cm') return undefined;
  const at = loc.of(doc.contents);
  const byHost = new Map<string, string>();
  for (const [host, pem] of Object.entries(rec(object.data)))
    if (typeof pem === 'string') byHost.set(host.toLowerCase().replace(/:\d+$/, ''), pem);
  return {
    byHost,
    from: `ConfigMap ${String(metadata.namespace ?? 'argocd')}/argocd-tls-certs-cm (${at.file}:${at.line})`,
  };
}

/** A Secret document with the repository or repo-creds label, else undefined. */
export function argoRepositorySecret(doc: Document, loc: FileLocator): ArgoRepositorySecret | undefined {
  const object = doc.toJS() as Record<string, unknown> | null;
  if (!object || object.kind !== 'Secret') return undefined;
  const metadata = rec(object.metadata);
  const type = rec(metadata.labels)['argocd.argoproj.io/secret-type'];
  if (type !== 'repository' && type !== 'repo-creds') return undefined;
  const values = secretStrings(object);
  const url = values.get('url');
  if (!url) return undefined;
  const at = loc.of(doc.contents);
  const from = `Argo CD ${type} Secret ${String(metadata.namespace ?? 'argocd')}/${String(metadata.name ?? '')} (${at.file}:${at.line})`;
  const sops = isSopsEncrypted(object);
  const username = values.get('username');
  const password = values.get('password');
  const insecure = values.get('insecure');
  return {
    type,
    url,
    tls: () => ({
      from,
      sops,
      ...(values.get('tlsClientCertData') !== undefined ? { certPem: values.get('tlsClientCertData') } : {}),
      ...(values.get('tlsClientCertKey') !== undefined ? { keyPem: values.get('tlsClientCertKey') } : {}),
      // strconv.ParseBool, as Argo CD's boolOrFalse reads it (anything else is an error there).
      ...(insecure === undefined
        ? {}
        : /^(1|t|T|TRUE|true|True)$/.test(insecure)
          ? { insecure: true }
          : /^(0|f|F|FALSE|false|False)$/.test(insecure)
            ? {}
            : { insecure: 'invalid' as const }),
    }),
    credentials: () =>
      sops
        ? { type: 'unusable', from, reason: `credentials are encrypted (SOPS): ${from}` }
        : username !== undefined && password !== undefined
          ? { type: 'basic', from, username, password }
          : undefined,
  };
}

/**
 * The credentials Argo CD would use for `repoURL` (as the Application writes it): the `repository` Secret of the same
 * URL if it holds credentials, else the longest-prefix `repo-creds` template (Argo CD fills a repository without
 * credentials from its template).
 */
export function argoChartCredentials(
  secrets: readonly ArgoRepositorySecret[],
  repoURL: string,
): ChartCredentials | undefined {
  const { repository, template } = matchingSecrets(secrets, repoURL);
  return repository?.credentials() ?? template?.credentials();
}

/** The repository Secret of `repoURL`'s URL, and the longest-prefix repo-creds template. */
function matchingSecrets(
  secrets: readonly ArgoRepositorySecret[],
  repoURL: string,
): { repository?: ArgoRepositorySecret; template?: ArgoRepositorySecret } {
  const wanted = sameUrl(repoURL);
  const repository = secrets.find((s) => s.type === 'repository' && sameUrl(s.url) === wanted);
  let template: ArgoRepositorySecret | undefined;
  for (const s of secrets)
    if (
      s.type === 'repo-creds' &&
      wanted.startsWith(sameUrl(s.url)) &&
      sameUrl(s.url).length > sameUrl(template?.url ?? '').length
    )
      template = s;
  return { ...(repository ? { repository } : {}), ...(template ? { template } : {}) };
}

/**
 * The TLS settings Argo CD would use for `repoURL`: the client certificate and key of its repository Secret, each
 * else its repo-creds template's; the repository Secret's `insecure`; the CA `argocd-tls-certs-cm` holds for its host.
 * Undefined when none of these is set.
 */
export function argoChartTls(
  secrets: readonly ArgoRepositorySecret[],
  certs: readonly ArgoTlsCerts[],
  repoURL: string,
): ChartTls | undefined {
  const { repository, template } = matchingSecrets(secrets, repoURL);
  const own = repository?.tls();
  const inherited = template?.tls();
  const certFrom = own?.certPem !== undefined ? own : inherited?.certPem !== undefined ? inherited : undefined;
  const keyFrom = own?.keyPem !== undefined ? own : inherited?.keyPem !== undefined ? inherited : undefined;
  const host = hostOf(repoURL);
  const ca = host ? certs.find((c) => c.byHost.has(host)) : undefined;
  const from = [
    ...new Set([certFrom?.from, keyFrom?.from, own?.insecure ? own.from : undefined, ca?.from].filter(Boolean)),
  ].join(', ');
  if (!from) return undefined;
  for (const part of [certFrom, keyFrom])
    if (part?.sops) return { type: 'unusable', from, reason: `TLS settings are encrypted (SOPS): ${part.from}` };
  if (own?.insecure === 'invalid')
    return { type: 'unusable', from, reason: `${own.from}: \`insecure\` is not a boolean (true or false)` };
  if ((certFrom === undefined) !== (keyFrom === undefined))
    return {
      type: 'unusable',
      from,
      reason: `${(certFrom ?? keyFrom)!.from} has ${certFrom ? 'tlsClientCertData but no tlsClientCertKey' : 'tlsClientCertKey but no tlsClientCertData'}`,
    };
  return {
    type: 'tls',
    from,
    ...(ca ? { caPem: ca.byHost.get(host!) } : {}),
    ...(certFrom && keyFrom ? { certPem: certFrom.certPem, keyPem: keyFrom.keyPem } : {}),
    ...(own?.insecure === true ? { insecureSkipVerify: true } : {}),
  };
}

/** The host name of a repoURL as Argo CD's getCAPath reads it (`oci://`, `https://` or no scheme), lower case. */
function hostOf(repoURL: string): string | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(repoURL.trim());
  return m?.[1]?.toLowerCase();
}

/** Argo CD's NormalizeGitURL for an http(s) or scheme-less URL: trimmed, lower case, without `.git`. */
function sameUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/\.git$/, '');
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
