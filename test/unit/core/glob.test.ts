import assert from 'node:assert/strict';
import { GlobSet, globToRegExp } from '../../../src/core/glob';

describe('globs (src/core/glob.ts)', () => {
  it('names and keys: * runs across /, ? is one character, everything else is literal', () => {
    const re = globToRegExp('kubectl.kubernetes.io/*');
    assert.ok(re.test('kubectl.kubernetes.io/last-applied-configuration'));
    assert.ok(!re.test('kubectlXkubernetes.io/x'), 'a dot is a dot');
    assert.ok(globToRegExp('web-*').test('web-a/b'));
    assert.ok(globToRegExp('app-?').test('app-1') && !globToRegExp('app-?').test('app-12'));
    assert.ok(globToRegExp('[a]').test('[a]') && !globToRegExp('[a]').test('a'), 'no character classes in names');
  });

  it("folder paths: Go's path.Match, where * and ? stop at / and [...] is a class", () => {
    const re = globToRegExp('apps/*', { path: true });
    assert.ok(re.test('apps/web'));
    assert.ok(!re.test('apps/web/overlay'));
    assert.ok(
      globToRegExp('env-[ab]', { path: true }).test('env-a') && !globToRegExp('env-[ab]', { path: true }).test('env-c'),
    );
    assert.ok(
      globToRegExp('env-[!ab]', { path: true }).test('env-c') &&
        !globToRegExp('env-[!ab]', { path: true }).test('env-a'),
    );
    assert.ok(globToRegExp('odd[', { path: true }).test('odd['), 'an unclosed [ is literal');
    assert.ok(!globToRegExp('a?c', { path: true }).test('a/c'));
  });

  it('GlobSet matches exact names without a pattern and globs with one', () => {
    const set = new GlobSet(['exact', 'pre-*']);
    assert.ok(set.matches('exact') && set.matches('pre-x'));
    assert.ok(!set.matches('exactly') && !set.matches('x-pre-'));
  });
});
