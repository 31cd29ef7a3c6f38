import { strict as assert } from 'node:assert';
import { decodeText, firstInvalidUtf8 } from '../../../src/core/decodeText';
import { describeReadError, type FileError } from '../../../src/core/fileErrors';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))));

function utf16(text: string, bigEndian: boolean): Uint8Array {
  const le = Buffer.from(text, 'utf16le');
  if (bigEndian) le.swap16();
  return bytes(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe], [...le]);
}

function refusal(input: Uint8Array): FileError {
  try {
    decodeText(input);
  } catch (e) {
    return e as FileError;
  }
  assert.fail('decoded invalid text');
}

describe('decodeText: file bytes to text as go-yaml (kustomize) reads them', () => {
  it('reads UTF-8 and drops a UTF-8 byte-order mark', () => {
    assert.equal(decodeText(bytes('a: é\n')), 'a: é\n');
    assert.equal(decodeText(bytes([0xef, 0xbb, 0xbf], 'a: 1\n')), 'a: 1\n');
  });

  it('decodes UTF-16 LE and BE after their byte-order mark', () => {
    const text = 'kind: ConfigMap\ndata:\n  a: bé 😀\n';
    assert.equal(decodeText(utf16(text, false)), text);
    assert.equal(decodeText(utf16(text, true)), text);
  });

  it('refuses invalid UTF-8 with the line and column of the first bad byte, instead of U+FFFD', () => {
    const e = refusal(bytes('a: 1\nb: "x', [0xff, 0xfe], '"\n'));
    assert.equal(e.code, 'EILSEQ');
    assert.equal(e.line, 2);
    assert.equal(e.column, 6);
    assert.match(e.message, /invalid UTF-8 \(byte 0xff\)/);
    assert.equal(describeReadError(e), 'line 2, column 6: invalid UTF-8 (byte 0xff); kustomize refuses it too');
  });

  it('refuses truncated, overlong and surrogate sequences', () => {
    for (const bad of [
      [0xc3],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      const e = refusal(bytes('ok', bad));
      assert.equal(e.code, 'EILSEQ', JSON.stringify(bad));
      assert.equal(firstInvalidUtf8(bytes('ok', bad)), 2, JSON.stringify(bad));
    }
  });

  it('refuses UTF-16 with an odd number of bytes or an unpaired surrogate', () => {
    assert.equal(refusal(bytes([0xff, 0xfe, 0x61, 0x00, 0x62])).code, 'EILSEQ');
    assert.equal(refusal(bytes([0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00])).code, 'EILSEQ');
  });
});
