import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/core/model/resource';
import { compareObjects } from './compareObjects';

// The comparator is what makes a conformance pass mean something: prove it catches each kind of difference.
describe('conformance harness: compareObjects', () => {
  const cm = (name: string, data: Record<string, unknown>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data,
  });

  it('accepts equal objects whatever the key order inside maps', () => {
    const a = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: '1', y: '2' } } };
    const b = { kind: 'ConfigMap', metadata: { labels: { y: '2', x: '1' }, name: 'a' }, apiVersion: 'v1' };
    assert.equal(compareObjects([a], [b]), undefined);
  });

  it('reports a scalar typed differently ("1" vs 1) with a line diff', () => {
    const diff = compareObjects([cm('a', { n: '1' })], [cm('a', { n: 1 })]);
    assert.match(diff ?? '', /v1 ConfigMap a differs/);
    assert.match(diff ?? '', /^-  n: "1"$/m);
    assert.match(diff ?? '', /^\+  n: 1$/m);
  });

  it('reports order, missing and extra objects', () => {
    assert.match(
      compareObjects([cm('a', {}), cm('b', {})], [cm('b', {}), cm('a', {})]) ?? '',
      /objects or order differ/,
    );
    assert.match(compareObjects([cm('a', {}), cm('b', {})], [cm('a', {})]) ?? '', /^-v1 ConfigMap b$/m);
    assert.match(compareObjects([cm('a', {})], [cm('a', {}), cm('c', {})]) ?? '', /^\+v1 ConfigMap c$/m);
  });

  it('shows the data behind a differing generator hash suffix', () => {
    const diff = compareObjects([cm('conf-5g6db9g69m', { a: '1' })], [cm('conf-c64b6mbcb8', { a: '2' })]) ?? '';
    assert.match(diff, /v1 ConfigMap conf-5g6db9g69m \(ours: v1 ConfigMap conf-c64b6mbcb8\) differs/);
    assert.match(diff, /^\+  a: "2"$/m);
  });

  it('never prints a Secret value, yet shows which key differs', () => {
    const secret = (v: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: v, same: 'eA==' },
    });
    const diff = compareObjects([secret('c2VjcmV0LW9uZQ==')], [secret('c2VjcmV0LXR3bw==')]) ?? '';
    assert.match(diff, /^-  password: <redacted sha256:[0-9a-f]{12}>$/m);
    assert.doesNotMatch(diff, /c2VjcmV0/);
    assert.doesNotMatch(diff, /^[-+] +same:/m);
  });
});
