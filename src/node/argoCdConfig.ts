/**
 * The argocd CLI's own config file, read as the argocd CLI reads it (argo-cd util/localconfig): the folder is
 * $ARGOCD_CONFIG_DIR, else `~/.argocd` when it exists (the legacy place), else `$XDG_CONFIG_HOME/argocd`, else
 * `~/.config/argocd`; the file `config` in it is YAML with `current-context`, `contexts` (name, server, user),
 * `servers` (server, insecure, plain-text, grpc-web-root-path, certificate-authority-data, client certificate) and
 * `users` (name, auth-token). `$ARGOCD_AUTH_TOKEN` overrides the token, as with the argocd CLI. The token is returned
 * to be sent; nothing here prints it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ArgoCdServerOptions } from './argoCdClient';

/** The argocd CLI's config folder. */
export function argoCdConfigDir(env: NodeJS.ProcessEnv): string {
  if (env.ARGOCD_CONFIG_DIR) return env.ARGOCD_CONFIG_DIR;
  const home = env.HOME || homedir();
  const legacy = join(home, '.argocd');
  if (existsSync(legacy)) return legacy;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'argocd');
  return join(home, '.config', 'argocd');
}

/**
 * How to reach `server` as the argocd CLI's config says (its CA, client certificate, insecure, plain-text), for a
 * token kept elsewhere (the editor's SecretStorage). Nothing when the config does not know the server or is unreadable.
 */
export function argoCdTlsFromConfig(env: NodeJS.ProcessEnv, server: string): Omit<ArgoCdServerOptions, 'token'> {
  try {
    const { token: _token, ...tls } = argoCdServerFromConfig({ ...env, ARGOCD_AUTH_TOKEN: 'unused' }, server);
    return tls;
  } catch {
    return { server };
  }
}

/**
 * The server to use and its token: `server` (as given to `--argocd-server`, matched against the config's servers
 * with and without a scheme), else the config's current context. Throws an Error naming the file and what is
 * missing (never the token).
 */
export function argoCdServerFromConfig(env: NodeJS.ProcessEnv, server?: string): ArgoCdServerOptions {
  const file = join(argoCdConfigDir(env), 'config');
  let config: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (text !== undefined) {
    try {
      const parsed = parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
      else if (parsed !== null && parsed !== undefined) throw new Error('not a mapping');
    } catch (e) {
      throw new Error(`${file}: not an argocd config: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const list = (key: string) =>
    Array.isArray(config[key])
      ? (config[key] as unknown[]).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object')
      : [];
  const contexts = list('contexts');
  const servers = list('servers');
  const users = list('users');
  const bare = (s: string) => s.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  let context: Record<string, unknown> | undefined;
  if (server) context = contexts.find((c) => typeof c.server === 'string' && bare(c.server) === bare(server));
  else {
    const current = config['current-context'];
    context = contexts.find((c) => c.name === current);
    if (!context)
      throw new Error(
        text === undefined
          ? `no Argo CD server: ${file} does not exist (run argocd login, or pass --argocd-server with ARGOCD_AUTH_TOKEN)`
          : `${file} has no current context${typeof current === 'string' && current ? ` named ${current}` : ''} (run argocd login, or pass --argocd-server)`,
      );
  }
  const serverName = server ?? String(context!.server ?? '');
  const entry = servers.find((s) => typeof s.server === 'string' && bare(s.server) === bare(serverName)) ?? {};
  const user = context ? users.find((u) => u.name === context!.user) : undefined;
  const token = env.ARGOCD_AUTH_TOKEN || (typeof user?.['auth-token'] === 'string' ? user['auth-token'] : undefined);
  if (!token)
    throw new Error(
      `no token for Argo CD at ${bare(serverName)}: ${context ? `${file} holds none for user ${String(context.user ?? '')}` : `${file} has no context for it`} (run argocd login ${bare(serverName)}, or set ARGOCD_AUTH_TOKEN)`,
    );
  const pem = (key: string) =>
    typeof entry[key] === 'string' && entry[key]
      ? Buffer.from(entry[key] as string, 'base64').toString('utf8')
      : undefined;
  const ca = pem('certificate-authority-data');
  const clientCert = pem('client-certificate-data');
  const clientKey = pem('client-certificate-key-data');
  return {
    server: serverName,
    token,
    ...(entry['plain-text'] === true ? { plainText: true } : {}),
    ...(entry.insecure === true ? { insecure: true } : {}),
    ...(ca ? { ca } : {}),
    ...(clientCert ? { clientCert } : {}),
    ...(clientKey ? { clientKey } : {}),
  };
}
