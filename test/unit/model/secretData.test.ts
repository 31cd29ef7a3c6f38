import assert from 'node:assert/strict';
import { isSopsEncrypted, secretStrings } from '../../../src/core/model/secretData';

describe('a Secret of the render read as its controller reads it', () => {
  it('decodes data, lets stringData win over it, and leaves out a value that is not base64', () => {
    const values = secretStrings({
      data: { username: 'YWRt\naW4=', password: 'b2xk', broken: '%%%' },
      stringData: { password: 'new' },
    });
    assert.deepEqual(Object.fromEntries(values), { username: 'admin', password: 'new' });
  });

  it('takes a sops block or an ENC[…] value, in data or stringData, as encrypted', () => {
    assert.equal(isSopsEncrypted({ data: { a: 'YQ==' } }), false);
    assert.equal(isSopsEncrypted({ data: { a: 'YQ==' }, sops: { version: '3.9' } }), true);
    assert.equal(isSopsEncrypted({ data: { a: 'ENC[AES256_GCM,data:x]' } }), true);
    assert.equal(isSopsEncrypted({ stringData: { a: 'ENC[AES256_GCM,data:x]' } }), true);
  });
});
