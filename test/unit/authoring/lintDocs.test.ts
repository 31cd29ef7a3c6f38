import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LINT_RULES } from '../../../src/core/authoring/lintSarif';

describe('lint: docs/authoring.md', () => {
  it('has a section per code whose GitHub anchor is the code (the diagnostics link to docs/authoring.md#CODE)', () => {
    const doc = readFileSync(resolve(__dirname, '..', '..', '..', 'docs', 'authoring.md'), 'utf8');
    const anchors = [...doc.matchAll(/^#{2,3} (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    );
    assert.deepEqual(
      Object.keys(LINT_RULES).filter((code) => !anchors.includes(code)),
      [],
    );
  });
});
