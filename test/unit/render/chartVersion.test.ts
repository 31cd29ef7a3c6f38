import assert from 'node:assert/strict';
import {
  newestMatching,
  parseChartVersion,
  parseChartVersionConstraint,
} from '../../../src/core/render/helm/chartVersion';

/**
 * Constraint rows as Masterminds semver v3 (Helm's and source-controller's library) answers them: its README's
 * examples and the cases where npm's semver answers differently (`,` is AND, `1.2` is the whole minor, prereleases
 * only for constraints naming one, `^0.0.x`).
 */
const rows: [constraint: string, version: string, matches: boolean][] = [
  ['1.2.3', '1.2.3', true],
  ['1.2.3', '1.2.4', false],
  ['=1.2', '1.2.9', true],
  ['1.2', '1.3.0', false],
  ['1.2.x', '1.2.0', true],
  ['1.x', '1.9.9', true],
  ['1.x', '2.0.0', false],
  ['*', '3.0.0', true],
  ['*', '3.0.0-rc.1', false],
  ['>=1.2.3-0', '1.3.0-rc.1', true],
  ['>=1.2, <2', '1.9.0', true],
  ['>=1.2, <2', '2.0.0', false],
  ['>=1.2 <2', '2.0.0', false],
  ['>= 1.2, < 2', '1.5.0', true],
  ['<1.0.0 || >=3', '3.1.0', true],
  ['<1.0.0 || >=3', '2.0.0', false],
  ['~1.2.3', '1.2.9', true],
  ['~1.2.3', '1.3.0', false],
  ['~1', '1.9.0', true],
  ['~1', '2.0.0', false],
  ['^1.2.3', '1.9.0', true],
  ['^1.2.3', '2.0.0', false],
  ['^0.2.3', '0.2.9', true],
  ['^0.2.3', '0.3.0', false],
  ['^0.0.3', '0.0.3', true],
  ['^0.0.3', '0.0.4', false],
  ['^0', '0.9.0', true],
  ['1.2 - 1.4.5', '1.4.5', true],
  ['1.2 - 1.4.5', '1.4.6', false],
  ['1.2 - 1.4.5', '1.2.0', true],
  ['!=1.2.3', '1.2.3', false],
  ['!=1.2.x', '1.2.5', false],
  ['!=1.2.x', '1.3.0', true],
  ['>1.2.x', '1.2.9', false],
  ['>1.2.x', '1.3.0', true],
  ['<=1.2.x', '1.2.9', true],
  ['<=1.2.x', '1.3.0', false],
  ['v1.2.3', '1.2.3', true],
  ['1.2.3', '1.2.3+build.1', true],
  ['>1.2.3', '1.2.3-alpha', false],
];

describe('chart versions as Helm reads them (Masterminds semver v3)', () => {
  for (const [constraint, version, matches] of rows)
    it(`${constraint} ${matches ? 'accepts' : 'refuses'} ${version}`, () => {
      const v = parseChartVersion(version);
      assert.ok(v, version);
      assert.equal(parseChartVersionConstraint(constraint).check(v), matches);
    });

  it('orders prereleases below releases and numeric identifiers numerically', () => {
    assert.equal(newestMatching('>=1.0.0-0', ['1.0.0-rc.2', '1.0.0-rc.10', '1.0.0-beta']), '1.0.0-rc.10');
    assert.equal(newestMatching('>=1.0.0-0', ['1.0.0-rc.10', '1.0.0']), '1.0.0');
  });

  it('picks the newest stable for * and empty, as source-controller does, skipping what is not a version', () => {
    const listed = ['6.5.0', '6.10.1', '7.0.0-rc.1', 'latest', '6.9.9'];
    assert.equal(newestMatching('*', listed), '6.10.1');
    assert.equal(newestMatching('', listed), '6.10.1');
    assert.equal(newestMatching('6.9.x', listed), '6.9.9');
    assert.equal(newestMatching('>=8', listed), undefined);
  });

  it('refuses what is not a constraint', () => {
    assert.throws(() => parseChartVersionConstraint('>=one'), /improper constraint/);
    assert.throws(() => parseChartVersionConstraint('1.2.3.4'), /improper constraint/);
    assert.equal(parseChartVersion('1.2.3.4'), undefined);
    assert.equal(parseChartVersion('1.0.0-01'), undefined);
  });
});
