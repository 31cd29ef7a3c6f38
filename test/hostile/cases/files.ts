/**
 * Hostile files in the repo: symlinks out of it, special files, huge files, alias bombs, bad encodings, cycles,
 * empty kustomizations. Each must end in a one-line error naming the file, within seconds and bounded memory
 * (issue #12); nothing outside the repo may be read (the suite checks no output holds the outside marker).
 */
import { each, type HostileCase, type Run } from './types';

/** `base/kustomization.yaml` of the template with `extra` appended to its resources. */
const baseWith = (...extra: string[]) =>
  ['resources:', '  - configmap.yaml', '  - secret.yaml', ...extra.map((e) => `  - ${e}`), ''].join('\n');

/**
 * A damaged file the base lists: rendering commands end in an error naming it (lint: an error finding, exit 1);
 * envs only discovers environments and is unaffected.
 */
function badBaseFile(file: RegExp, message: RegExp, extra: Partial<Run> = {}): Run[] {
  return [
    { command: 'envs', exit: 0, ...extra },
    ...each(['render', 'check', 'diff', 'promote'], { exit: 2, says: [file, message], ...extra }),
    { command: 'lint', exit: 1, says: [file, message], ...extra },
  ];
}

const aliasBomb = () => {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(', ')}]`,
    );
  return lines;
};

export const filesCases: HostileCase[] = [
  {
    id: 'files/symlink-resource-outside',
    what: 'a resource that is a symlink to a file outside the repo',
    setup: (r) => {
      r.symlink('base/passwd.yaml', r.outsideFile);
      r.write('base/kustomization.yaml', baseWith('passwd.yaml'));
    },
    runs: badBaseFile(/base\/passwd\.yaml/, /outside|not in or below|security/i),
  },
  {
    id: 'files/symlink-generator-file-outside',
    what: 'a configMapGenerator file that is a symlink to a file outside the repo',
    setup: (r) => {
      r.symlink('base/passwd', r.outsideFile);
      r.write(
        'base/kustomization.yaml',
        `${baseWith()}configMapGenerator:\n  - name: stolen\n    files:\n      - passwd\n`,
      );
    },
    runs: badBaseFile(/base\/passwd/, /outside|not in or below|security/i),
  },
  {
    id: 'files/symlink-environment-outside',
    what: 'an environment path that is a symlink to a folder outside the repo',
    setup: (r) => {
      r.symlink('envs/dev', r.outsideDir);
      r.write(
        '.gitops-drift.yaml',
        'environments:\n  - name: dev\n    path: envs/dev\n  - name: prod\n    path: envs/prod\n',
      );
    },
    runs: each(['envs', 'render', 'lint', 'check', 'diff', 'promote'], {
      exit: 2,
      says: [/envs\/dev/, /outside|not in or below|security/i],
    }),
  },
  {
    id: 'files/dotdot-resource',
    what: 'a resource path that climbs out of the repo with ../ (refused today; must stay refused)',
    setup: (r) => r.write('base/kustomization.yaml', baseWith('../../../outside/passwd')),
    runs: badBaseFile(/base\/kustomization\.yaml:4/, /outside|not in or below|leaves the repo|repo root/i),
  },
  {
    id: 'files/dev-zero',
    what: 'a resource that is a symlink to /dev/zero (endless)',
    setup: (r) => {
      r.symlink('base/zero.yaml', '/dev/zero');
      r.write('base/kustomization.yaml', baseWith('zero.yaml'));
    },
    // Refused as a link out of its kustomization's folder (kustomize's load restrictor) before it is a device.
    runs: badBaseFile(/base\/zero\.yaml/, /regular file|not a file|outside the kustomization directory/i),
  },
  {
    id: 'files/fifo-resource',
    what: 'a resource that is a FIFO nobody writes to (opening it blocks)',
    setup: (r) => {
      r.fifo('base/pipe.yaml');
      r.write('base/kustomization.yaml', baseWith('pipe.yaml'));
    },
    runs: badBaseFile(/base\/pipe\.yaml/, /regular file|not a file/i),
  },
  {
    id: 'files/fifo-kustomization',
    what: "an overlay's kustomization.yaml that is a FIFO",
    setup: (r) => r.fifo('envs/dev/kustomization.yaml'),
    runs: each(['envs', 'render', 'lint', 'check', 'diff', 'snapshot', 'put-back', 'promote', 'revert'], {
      exit: 2,
      says: [/envs\/dev\/kustomization\.yaml/, /regular file|not a file/i],
    }),
  },
  {
    id: 'files/huge-resource',
    what: 'a 70 MB resource file (over the 64 MB per-file limit)',
    setup: (r) => {
      const line = `# ${'x'.repeat(1021)}\n`;
      r.write('base/huge.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\n${line.repeat(70 * 1024)}`);
      r.write('base/kustomization.yaml', baseWith('huge.yaml'));
    },
    runs: badBaseFile(/base\/huge\.yaml/, /too large|larger than|limit/i),
  },
  {
    id: 'files/alias-bomb-resource',
    what: 'a billion-laughs alias bomb in a resource',
    setup: (r) => {
      r.write(
        'base/bomb.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${aliasBomb()
          .map((l) => '  ' + l)
          .join('\n')}\n`,
      );
      r.write('base/kustomization.yaml', baseWith('bomb.yaml'));
    },
    runs: badBaseFile(/base\/bomb\.yaml/, /alias/i),
  },
  {
    id: 'files/alias-bomb-kustomization',
    what: 'a billion-laughs alias bomb in an overlay kustomization',
    setup: (r) =>
      r.write(
        'envs/dev/kustomization.yaml',
        `namespace: demo\nresources:\n  - ../../base\ncommonAnnotations:\n${aliasBomb()
          .map((l) => '  ' + l)
          .join('\n')}\n`,
      ),
    runs: each(['render', 'lint', 'check', 'diff', 'promote'], {
      exit: 2,
      says: [/envs\/dev\/kustomization\.yaml/, /alias/i],
    }).map((r) => (r.command === 'lint' ? { ...r, exit: 1 } : r)),
  },
  {
    id: 'files/invalid-utf8',
    what: 'a resource with bytes that are not UTF-8 (kustomize refuses it; we must not render U+FFFD)',
    setup: (r) =>
      r.write(
        'base/configmap.yaml',
        Buffer.concat([
          Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: inf'),
          Buffer.from([0xff, 0xc3]),
          Buffer.from('o\n'),
        ]),
      ),
    runs: badBaseFile(/base\/configmap\.yaml/, /UTF-8/i),
  },
  {
    id: 'files/nul-byte',
    what: 'a resource with a NUL byte in a value (kustomize refuses it)',
    setup: (r) =>
      r.write(
        'base/configmap.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: in\u0000fo\n',
      ),
    runs: badBaseFile(/base\/configmap\.yaml/, /NUL|control character|invalid character/i),
  },
  {
    id: 'files/utf16-bom',
    what: 'a UTF-16 resource with a byte-order mark (kustomize renders it, so must we)',
    setup: (r) =>
      r.write(
        'base/configmap.yaml',
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: info\n', 'utf16le'),
        ]),
      ),
    runs: [
      { command: 'render', exit: 0, says: [/level: info/] },
      { command: 'check', exit: 1, says: [/dev: 1 in sync, 2 missing/] },
      { command: 'lint', exit: 0 },
    ],
  },
  {
    id: 'files/self-cycle',
    what: 'an overlay that lists itself (resources: [.])',
    setup: (r) => r.write('envs/dev/kustomization.yaml', 'namespace: demo\nresources:\n  - .\n  - ../../base\n'),
    runs: [
      ...each(['envs', 'render', 'check', 'diff', 'promote'], {
        exit: 2,
        says: [/envs\/dev\/kustomization\.yaml:3/, /cycle/i],
      }),
      { command: 'lint', exit: 1, says: [/envs\/dev\/kustomization\.yaml:3/, /cycle/i] },
    ],
  },
  {
    id: 'files/mutual-cycle',
    what: 'two bases that list each other',
    setup: (r) => {
      r.write('base/a/kustomization.yaml', 'resources:\n  - ../b\n');
      r.write('base/b/kustomization.yaml', 'resources:\n  - ../a\n');
      r.write('base/kustomization.yaml', baseWith('a'));
    },
    // Discovery names every cycle, so envs says it too.
    runs: [
      { command: 'envs', exit: 2, says: [/base\/(a|b)\/kustomization\.yaml:2/, /cycle/i] },
      ...badBaseFile(/base\/(a|b)\/kustomization\.yaml:2/, /cycle/i).slice(1),
    ],
  },
  {
    id: 'files/empty-kustomization',
    what: 'an empty overlay kustomization (kustomize refuses it)',
    setup: (r) => r.write('envs/dev/kustomization.yaml', ''),
    runs: [
      ...each(['render', 'check', 'diff'], { exit: 2, says: [/envs\/dev\/kustomization\.yaml/, /empty/i] }),
      { command: 'lint', exit: 1, says: [/envs\/dev\/kustomization\.yaml/, /empty/i] },
    ],
  },
  {
    id: 'files/comment-only-kustomization',
    what: 'an overlay kustomization holding only comments',
    setup: (r) => r.write('envs/dev/kustomization.yaml', '# nothing here yet\n# resources:\n#   - ../../base\n'),
    runs: [
      ...each(['render', 'check', 'diff'], { exit: 2, says: [/envs\/dev\/kustomization\.yaml/, /empty/i] }),
      { command: 'lint', exit: 1, says: [/envs\/dev\/kustomization\.yaml/, /empty/i] },
    ],
  },
  {
    id: 'files/symlink-loop',
    what: 'a resource that is a symlink to itself (ELOOP)',
    setup: (r) => {
      r.symlink('base/loop.yaml', 'loop.yaml');
      r.write('base/kustomization.yaml', baseWith('loop.yaml'));
    },
    runs: badBaseFile(/base\/kustomization\.yaml:4/, /loop\.yaml/),
  },
  {
    id: 'files/dangling-symlink',
    what: 'a resource that is a symlink to nothing',
    setup: (r) => {
      r.symlink('base/gone.yaml', 'nowhere.yaml');
      r.write('base/kustomization.yaml', baseWith('gone.yaml'));
    },
    runs: badBaseFile(/base\/kustomization\.yaml:4/, /gone\.yaml/),
  },
  {
    id: 'files/deep-nesting',
    what: 'a resource nested 100,000 flow sequences deep (a parser must not overflow its stack)',
    setup: (r) => {
      r.write(
        'base/deep.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
      );
      r.write('base/kustomization.yaml', baseWith('deep.yaml'));
    },
    runs: badBaseFile(/base\/deep\.yaml/, /./),
  },
  {
    id: 'files/many-documents',
    what: 'a resource file with 5,000 documents (slow is fine, unbounded is not)',
    setup: (r) => {
      const docs = Array.from(
        { length: 5_000 },
        (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many-${i}\ndata:\n  n: "${i}"\n`,
      );
      r.write('base/many.yaml', docs.join('---\n'));
      r.write('base/kustomization.yaml', baseWith('many.yaml'));
    },
    runs: [
      { command: 'render', exit: 0, says: [/name: many-4999/] },
      { command: 'lint', exit: 0 },
      { command: 'check', exit: 1, says: [/dev: 1 in sync, 5001 missing/] },
    ],
  },
];
