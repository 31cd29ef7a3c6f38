/**
 * AWS Signature Version 4 for the S3 requests of a Flux `Bucket` chart source (GET only, headers signed: host,
 * x-amz-content-sha256, x-amz-date), as AWS documents it ("Create a signed AWS API request") and S3 takes it: the
 * path URI-encoded once, the query sorted and encoded, the payload's SHA-256 in x-amz-content-sha256. Written here
 * rather than taken from the `aws4` npm package (not among the product's dependencies): this is the whole of what the
 * bucket source needs, checked against AWS's own example and against the test bed's S3 server, which re-signs each
 * request with the AWS SDK for Go's signer. The secret key only enters the HMAC; it is never returned or logged.
 */
import { createHash, createHmac } from 'node:crypto';

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
  /** More headers to sign (lower-case names). */
  headers?: Record<string, string>;
}

/** The headers to send: the signed ones and `authorization`. */
export function signS3Request(input: SignatureInput): Record<string, string> {
  const amzDate = (input.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payload = input.payloadSha256 ?? EMPTY_PAYLOAD_SHA256;
  const service = input.service ?? 's3';
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.url.host,
    'x-amz-content-sha256': payload,
    'x-amz-date': amzDate,
  };
  const names = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method,
    input.url.pathname || '/',
    canonicalQuery(input.url.search),
    names.map((n) => `${n}:${lower[n].trim().replace(/\s+/g, ' ')}\n`).join(''),
    signedHeaders,
    payload,
  ].join('\n');
  const scope = `${day}/${input.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${input.secretKey}`, day);
  for (const part of [input.region, service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const { host: _host, ...sent } = headers;
  return {
    ...sent,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
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

function canonicalQuery(search: string): string {
  if (!search || search === '?') return '';
  return search
    .slice(1)
    .split('&')
    .map((pair) => {
      const [k, v = ''] = pair.split('=');
      // Re-encoded from its decoded form, so the signed text is canonical whatever the URL kept.
      return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))];
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
