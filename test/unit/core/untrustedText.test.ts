import { strict as assert } from 'node:assert';
import { plainText } from '../../../src/core/model/untrustedText';
import { keyLabel } from '../../../src/core/model/resource';
import { textReport } from '../../../src/core/drift/textReport';
import { failureOf } from '../../../src/core/live/outcome';

describe('plainText (text from a cluster on its way to output)', () => {
  it('removes CSI, OSC and two-byte escapes, C0 and C1 controls, DEL and bidi overrides; keeps tabs and the words', () => {
    const hostile =
      'configmaps is forbidden\u001b[2J\u001b[H\u001b]0;owned\u0007\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\ \u001bc\u001b7\u009b31mred\u001b[0m\u0000\u0008\u007f\u0085 \u202eevil\u202c\tend';
    assert.equal(plainText(hostile), 'configmaps is forbiddenlink red evil\tend');
  });

  it('turns line breaks into spaces (a message cannot start a line of its own), or keeps them when asked', () => {
    assert.equal(plainText('denied\r\ndev: 11 in sync\n'), 'denied dev: 11 in sync ');
    assert.equal(plainText('a\nb', { multiline: true }), 'a\nb');
  });

  it('returns ordinary text unchanged, including non-ASCII letters', () => {
    for (const text of ['', 'list deployments.apps in namespace "shop" is forbidden', 'Grüße, 東京 — ✓'])
      assert.equal(plainText(text), text);
  });

  it('an unterminated OSC string is dropped to the end, not left to swallow what follows on the terminal', () => {
    assert.equal(plainText('before\u001b]0;title without end'), 'before');
  });

  it('is applied where cluster text reaches output: object labels, LIST failures and the text report', () => {
    assert.equal(
      keyLabel({ group: '', kind: 'ConfigMap', namespace: 'dev', name: 'web\u001b[2Jx' }),
      'ConfigMap dev/webx',
    );
    const type = { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, verbs: [] };
    const failure = failureOf(
      { key: '/ConfigMap/dev', type, namespace: 'dev' },
      { status: 'forbidden', verb: 'list', resource: 'configmaps', message: 'no\u001b[2J\ndev: 11 in sync' },
    );
    assert.equal(failure?.message, 'list configmaps in namespace "dev" is forbidden: no dev: 11 in sync');
    const report = textReport([{ name: 'dev', error: 'cannot reach\u001b[2J\nfake', resources: [] } as never]);
    assert.equal(report, 'dev    error: cannot reach fake\n\ndev: error\n');
  });

  it('with visible, shows control characters as escapes instead of removing them (a value wrong because of them)', () => {
    assert.equal(
      plainText('dev\x1b[2J\x1b[Hdev: 11 in sync\x07', { visible: true }),
      'dev\\e[2J\\e[Hdev: 11 in sync\\u0007',
    );
    assert.equal(plainText('a\tb\nc\x00d\x9be\u202e', { visible: true }), 'a\tb\\nc\\u0000d\\u009be\\u202e');
    assert.equal(plainText('naïve — ünïcode ✓', { visible: true }), 'naïve — ünïcode ✓');
  });
});
