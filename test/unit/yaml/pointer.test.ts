import assert from 'node:assert/strict';
import {
  childPointer,
  escapeSegment,
  lastSegment,
  parentPointer,
  pointerSegments,
  unescapeSegment,
  valueAt,
} from '../../../src/core/yaml/pointer';

describe('JSON pointers (RFC 6901)', () => {
  it('escapes ~ before / and unescapes in the reverse order, so ~01 and ~10 survive a round trip', () => {
    assert.equal(escapeSegment('kubectl.kubernetes.io/last-applied'), 'kubectl.kubernetes.io~1last-applied');
    assert.equal(escapeSegment('a~b'), 'a~0b');
    assert.equal(escapeSegment('~1'), '~01');
    for (const segment of ['plain', 'a/b', 'a~b', '~1', '~0', '/~/', ''])
      assert.equal(unescapeSegment(escapeSegment(segment)), segment);
    assert.equal(unescapeSegment('~01'), '~1');
  });

  it('builds and splits pointers with the same escaping', () => {
    const pointer = childPointer(childPointer(childPointer('', 'metadata'), 'annotations'), 'example.com/a~b');
    assert.equal(pointer, '/metadata/annotations/example.com~1a~0b');
    assert.deepEqual(pointerSegments(pointer), ['metadata', 'annotations', 'example.com/a~b']);
    assert.equal(lastSegment(pointer), 'example.com/a~b');
    assert.equal(parentPointer(pointer), '/metadata/annotations');
    assert.equal(childPointer('/spec/containers', 0), '/spec/containers/0');
    assert.deepEqual(pointerSegments(''), []);
  });

  it('reads values through escaped keys and list indexes', () => {
    const doc = { metadata: { labels: { 'app.kubernetes.io/name': 'web' } }, spec: { ports: [{ port: 80 }] } };
    assert.equal(valueAt(doc, '/metadata/labels/app.kubernetes.io~1name'), 'web');
    assert.equal(valueAt(doc, '/spec/ports/0/port'), 80);
    assert.equal(valueAt(doc, '/spec/ports/1/port'), undefined);
    assert.equal(valueAt(doc, '/metadata/labels/app.kubernetes.io~1name/deeper'), undefined);
  });
});
