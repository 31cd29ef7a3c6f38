import assert from 'node:assert/strict';
import { EMPTY_PAYLOAD_SHA256, encodeS3Path, s3Query, signS3Request } from '../../../src/node/s3Signature';

/**
 * AWS's own worked examples of Signature V4 for S3 ("Authenticating Requests: Using the Authorization Header",
 * examples GET Object and GET Bucket): the same credentials, time and request must give AWS's signatures.
 */
describe('AWS Signature V4 for S3 requests', () => {
  const credentials = { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const now = new Date('2013-05-24T00:00:00Z');

  it("GET Bucket Lifecycle (a query key without a value): AWS's example signature; the payload's hash is sent", () => {
    const headers = signS3Request({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/?lifecycle'),
      region: 'us-east-1',
      ...credentials,
      now,
    });
    assert.equal(
      headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;x-amz-content-sha256;x-amz-date, ' +
        'Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    );
    assert.equal(headers['x-amz-date'], '20130524T000000Z');
    assert.equal(headers['x-amz-content-sha256'], EMPTY_PAYLOAD_SHA256);
    assert.equal(headers.host, undefined, 'fetch sets Host itself');
  });

  it("GET Bucket (a listing with a query): AWS's example signature, whatever the query's order", () => {
    for (const query of ['?max-keys=2&prefix=J', '?prefix=J&max-keys=2']) {
      const headers = signS3Request({
        method: 'GET',
        url: new URL(`https://examplebucket.s3.amazonaws.com/${query}`),
        region: 'us-east-1',
        ...credentials,
        now,
      });
      assert.match(
        headers.authorization,
        /SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/,
      );
    }
  });

  it('another secret, region or path gives another signature; the secret never appears in the headers', () => {
    const base = { method: 'GET', url: new URL('https://h/b/k'), region: 'us-east-1', ...credentials, now };
    const signature = (input: typeof base) => /Signature=(\w+)/.exec(signS3Request(input).authorization)?.[1];
    const first = signature(base);
    assert.notEqual(signature({ ...base, secretKey: 'other' }), first);
    assert.notEqual(signature({ ...base, region: 'eu-west-1' }), first);
    assert.notEqual(signature({ ...base, url: new URL('https://h/b/k2') }), first);
    assert.ok(!JSON.stringify(signS3Request(base)).includes(credentials.secretKey));
  });

  it('paths and queries are encoded as S3 signs them (RFC 3986, slashes kept in paths)', () => {
    assert.equal(encodeS3Path("charts/my chart/it's+(1).yaml"), 'charts/my%20chart/it%27s%2B%281%29.yaml');
    assert.equal(s3Query({ 'list-type': '2', prefix: 'a b/*' }), '?list-type=2&prefix=a%20b%2F%2A');
  });
});
