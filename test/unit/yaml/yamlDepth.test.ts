import assert from 'node:assert/strict';
import { MAX_YAML_DEPTH, tooDeepAt } from '../../../src/core/yaml/yamlDepth';

describe('YAML nesting depth (go-yaml refuses more than 10,000 levels)', () => {
  const deep = (n: number) => `x: ${'['.repeat(n)}${']'.repeat(n)}\n`;

  it('finds the bracket that goes one level too deep, and accepts the limit itself', () => {
    assert.equal(tooDeepAt(deep(MAX_YAML_DEPTH)), undefined);
    assert.equal(tooDeepAt(deep(MAX_YAML_DEPTH + 1)), 3 + MAX_YAML_DEPTH);
    assert.equal(tooDeepAt(`a: {b: ${deep(100_000).slice(3)}}`), 7 + MAX_YAML_DEPTH - 1);
  });

  it('does not count brackets in quoted scalars or comments, nor many brackets that do not nest', () => {
    const n = MAX_YAML_DEPTH + 5;
    assert.equal(tooDeepAt(`a: "${'['.repeat(n)}"\nb: '${'{'.repeat(n)}'\n# ${'['.repeat(n)}\n`), undefined);
    assert.equal(tooDeepAt(`list: ${'[1], '.repeat(n)}\n`), undefined);
    // An apostrophe inside a plain scalar is no quote: the nesting after it still counts.
    assert.equal(typeof tooDeepAt(`a: don't\nb: ${'['.repeat(n)}\n`), 'number');
  });
});
