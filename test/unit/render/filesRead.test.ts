import { strict as assert } from 'node:assert';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { ProblemError } from '../../../src/core/model/problem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { kustomizeYaml } from '../../../src/core/render/kustomize/kustomizeYaml';

// What the renderer reads (docs/security.md, "Files read"): kustomize's load restrictor with symbolic links
// resolved, no cycles or empty kustomizations, no control characters, bounded alias expansion, `__proto__` as data.

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

function tree(files: Record<string, string>, links: Record<string, string> = {}): MemoryFileSystem {
  const fs = new MemoryFileSystem(files, '/repo');
  for (const [path, target] of Object.entries(links)) fs.symlink(path, target);
  return fs;
}

async function problem(fs: MemoryFileSystem, dir = 'app'): Promise<ProblemError['problem']> {
  try {
    await renderKustomization(dir, { fs, repoRoot: '/repo' });
  } catch (e) {
    assert.ok(e instanceof ProblemError, `expected a ProblemError, got ${String(e)}`);
    assert.ok(!e.problem.message.includes('\n'), `one line: ${e.problem.message}`);
    return e.problem;
  }
  assert.fail('render succeeded on input it must refuse');
}

describe('render: files read through symbolic links (kustomize load restrictor)', () => {
  it('refuses a generator file linked outside the repo, at its entry', async () => {
    const fs = tree(
      {
        'app/kustomization.yaml': 'configMapGenerator:\n- name: c\n  files:\n  - passwd\n',
        '/etc/passwd': 'root:x:0:0\n',
      },
      { 'app/passwd': '/etc/passwd' },
    );
    const p = await problem(fs);
    assert.deepEqual(p.location, { file: 'app/kustomization.yaml', line: 4, column: 5, kind: 'resource' });
    assert.match(
      p.message,
      /^app\/passwd resolves to \/etc\/passwd through a symbolic link, outside the kustomization directory app/,
    );
  });

  it('refuses a resource linked to a file in the repo but outside its kustomization directory', async () => {
    const fs = tree(
      { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'shared/cm.yaml': cm('a') },
      { 'app/cm.yaml': '../shared/cm.yaml' },
    );
    const p = await problem(fs);
    assert.equal(p.location?.file, 'app/kustomization.yaml');
    assert.equal(p.location?.line, 2);
    assert.match(p.message, /resolves to \/repo\/shared\/cm\.yaml/);
  });

  it('refuses patches and env files linked outside', async () => {
    const patch = tree(
      {
        'app/kustomization.yaml': `resources:\n- cm.yaml\npatches:\n- path: p.yaml\n`,
        'app/cm.yaml': cm('a'),
        '/outside/p.yaml': cm('a'),
      },
      { 'app/p.yaml': '/outside/p.yaml' },
    );
    assert.equal((await problem(patch)).location?.line, 4);
    const env = tree(
      { 'app/kustomization.yaml': 'configMapGenerator:\n- name: c\n  envs:\n  - e.env\n', '/outside/e.env': 'A=1\n' },
      { 'app/e.env': '/outside/e.env' },
    );
    assert.equal((await problem(env)).location?.line, 4);
  });

  it('renders a link that stays inside the kustomization directory', async () => {
    const fs = tree(
      { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/sub/real.yaml': cm('a') },
      { 'app/cm.yaml': 'sub/real.yaml' },
    );
    const result = await renderKustomization('app', { fs, repoRoot: '/repo' });
    assert.deepEqual(
      result.objects.map((o) => o.object.metadata.name),
      ['a'],
    );
  });

  it('refuses a kustomization directory (a resources entry, or the rendered root) linked outside the repo', async () => {
    const viaEntry = tree(
      {
        'app/kustomization.yaml': 'resources:\n- base\n',
        '/outside/kustomization.yaml': 'resources:\n- cm.yaml\n',
        '/outside/cm.yaml': cm('a'),
      },
      { 'app/base': '/outside' },
    );
    const p = await problem(viaEntry);
    assert.deepEqual([p.location?.file, p.location?.line], ['app/kustomization.yaml', 2]);
    assert.match(p.message, /'app\/base' resolves to \/outside through a symbolic link, outside the repo root/);
    const asRoot = tree(
      { '/outside/kustomization.yaml': 'resources:\n- cm.yaml\n', '/outside/cm.yaml': cm('a') },
      { 'envs/dev': '/outside' },
    );
    assert.match((await problem(asRoot, 'envs/dev')).message, /resolves to \/outside.*outside the repo root/);
  });

  it('still refuses a plain ../ path out of the repo', async () => {
    const p = await problem(tree({ 'app/kustomization.yaml': 'resources:\n- ../../etc/x.yaml\n' }));
    assert.match(p.message, /outside the repo root/);
    assert.equal(p.location?.line, 2);
  });

  it('names a symbolic link loop at the entry', async () => {
    const fs = tree(
      { 'app/kustomization.yaml': 'resources:\n- cm.yaml\n' },
      { 'app/cm.yaml': 'cm2.yaml', 'app/cm2.yaml': 'cm.yaml' },
    );
    const p = await problem(fs);
    assert.deepEqual([p.location?.file, p.location?.line], ['app/kustomization.yaml', 2]);
    assert.match(p.message, /symbolic link loop/);
  });

  it('sees a link back to a folder being built as a cycle', async () => {
    const fs = tree({ 'app/kustomization.yaml': 'resources:\n- again\n' }, { 'app/again': '.' });
    const p = await problem(fs);
    assert.match(p.message, /kustomization cycle: app -> app/);
    assert.deepEqual([p.location?.file, p.location?.line], ['app/kustomization.yaml', 2]);
  });
});

describe('render: kustomizations kustomize refuses', () => {
  it('a kustomization listing itself is a cycle at its entry', async () => {
    const p = await problem(tree({ 'app/kustomization.yaml': 'resources:\n- .\n' }));
    assert.match(p.message, /kustomization cycle: app -> app/);
    assert.deepEqual([p.location?.file, p.location?.line], ['app/kustomization.yaml', 2]);
  });

  it('a folder holding the kustomization being built is a cycle, as in kustomize (resources: [..])', async () => {
    const p = await problem(
      tree({
        'envs/kustomization.yaml': 'resources:\n- cm.yaml\n',
        'envs/cm.yaml': cm('a'),
        'envs/dev/kustomization.yaml': 'resources:\n- ..\n',
      }),
      'envs/dev',
    );
    assert.match(p.message, /kustomization cycle: envs contains envs\/dev, which is being built/);
    assert.deepEqual([p.location?.file, p.location?.line], ['envs/dev/kustomization.yaml', 2]);
  });

  it('a sibling folder is not a cycle', async () => {
    const fs = tree({
      'envs/base/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'envs/base/cm.yaml': cm('a'),
      'envs/dev/kustomization.yaml': 'resources:\n- ../base\n',
    });
    assert.equal((await renderKustomization('envs/dev', { fs, repoRoot: '/repo' })).objects.length, 1);
  });

  for (const [what, text] of [
    ['empty', ''],
    ['comment-only', '# nothing yet\n'],
    ['a lone document marker', '---\n'],
  ]) {
    it(`an ${what} kustomization is an error, not "no objects"`, async () => {
      const p = await problem(tree({ 'app/kustomization.yaml': text }));
      assert.match(p.message, /app\/kustomization\.yaml is empty/);
      assert.equal(p.location?.file, 'app/kustomization.yaml');
    });
  }

  it('only apiVersion, kind and zero values is empty too (kustomize CheckEmpty); an empty list is not', async () => {
    const p = await problem(
      tree({
        'app/kustomization.yaml':
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: ""\nresources:\n',
      }),
    );
    assert.match(p.message, /app\/kustomization\.yaml is empty/);
    const notEmpty = await renderKustomization('app', {
      fs: tree({ 'app/kustomization.yaml': 'kind: Kustomization\nresources: []\n' }),
      repoRoot: '/repo',
    });
    assert.deepEqual([notEmpty.objects.length, notEmpty.problems.filter((x) => x.severity === 'error')], [0, []]);
  });

  it('an empty base is named at its file', async () => {
    const p = await problem(
      tree({ 'app/kustomization.yaml': 'resources:\n- ../base\n', 'base/kustomization.yaml': '# todo\n' }),
    );
    assert.equal(p.location?.file, 'base/kustomization.yaml');
  });
});

describe('render: text kustomize refuses', () => {
  for (const [name, char] of [
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['DEL', '\u007f'],
    ['a C1 control', '\u0090'],
  ]) {
    it(`a raw ${name} in a resource is an error at its line and column`, async () => {
      const p = await problem(
        tree({
          'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
          'app/cm.yaml': `${cm('a')}data:\n  a: x${char}y\n`,
        }),
      );
      assert.deepEqual(p.location, { file: 'app/cm.yaml', line: 6, column: 7 });
      assert.match(p.message, /^control characters are not allowed in YAML \(U\+00[0-9A-F]{2}\)/);
    });
  }

  it('a control character in a kustomization is an error at its line', async () => {
    const p = await problem(
      tree({ 'app/kustomization.yaml': 'resources:\n- cm.yaml\n#\u0001\n', 'app/cm.yaml': cm('a') }),
    );
    assert.deepEqual(p.location, { file: 'app/kustomization.yaml', line: 3, column: 2 });
  });

  it('tab, CR, NEL and an escaped NUL are fine', async () => {
    const fs = tree({
      'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'app/cm.yaml': `${cm('a')}data:\r\n  a: "x\\0y"\n  b: "\ty"\n  c: p\u0085q\n`,
    });
    const [o] = (await renderKustomization('app', { fs, repoRoot: '/repo' })).objects;
    assert.deepEqual(o.object.data, { a: 'x\u0000y', b: '\ty', c: 'p q' });
  });
});

/** A billion-laughs document: `levels` levels of nine aliases each. */
function aliasBomb(indent: string, levels = 9): string {
  const names = 'abcdefghijklmnop';
  const lines = [`${indent}a: &a ["x","x","x","x","x","x","x","x","x"]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `${indent}${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(',')}]`,
    );
  return lines.join('\n') + '\n';
}

describe('render: YAML aliases', () => {
  it('an alias bomb in a resource is refused at an alias, before memory runs out', async () => {
    const p = await problem(
      tree({
        'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
        'app/cm.yaml': `${cm('a')}data:\n${aliasBomb('  ')}`,
      }),
    );
    assert.equal(p.location?.file, 'app/cm.yaml');
    assert.ok((p.location?.line ?? 0) >= 6, `at line ${p.location?.line}`);
    assert.match(p.message, /excessive aliasing/);
  });

  it('an alias bomb in a kustomization is refused at its file', async () => {
    const p = await problem(
      tree({ 'app/kustomization.yaml': `resources:\n- cm.yaml\nx-bomb:\n${aliasBomb('  ')}`, 'app/cm.yaml': cm('a') }),
    );
    assert.equal(p.location?.file, 'app/kustomization.yaml');
    assert.match(p.message, /excessive aliasing/);
  });

  it('a self-referencing alias is refused instead of recursing forever', async () => {
    const p = await problem(
      tree({ 'app/kustomization.yaml': 'resources:\n- cm.yaml\n', 'app/cm.yaml': `${cm('a')}data: &d\n  x: *d\n` }),
    );
    assert.match(p.message, /excessive aliasing|malformed YAML/);
  });

  it('ordinary anchors and aliases still render', async () => {
    const fs = tree({
      'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'app/cm.yaml': `${cm('a')}data:\n  a: &v hello\n  b: *v\n  c: *v\n`,
    });
    const [o] = (await renderKustomization('app', { fs, repoRoot: '/repo' })).objects;
    assert.deepEqual(o.object.data, { a: 'hello', b: 'hello', c: 'hello' });
  });

  it('a document where aliases make up most but not nearly all of the nodes still renders (go-yaml allows 99%)', async () => {
    // 7,380 nodes from aliases, 2,000 written out before them (the count runs in document order, as go-yaml's): 79%.
    const plain = Array.from({ length: 2000 }, (_, i) => `  k${i}: v\n`).join('');
    const fs = tree({
      'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'app/cm.yaml': `${cm('a')}x-plain:\n${plain}x-fan:\n${aliasBomb('  ', 4)}`,
    });
    const [o] = (await renderKustomization('app', { fs, repoRoot: '/repo' })).objects;
    assert.equal((o.object['x-fan'] as Record<string, unknown[]>).d.length, 9);
    // Without the plain part the same fan is refused: the ratio, not the size, decides.
    assert.match(
      (
        await problem(
          tree({
            'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
            'app/cm.yaml': `${cm('a')}x-fan:\n${aliasBomb('  ', 4)}`,
          }),
        )
      ).message,
      /excessive aliasing/,
    );
  });
});

describe('render: keys from input are data', () => {
  it('keeps a __proto__ key as kustomize does (data.__proto__ printed, prototype untouched)', async () => {
    const fs = tree({
      'app/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'app/cm.yaml': `${cm('a')}data:\n  __proto__: b\n  x: "y"\n`,
    });
    const [o] = (await renderKustomization('app', { fs, repoRoot: '/repo' })).objects;
    const data = o.object.data as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), ['__proto__', 'x']);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(data, '__proto__')?.value, 'b');
    assert.equal(
      kustomizeYaml(o.object),
      'apiVersion: v1\ndata:\n  __proto__: b\n  x: "y"\nkind: ConfigMap\nmetadata:\n  name: a\n',
    );
  });

  it('keeps a __proto__ key through a strategic merge patch and in generated data', async () => {
    const fs = tree({
      'app/kustomization.yaml':
        'resources:\n- cm.yaml\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n    data:\n      __proto__: patched\nconfigMapGenerator:\n- name: g\n  literals:\n  - __proto__=lit\n',
      'app/cm.yaml': `${cm('a')}data:\n  __proto__: b\n`,
    });
    const objects = (await renderKustomization('app', { fs, repoRoot: '/repo' })).objects;
    const byName = new Map(
      objects.map((o) => [String(o.object.metadata.name).replace(/-[a-z0-9]{10}$/, ''), o.object]),
    );
    assert.equal(Object.getOwnPropertyDescriptor(byName.get('a')!.data, '__proto__')?.value, 'patched');
    assert.equal(Object.getOwnPropertyDescriptor(byName.get('g')!.data, '__proto__')?.value, 'lit');
  });
});
