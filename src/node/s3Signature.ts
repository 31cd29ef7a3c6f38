/**
 * AWS Signature Version 4 for the S3 requests of a Flux `Bucket` chart source (GET only), signed by the `aws4` package:
 * the headers signed are host, x-amz-content-sha256 (the payload's SHA-256) and x-amz-date, plus those given. Checked
 * against AWS's own example and against the test bed's S3 server, which re-signs each request with the AWS SDK for
 * Go's signer. The secret key only enters the HMAC; it is never returned or logged.
 */
import { sign } from 'aws4';

/** SHA-256 of an empty payload (a GET's). */
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignatureInput {
  method: string;
  /** The URL as it will be sent: its path and query already encoded by `encodeS3Path`/`s3Query`. */
  url: URL;
  region: string;
  /** Default `s3`. */
  service?: string;
  accessKey: string;
  secretKey: string;
  /** The signing time; default now. */
  now?: Date;
  /** Default the SHA-256 of an empty payload. */
  payloadSha256?: string;
  /** More headers to sign (lower-case names; aws4 never signs `range`, `user-agent` and a few others). */
  headers?: Record<string, string>;
}

/** The headers to send: the signed ones and `authorization` (lower-case names; no `host`: fetch sets it). */
export function signS3Request(input: SignatureInput): Record<string, string> {
  const amzDate = (input.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const signed = sign(
    {
      method: input.method,
      host: input.url.host,
      path: `${input.url.pathname || '/'}${input.url.search}`,
      service: input.service ?? 's3',
      region: input.region,
      headers: {
        ...input.headers,
        'x-amz-content-sha256': input.payloadSha256 ?? EMPTY_PAYLOAD_SHA256,
        'x-amz-date': amzDate,
      },
    },
    { accessKeyId: input.accessKey, secretAccessKey: input.secretKey },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {}))
    if (name.toLowerCase() !== 'host') headers[name.toLowerCase()] = String(value);
  return headers;
}

/** RFC 3986 encoding, as SigV4 wants it (only A–Z a–z 0–9 - _ . ~ left as they are). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object key as an S3 path: each `/`-separated part encoded, the slashes kept. */
export function encodeS3Path(key: string): string {
  return key.split('/').map(uriEncode).join('/');
}

/** A query string (`?a=b&c=d`) of `params`, encoded as it is signed. */
export function s3Query(params: Record<string, string>): string {
  const parts = Object.entries(params).map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
