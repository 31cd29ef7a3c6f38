import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriftEngine } from '../../../src/core/engine';
import { FileCache, REPO_TEXTS } from '../../../src/core/fileCache';
import { folderApplication } from '../../../src/core/model/environment';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';

describe('FileCache as the engine keeps it (YAML and JSON texts, checked against stamps)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gitops-drift-source-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Counts reads reaching the disk. */
  function countingFs() {
    const node = new NodeFileSystem();
    const counter = { reads: 0 };
    const fs = {
      readFile: (p: string) => (counter.reads++, node.readFile(p)),
      readDir: (p: string) => node.readDir(p),
      stat: (p: string) => node.stat(p),
    };
    return { fs, counter };
  }

  it('serves an unchanged file from memory', async () => {
    const file = join(dir, 'kustomization.yaml');
    writeFileSync(file, 'resources: []\n');
    const { fs, counter } = countingFs();
    const cache = new FileCache(fs, { keepOnly: REPO_TEXTS, checkStamps: true });
    assert.equal(await cache.readFile(file), 'resources: []\n');
    assert.equal(await cache.readFile(file), 'resources: []\n');
    assert.equal(counter.reads, 1);
  });

  it('notices a change nobody reported (git rewriting a file and putting it back), by its stamp', async () => {
    const file = join(dir, 'kustomization.yaml');
    writeFileSync(file, 'namespace: a\n');
    const cache = new FileCache(new NodeFileSystem(), { keepOnly: REPO_TEXTS, checkStamps: true });
    assert.equal(await cache.readFile(file), 'namespace: a\n');
    writeFileSync(file, '<<<<<<< HEAD\nnamespace: a\n=======\nnamespace: b\n>>>>>>> c0ffee\n');
    assert.match(await cache.readFile(file), /^<<<<<<< HEAD/);
    writeFileSync(file, 'namespace: a\n');
    // Same size as the first text: the modification time tells them apart.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(await cache.readFile(file), 'namespace: a\n');
  });

  it('with filesFixed (one check run) the engine takes a kept text as it is: no stat per read, a later change unseen', async () => {
    const base = join(dir, 'base');
    for (const d of ['base', 'dev', 'prod']) mkdirSync(join(dir, d));
    writeFileSync(join(base, 'kustomization.yaml'), 'resources: [cm.yaml]\n');
    for (const d of ['dev', 'prod']) writeFileSync(join(dir, d, 'kustomization.yaml'), 'resources: [../base]\n');
    const valueIn = async (filesFixed: boolean) => {
      writeFileSync(
        join(base, 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: one\n',
      );
      const node = new NodeFileSystem();
      const counter = { stats: 0 };
      const fs = {
        readFile: (p: string) => node.readFile(p),
        readDir: (p: string) => node.readDir(p),
        stat: (p: string) => (counter.stats++, node.stat(p)),
      };
      const engine = new DriftEngine({ fs, repoRoot: dir, filesFixed });
      const env = (name: string) => ({
        name,
        path: name,
        source: 'discovered' as const,
        applications: [folderApplication(name, name)],
      });
      await engine.render(env('dev'));
      const statsAfterFirst = counter.stats;
      writeFileSync(
        join(base, 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: two\n',
      );
      utimesSync(join(base, 'cm.yaml'), new Date(), new Date(Date.now() + 5000));
      const prod = await engine.render(env('prod'));
      const data = (prod.objects[0].object as unknown as { data: { a: string } }).data;
      return { value: data.a, statsOnSecond: counter.stats - statsAfterFirst };
    };
    const checked = await valueIn(false);
    const fixed = await valueIn(true);
    assert.equal(checked.value, 'two');
    assert.equal(fixed.value, 'one');
    assert.ok(fixed.statsOnSecond < checked.statsOnSecond, `${fixed.statsOnSecond} < ${checked.statsOnSecond}`);
  });

  it('without filesFixed, stats a file once per pass of renders, and sees a change nobody reported in the next pass', async () => {
    const base = join(dir, 'base');
    for (const d of ['base', 'dev', 'prod', 'staging', 'warm']) mkdirSync(join(dir, d));
    writeFileSync(join(base, 'kustomization.yaml'), 'resources: [cm.yaml]\n');
    writeFileSync(join(base, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: one\n');
    for (const d of ['dev', 'prod', 'staging', 'warm'])
      writeFileSync(join(dir, d, 'kustomization.yaml'), 'resources: [../base]\n');
    const node = new NodeFileSystem();
    const stats = new Map<string, number>();
    const fs = {
      readFile: (p: string) => node.readFile(p),
      readDir: (p: string) => node.readDir(p),
      stat: (p: string) => (stats.set(p, (stats.get(p) ?? 0) + 1), node.stat(p)),
    };
    const engine = new DriftEngine({ fs, repoRoot: dir });
    // A pass of its own before (another overlay of the base), so that the renders below compare kept texts' stamps.
    await engine.render({
      name: 'warm',
      path: 'warm',
      source: 'discovered' as const,
      applications: [folderApplication('warm', 'warm')],
    });
    stats.clear();
    const env = (name: string) => ({
      name,
      path: name,
      source: 'discovered' as const,
      applications: [folderApplication(name, name)],
    });
    // dev and prod render in one pass: the base they share is stat'ed once, not once per render reading it.
    await Promise.all([engine.render(env('dev')), engine.render(env('prod'))]);
    const cm = join(base, 'cm.yaml');
    assert.equal(stats.get(cm), 1, `stats of base/cm.yaml in one pass: ${stats.get(cm)}`);
    assert.ok(
      [...stats.values()].every((n) => n === 1),
      JSON.stringify(Object.fromEntries(stats)),
    );

    writeFileSync(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: two\n');
    utimesSync(cm, new Date(), new Date(Date.now() + 5000));
    // The next pass (staging's render, not kept) compares the kept text's stamp again.
    const staging = await engine.render(env('staging'));
    assert.equal((staging.objects[0].object as unknown as { data: { a: string } }).data.a, 'two');
  });

  it("continues discovery's pass into the first render: each file is stat'ed once between them; a save ends it", async () => {
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'kustomization.yaml'), 'resources: [cm.yaml]\n');
    writeFileSync(
      join(dir, 'base', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: one\n',
    );
    for (const env of ['dev', 'prod']) {
      mkdirSync(join(dir, 'envs', env), { recursive: true });
      writeFileSync(join(dir, 'envs', env, 'kustomization.yaml'), 'resources: [../../base]\n');
    }
    const node = new NodeFileSystem();
    const stats = new Map<string, number>();
    const reads = new Map<string, number>();
    const fs = {
      readFile: (p: string) => (reads.set(p, (reads.get(p) ?? 0) + 1), node.readFile(p)),
      readDir: (p: string) => node.readDir(p),
      stat: (p: string) => (stats.set(p, (stats.get(p) ?? 0) + 1), node.stat(p)),
    };
    const engine = new DriftEngine({ fs, repoRoot: dir });
    const repo = await engine.load();
    assert.deepEqual(repo.environments.map((e) => e.name).sort(), ['dev', 'prod']);
    await Promise.all(repo.environments.map((e) => engine.render(e)));
    const kustomization = join(dir, 'envs', 'dev', 'kustomization.yaml');
    assert.equal(reads.get(kustomization), 1, 'read by discovery and the render: read once');
    assert.equal(stats.get(kustomization), undefined, 'and no stamp compared: it was read in this pass');
    assert.ok(
      [...reads.values()].every((n) => n === 1),
      JSON.stringify(Object.fromEntries(reads)),
    );

    // A save reported: the renders it calls for begin a pass of their own (the files they read are stat'ed again).
    writeFileSync(
      join(dir, 'base', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: two\n',
    );
    await engine.fileChanged('base/cm.yaml');
    const dev = await engine.render(repo.environments.find((e) => e.name === 'dev')!);
    assert.equal((dev.objects[0].object as unknown as { data: { a: string } }).data.a, 'two');
    // A new pass: the kept kustomization had no stamp (read once without one), so it is read again, once.
    assert.equal(reads.get(kustomization), 2);
    assert.equal(stats.get(kustomization), 1);
  });
});
