import { strict as assert } from 'node:assert';
import { printable } from '../../../src/core/model/printable';
import { parseRepoConfig } from '../../../src/core/repo/config';

describe('printable', () => {
  it('shows control characters as escapes and leaves other text alone', () => {
    assert.equal(printable('dev\x1b[2J\x1b[Hdev: 11 in sync\x07'), 'dev\\e[2J\\e[Hdev: 11 in sync\\u0007');
    assert.equal(printable('a\tb\nc\x00d\x9be'), 'a\\tb\\nc\\u0000d\\u009be');
    assert.equal(printable('naïve — ünïcode ✓'), 'naïve — ünïcode ✓');
  });

  it('keeps escape sequences from the config out of its messages', () => {
    const { problems } = parseRepoConfig('environments:\n  - name: "dev\\e[2J"\n    path: envs/dev\n  - { name: prod, path: envs/prod }\npromotion: ["a\\u0007"]\n');
    assert.ok(problems.length >= 2);
    for (const p of problems) assert.doesNotMatch(p.message, /[\u0000-\u001f\u007f-\u009f]/);
    assert.match(problems[0].message, /environment name 'dev\\e\[2J'/);
  });
});
