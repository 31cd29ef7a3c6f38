import { strict as assert } from 'node:assert';
import { proxyFromEnv } from '../../../../src/node/kubeProxy';

describe('proxyFromEnv (Go net/http rules)', () => {
  const https = new URL('https://api.prod.example.com:6443');
  it('uses HTTPS_PROXY for https servers and HTTP_PROXY for http ones, either case', () => {
    assert.equal(proxyFromEnv(https, { HTTPS_PROXY: 'http://proxy:3128' }), 'http://proxy:3128');
    assert.equal(proxyFromEnv(https, { https_proxy: 'proxy:3128' }), 'http://proxy:3128');
    assert.equal(proxyFromEnv(https, { HTTP_PROXY: 'http://proxy:3128' }), undefined);
    assert.equal(
      proxyFromEnv(new URL('http://api.example.com:8080'), { HTTP_PROXY: 'socks5://s:1080' }),
      'socks5://s:1080',
    );
  });
  it('never proxies loopback, and honours NO_PROXY domains, ports, IPs, CIDRs and *', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128' };
    assert.equal(proxyFromEnv(new URL('https://127.0.0.1:6443'), env), undefined);
    assert.equal(proxyFromEnv(new URL('https://localhost:6443'), env), undefined);
    assert.equal(proxyFromEnv(new URL('https://[::1]:6443'), env), undefined);
    assert.equal(proxyFromEnv(https, { ...env, NO_PROXY: 'example.com' }), undefined);
    assert.equal(proxyFromEnv(https, { ...env, no_proxy: '.prod.example.com' }), undefined);
    assert.equal(proxyFromEnv(https, { ...env, NO_PROXY: 'notexample.com,other.org' }), 'http://proxy:3128');
    assert.equal(proxyFromEnv(https, { ...env, NO_PROXY: 'api.prod.example.com:443' }), 'http://proxy:3128');
    assert.equal(proxyFromEnv(https, { ...env, NO_PROXY: 'api.prod.example.com:6443' }), undefined);
    assert.equal(proxyFromEnv(new URL('https://10.1.2.3'), { ...env, NO_PROXY: '10.0.0.0/8' }), undefined);
    assert.equal(
      proxyFromEnv(new URL('https://11.1.2.3'), { ...env, NO_PROXY: '10.0.0.0/8,10.1.2.3' }),
      'http://proxy:3128',
    );
    assert.equal(proxyFromEnv(https, { ...env, NO_PROXY: '*' }), undefined);
  });
});
