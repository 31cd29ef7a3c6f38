import { strict as assert } from 'node:assert';
import { parseRepoConfig } from '../../../src/core/repo/config';

describe('.gitops-drift.yaml: control characters in its values', () => {
  it('keeps escape sequences from the config out of its messages', () => {
    const { problems } = parseRepoConfig(
      'environments:\n  - name: "dev\\e[2J"\n    path: envs/dev\n  - { name: prod, path: envs/prod }\npromotion: ["a\\u0007"]\n',
    );
    assert.ok(problems.length >= 2);
    for (const p of problems) assert.doesNotMatch(p.message, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(
      problems[0].message,
      /environment name 'dev\\e\[2J'/,
      'shown as an escape, so the name does not read as a valid one',
    );
  });
});
