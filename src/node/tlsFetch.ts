/**
 * TLS client settings for chart downloads (issue #16's limits): Node's global fetch takes no CA, client certificate
 * or `rejectUnauthorized`, so an https request with settings goes through node:https and comes back as a fetch
 * `Response` (redirects are not followed: the chart adapters follow them by hand). The PEM texts are checked before
 * any request, and a problem names where they came from, never what they hold.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { ChartTls } from '../core/ports';

/**
 * What one repository's https requests are made with (from a controller's Secret or the user's Helm config): the
 * port's usable ChartTls. `from` (a Secret, a ConfigMap, repositories.yaml) is the only part a message names.
 */
export type TlsSettings = Omit<Extract<ChartTls, { type: 'tls' }>, 'type'>;

/** Why settings cannot be used (a PEM that is not one, a key that is not the certificate's), else undefined. */
export function tlsSettingsProblem(settings: TlsSettings): string | undefined {
  if (settings.caPem !== undefined) {
    const certs = pemBlocks(settings.caPem, 'CERTIFICATE');
    if (!certs.length) return `${settings.from}: the CA is not a PEM certificate`;
    for (const pem of certs)
      try {
        new X509Certificate(pem);
      } catch {
        return `${settings.from}: the CA is not a PEM certificate`;
      }
  }
  if ((settings.certPem === undefined) !== (settings.keyPem === undefined))
    return `${settings.from}: a client certificate needs both its certificate and its key`;
  if (settings.certPem !== undefined && settings.keyPem !== undefined) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(settings.certPem);
    } catch {
      return `${settings.from}: the client certificate is not a PEM certificate`;
    }
    try {
      // Node's message could quote nothing of the key, but it is not repeated anyway.
      if (!cert.checkPrivateKey(createPrivateKey(settings.keyPem)))
        return `${settings.from}: the client key is not the client certificate's key`;
    } catch {
      return `${settings.from}: the client key is not a PEM private key`;
    }
  }
  return undefined;
}

/** The `-----BEGIN TYPE-----` … `-----END TYPE-----` blocks of a PEM text. */
function pemBlocks(text: string, type: string): string[] {
  return text.match(new RegExp(`-----BEGIN ${type}-----[\\s\\S]*?-----END ${type}-----`, 'g')) ?? [];
}

/**
 * A fetch for one repository's settings: https URLs with them, any other through `plain` (Node's fetch). Checked
 * first with tlsSettingsProblem.
 */
export function fetchWithTls(settings: TlsSettings, plain: typeof fetch = fetch): typeof fetch {
  const ca =
    settings.caPem === undefined
      ? undefined
      : settings.addSystemCAs
        ? [...rootCertificates, ...pemBlocks(settings.caPem, 'CERTIFICATE')]
        : pemBlocks(settings.caPem, 'CERTIFICATE');
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
    if (url.protocol !== 'https:') return plain(input, init);
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const signal = init?.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          ...(ca ? { ca } : {}),
          ...(settings.certPem !== undefined && settings.keyPem !== undefined
            ? { cert: settings.certPem, key: settings.keyPem }
            : {}),
          rejectUnauthorized: !settings.insecureSkipVerify,
          // One connection per request: an agent would pool sockets across different settings.
          agent: false,
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined)
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
          const noBody = status === 204 || status === 304 || (init?.method ?? 'GET') === 'HEAD';
          if (noBody) res.resume();
          const response = new Response(
            noBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>),
            { status, statusText: res.statusMessage ?? '', headers: responseHeaders },
          );
          Object.defineProperty(response, 'url', { value: url.toString() });
          resolve(response);
        },
      );
      req.on('error', (e: Error & { code?: string }) => {
        // The shape fetch rejects with: a TypeError whose cause carries the code (chartSource.ts reads it).
        if (e.name === 'AbortError' && signal?.reason instanceof Error) reject(signal.reason);
        else reject(Object.assign(new TypeError('fetch failed'), { cause: e }));
      });
      req.end();
    });
  }) as typeof fetch;
}

/** A TLS failure's code → what it means for a chart repository (the settings that would change it). */
export function tlsFailureHint(code: string | undefined): string | undefined {
  if (!code) return undefined;
  if (
    /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/.test(
      code,
    )
  )
    return `its certificate is not signed by a trusted CA (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `its certificate is not for this host name (${code})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `its certificate is not valid now (${code})`;
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|ERR_SSL_TLSV1_ALERT/.test(code))
    return `it refused the TLS handshake, which a server requiring a client certificate does (${code})`;
  return undefined;
}
