/**
 * File bytes to text as kustomize reads YAML (go-yaml's reader): UTF-8, with a UTF-8 byte-order mark dropped, or
 * UTF-16 LE/BE when the file starts with that byte-order mark. Invalid UTF-8 is refused at its line instead of
 * becoming U+FFFD, as go-yaml refuses it (`invalid leading UTF-8 octet`).
 */
import { fileError } from './fileErrors';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });

/** The text of a file's bytes; throws an EILSEQ FileError (with line and column) when they are not valid text. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)))
    return decodeUtf16(bytes, bytes[0] === 0xfe);
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = start ? bytes.subarray(start) : bytes;
  try {
    return utf8.decode(body);
  } catch {
    const at = firstInvalidUtf8(body);
    const { line, column } = position(body, at);
    throw fileError(
      'EILSEQ',
      `invalid UTF-8 (byte 0x${body[at].toString(16).padStart(2, '0')}); kustomize refuses it too`,
      { line, column },
    );
  }
}

function decodeUtf16(bytes: Uint8Array, bigEndian: boolean): string {
  let body = bytes.subarray(2);
  if (body.length % 2 === 1)
    throw fileError('EILSEQ', 'invalid UTF-16: an odd number of bytes after the byte-order mark', { line: 0 });
  if (bigEndian) {
    const swapped = new Uint8Array(body.length);
    for (let i = 0; i < body.length; i += 2) {
      swapped[i] = body[i + 1];
      swapped[i + 1] = body[i];
    }
    body = swapped;
  }
  try {
    return utf16le.decode(body);
  } catch {
    throw fileError('EILSEQ', `invalid UTF-16${bigEndian ? 'BE' : 'LE'}: an unpaired surrogate`, { line: 0 });
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence (only called on invalid input). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length - 1;
}

/** 1-based line and column (in bytes) of an offset. */
function position(b: Uint8Array, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}
