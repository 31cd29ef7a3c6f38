/**
 * Argo CD repository Secrets of this repo (`argocd.argoproj.io/secret-type: repository` or `repo-creds`): the
 * credentials Argo CD's repo server pulls a chart with, matched as argo-cd v3.5.8's util/db/repository_secrets.go
 * matches them — a `repository` Secret whose `url` is the source's repoURL (git.SameURL: lower case, `.git` dropped),
 * else the `repo-creds` template whose `url` is the longest prefix of it. Only Secrets found in the repo's files are
 * read (never the cluster's). The values are kept behind a function, so no JSON of the model can hold them.
 */
import type { Document } from 'yaml';
import { isSopsEncrypted, secretStrings } from '../model/secretData';
import type { ChartCredentials } from '../ports';
import type { FileLocator } from '../yaml/yamlLocate';

/** One repository Secret: its kind, its `url`, and where it is. Its credentials only through `credentials()`. */
export interface ArgoRepositorySecret {
  type: 'repository' | 'repo-creds';
  url: string;
  /** `username`/`password` (or SOPS / none, said), read when a chart needs them. */
  credentials: () => ChartCredentials | undefined;
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
  return {
    type,
    url,
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
  const wanted = sameUrl(repoURL);
  const repository = secrets.find((s) => s.type === 'repository' && sameUrl(s.url) === wanted)?.credentials();
  if (repository) return repository;
  let best: ArgoRepositorySecret | undefined;
  for (const s of secrets)
    if (
      s.type === 'repo-creds' &&
      wanted.startsWith(sameUrl(s.url)) &&
      sameUrl(s.url).length > sameUrl(best?.url ?? '').length
    )
      best = s;
  return best?.credentials();
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
