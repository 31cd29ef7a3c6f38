import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ProblemError } from '../../src/core/model/problem';
import { renderKustomization } from '../../src/core/render/kustomize/kustomize';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { compareObjects } from './compareObjects';
import { kustomizeBuild } from './kustomizeCli';

// What kustomize reads, and refuses to read, is the spec for files: links out of a kustomization's folder, text
// encodings, control characters, `__proto__` keys, empty kustomizations, cycles. The inputs are made here (links,
// UTF-16, invalid UTF-8 cannot live in git as plain files), each case rendered by the real `kustomize build` (test
// bed) and by our renderer over the disk adapter with the repo as its root, as the CLI does.

const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n';
const utf16 = (text: string, bigEndian: boolean) => {
  const body = Buffer.from(text, 'utf16le');
  if (bigEndian) body.swap16();
  return Buffer.concat([Buffer.from(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]), body]);
};

interface Case {
  name: string;
  /** Files under repo/ (a Buffer for bytes); links: path → target. */
  files: Record<string, string | Buffer>;
  links?: Record<string, string>;
  /** kustomize fails, and we fail at this file (and line). Absent: both render the same objects. */
  error?: { file: string; line?: number; message: RegExp };
}

const cases: Case[] = [
  {
    name: 'a generator file linked outside the kustomization folder',
    files: {
      'app/kustomization.yaml': 'configMapGenerator:\n- name: c\n  files:\n  - passwd\n',
      '../outside/passwd': 'root:x:0:0\n',
    },
    links: { 'app/passwd': '../../outside/passwd' },
    error: {
      file: 'app/kustomization.yaml',
      line: 4,
      message:
        /app\/passwd resolves to .*outside\/passwd through a symbolic link, outside the kustomization directory app/,
    },
  },
  {
    name: 'a resource linked to a file of the repo outside its kustomization folder',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'shared/cm.yaml': cm },
    links: { 'app/cm.yaml': '../shared/cm.yaml' },
    error: { file: 'app/kustomization.yaml', line: 2, message: /app\/cm\.yaml resolves to .*shared\/cm\.yaml/ },
  },
  {
    name: 'a resource linked within its kustomization folder',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/real/cm.yaml': cm },
    links: { 'app/cm.yaml': 'real/cm.yaml' },
  },
  {
    name: 'a resources entry linked to its own folder (a cycle)',
    files: { 'app/kustomization.yaml': 'resources:\n- again\n', 'app/cm.yaml': cm },
    links: { 'app/again': '.' },
    error: { file: 'app/kustomization.yaml', line: 2, message: /kustomization cycle: app -> app/ },
  },
  {
    name: 'a kustomization listing itself',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n- .\n', 'app/cm.yaml': cm },
    error: { file: 'app/kustomization.yaml', line: 3, message: /kustomization cycle: app -> app/ },
  },
  {
    name: 'a kustomization listing the folder that holds it',
    files: {
      'kustomization.yaml': 'resources:\n- cm.yaml\n',
      'cm.yaml': cm,
      'app/kustomization.yaml': 'resources:\n- ..\n',
    },
    error: { file: 'app/kustomization.yaml', line: 2, message: /kustomization cycle: \. contains app/ },
  },
  {
    name: 'a symbolic link loop as a resource',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n' },
    links: { 'app/cm.yaml': 'cm2.yaml', 'app/cm2.yaml': 'cm.yaml' },
    error: { file: 'app/kustomization.yaml', line: 2, message: /'cm\.yaml': symbolic link loop/ },
  },
  {
    name: 'an empty kustomization',
    files: { 'app/kustomization.yaml': '' },
    error: { file: 'app/kustomization.yaml', message: /is empty/ },
  },
  {
    name: 'a comment-only kustomization',
    files: { 'app/kustomization.yaml': '# later\n' },
    error: { file: 'app/kustomization.yaml', message: /is empty/ },
  },
  {
    name: 'a UTF-16 LE resource with a byte-order mark',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/cm.yaml': utf16(cm + '  e: "é 😀"\n', false) },
  },
  {
    name: 'a UTF-16 BE resource with a byte-order mark',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/cm.yaml': utf16(cm + '  e: "é"\n', true) },
  },
  {
    name: 'a UTF-16 kustomization',
    files: { 'app/kustomization.yaml': utf16('resources:\n- cm.yaml\nnamePrefix: p-\n', false), 'app/cm.yaml': cm },
  },
  {
    name: 'a resource with a UTF-8 byte-order mark',
    files: {
      'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'app/cm.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(cm)]),
    },
  },
  {
    name: 'invalid UTF-8 in a resource',
    files: {
      'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'app/cm.yaml': Buffer.concat([Buffer.from(cm + '  b: "x'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]),
    },
    error: { file: 'app/cm.yaml', line: 7, message: /invalid UTF-8 \(byte 0xff\)/ },
  },
  {
    name: 'invalid UTF-8 in a kustomization',
    files: {
      'app/kustomization.yaml': Buffer.concat([
        Buffer.from('resources:\n- cm.yaml\n#'),
        Buffer.from([0xc3]),
        Buffer.from('\n'),
      ]),
      'app/cm.yaml': cm,
    },
    error: { file: 'app/kustomization.yaml', line: 3, message: /invalid UTF-8/ },
  },
  {
    name: 'invalid UTF-8 in a generator env file',
    files: {
      'app/kustomization.yaml': 'configMapGenerator:\n- name: c\n  envs:\n  - e.env\n',
      'app/e.env': Buffer.concat([Buffer.from('A=1\nB='), Buffer.from([0xff]), Buffer.from('\n')]),
    },
    error: { file: 'app/e.env', line: 2, message: /invalid UTF-8/ },
  },
  {
    name: 'a raw NUL in a resource',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/cm.yaml': cm + '  b: "x\u0000"\n' },
    error: { file: 'app/cm.yaml', line: 7, message: /control characters.*U\+0000/ },
  },
  {
    name: 'a raw escape character in a resource',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/cm.yaml': cm + '  b: x\u001b[2J\n' },
    error: { file: 'app/cm.yaml', line: 7, message: /control characters.*U\+001B/ },
  },
  {
    name: 'a control character in a kustomization',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n#\u0001\n', 'app/cm.yaml': cm },
    error: { file: 'app/kustomization.yaml', line: 3, message: /control characters/ },
  },
  {
    name: 'an escaped NUL in a quoted string',
    files: { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/cm.yaml': cm + '  b: "x\\0y"\n' },
  },
  {
    name: 'a __proto__ key',
    files: {
      'app/kustomization.yaml': 'resources:\n- cm.yaml\ncommonLabels:\n  __proto__: l\n',
      'app/cm.yaml': cm + '  __proto__: b\n',
    },
  },
  {
    name: 'non-UTF-8 bytes in a generator file go to binaryData, as before',
    files: {
      'app/kustomization.yaml': 'configMapGenerator:\n- name: c\n  files:\n  - b.bin\n',
      'app/b.bin': Buffer.from([0x41, 0xff, 0x00, 0x0a]),
    },
  },
];

describe('kustomize conformance: files read', function () {
  let base: string;
  before(function () {
    if (process.platform === 'win32') this.skip();
    base = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-drift-files-conformance-')));
  });
  after(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const top = join(base, String(i));
      const repo = join(top, 'repo');
      mkdirSync(repo, { recursive: true });
      for (const [path, content] of Object.entries(c.files)) {
        mkdirSync(dirname(join(repo, path)), { recursive: true });
        writeFileSync(join(repo, path), content);
      }
      for (const [path, target] of Object.entries(c.links ?? {})) symlinkSync(target, join(repo, path));

      const want = await kustomizeBuild(repo, 'app');
      const got = await renderKustomization('app', { fs: new NodeFileSystem({ root: repo }), repoRoot: repo }).then(
        (r) => ({ ok: true as const, objects: r.objects.map((o) => o.object) }),
        (e: unknown) => ({ ok: false as const, error: e }),
      );
      if (!c.error) {
        if (!want.ok) assert.fail(`kustomize refused the case: ${want.stderr}`);
        if (!got.ok) assert.fail(`we refused what kustomize renders: ${String(got.error)}`);
        assert.ok(want.objects.length > 0, 'nothing to compare');
        const diff = compareObjects(want.objects, got.objects);
        if (diff) assert.fail(`rendered output differs from kustomize build\n${diff}`);
        return;
      }
      assert.equal(want.ok, false, 'kustomize accepted the case');
      if (got.ok) assert.fail('we rendered what kustomize refuses');
      assert.ok(got.error instanceof ProblemError, `expected a ProblemError, got ${String(got.error)}`);
      const { problem } = got.error;
      assert.ok(!problem.message.includes('\n'), 'one line');
      assert.equal(problem.location?.file, c.error.file, got.error.message);
      if (c.error.line !== undefined) assert.equal(problem.location?.line, c.error.line, got.error.message);
      assert.match(problem.message, c.error.message);
    });
  });
});
