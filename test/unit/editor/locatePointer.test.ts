import * as assert from 'node:assert/strict';
import { locatePointer } from '../../../src/core/editor/locatePointer';

const text = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: a',
  'data:',
  '  x: "1"',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  replicas: 2',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: web',
  '          image: shop/web:1.0',
  '          env:',
  '            - {name: A, value: a/b}',
].join('\n');

describe('locatePointer', () => {
  it('finds a value in the document that contains the line', () => {
    assert.deepEqual(locatePointer(text, 8, '/spec/replicas'), { line: 13, column: 13, value: 2 });
    assert.deepEqual(locatePointer(text, 1, '/data/x'), { line: 6, column: 6, value: '1' });
    assert.deepEqual(locatePointer(text, 9, '/spec/template/spec/containers/0/image'), {
      line: 18,
      column: 18,
      value: 'shop/web:1.0',
    });
    assert.equal(locatePointer(text, 9, '/spec/template/spec/containers/0/env/0/value')?.value, 'a/b');
  });

  it('says undefined when the document does not set the field', () => {
    assert.equal(locatePointer(text, 1, '/spec/replicas'), undefined);
    assert.equal(locatePointer(text, 9, '/spec/template/spec/containers/3/image'), undefined);
    assert.equal(locatePointer(text, 9, '/spec/replicas/0'), undefined);
  });

  it('gives a structure its start without a value', () => {
    assert.deepEqual(locatePointer(text, 9, '/spec/template'), { line: 15, column: 5 });
  });
});
