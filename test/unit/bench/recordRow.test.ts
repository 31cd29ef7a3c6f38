import { strict as assert } from 'node:assert';
import { withRow } from '../../../bench/recordRow';

const intro = 'Intro.\n\n| when | median |\n| --- | ---: |\n';

describe('bench recordRow (a benchmark row into docs/benchmarks.md)', () => {
  it('creates the section with its intro on first use', () => {
    assert.equal(
      withRow('# Benchmarks\n', '## X', intro, '| 1 | 2 ms |'),
      `# Benchmarks\n\n## X\n\nIntro.\n\n| when | median |\n| --- | ---: |\n| 1 | 2 ms |\n`,
    );
  });

  it("goes under the bench's own table, not under a later table of another shape nor into the prose after it", () => {
    const doc = [
      '## X',
      '',
      '| when | median |',
      '| --- | ---: |',
      '| 1 | 2 ms |',
      '',
      'Prose.',
      '',
      '| build | load | first | floor |',
      '| --- | --- | ---: | ---: |',
      '| main | 12 | 13 s | 9 s |',
      '',
      '## Y',
      '',
    ].join('\n');
    const lines = withRow(doc, '## X', intro, '| 3 | 4 ms |').split('\n');
    assert.equal(lines[5], '| 3 | 4 ms |');
    assert.equal(lines[11], '| main | 12 | 13 s | 9 s |');
  });

  it('with no table of its shape, goes after the last table row; a marker line ends the section', () => {
    const doc = [
      '## X',
      '',
      '| a | b | c |',
      '| --- | --- | --- |',
      '| 1 | 2 | 3 |',
      '',
      'Prose.',
      '<!-- y:start -->',
      '| 9 | 9 |',
      '',
    ].join('\n');
    const lines = withRow(doc, '## X', intro, '| 3 | 4 ms |').split('\n');
    assert.equal(lines[5], '| 3 | 4 ms |');
    assert.equal(lines[9], '| 9 | 9 |');
  });
});
