import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../../src/core/ports';
import { commitPromotion, promotionChanges } from '../../../src/core/promote/commitPromotion';
import { planPromotion } from '../../../src/core/promote/planPromotion';
import { RefusedError } from '../../../src/core/promote/refusal';
import type { PromotionPlan } from '../../../src/core/promote/types';
import { verifyPromotion } from '../../../src/core/promote/verifyPromotion';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';
import { DIGEST, devValues, renderShop, shopFiles, stagingValues } from './shopRepo';
import { TempRepo } from './tempRepo';

describe('promote (real git repository)', () => {
  let repo: TempRepo;
  let plan: PromotionPlan;
  const readRepoFile = (file: string) => readFile(join(repo.root, file), 'utf8');

  beforeEach(async () => {
    repo = new TempRepo(shopFiles);
    plan = await planPromotion({
      source: { name: 'dev', render: renderShop(shopFiles, devValues) },
      target: { name: 'staging', render: renderShop(shopFiles, stagingValues) },
      readFile: readRepoFile,
    });
  });
  afterEach(() => repo.remove());

  const item = (label: RegExp) => {
    const found = plan.items.find((i) => label.test(i.label));
    assert.ok(found, `no item matching ${label} in ${plan.items.map((i) => i.label).join(' | ')}`);
    return found;
  };

  it('finds the image, the sidecar image in a patch, the literals and the replicas, and preselects all but the replicas', () => {
    assert.deepEqual(
      plan.items.map((i) => [i.kind, i.label, i.defaultSelected]),
      [
        ['image', 'image ghcr.io/acme/web 1.4.0 → 1.5.0 (sha256:4f3c2a1b0e9d…)', true],
        ['image', 'image ghcr.io/acme/sidecar 2.0.0 → 2.1.0', true],
        ['generatorLiteral', 'ConfigMap web-config LOG_LEVEL: info → debug', true],
        ['generatorLiteral', 'ConfigMap web-config GREETING: hello → hello, world', true],
        ['value', 'web: replicas: 3 → 1', false],
      ],
    );
    // Namespaces differ by design; the generated names differ by hash: neither is offered nor reported.
    assert.deepEqual(plan.skipped, []);
  });

  it('promotes an image by tag and digest into the images entry: tag edited in place, digest added below it', async () => {
    const [change] = await promotionChanges([item(/^image ghcr.io\/acme\/web/)], readRepoFile);
    const before = shopFiles['envs/staging/kustomization.yaml'];
    assert.equal(change.file, 'envs/staging/kustomization.yaml');
    assert.equal(
      change.after,
      before.replace(
        '  newTag: 1.4.0 # promoted 2026-11-01\n',
        `  newTag: 1.5.0 # promoted 2026-11-01\n  digest: ${DIGEST}\n`,
      ),
    );
  });

  it('promotes an image by digest alone, removing the tag the target had', async () => {
    const digestOnly = `ghcr.io/acme/web@${DIGEST}`;
    const p = await planPromotion({
      source: { name: 'dev', render: renderShop(shopFiles, { ...devValues, webImage: digestOnly }) },
      target: { name: 'staging', render: renderShop(shopFiles, stagingValues) },
      readFile: readRepoFile,
    });
    const web = p.items.find((i) => i.label.startsWith('image ghcr.io/acme/web'));
    assert.equal(web?.label, 'image ghcr.io/acme/web 1.4.0 → sha256:4f3c2a1b0e9d…');
    const [change] = await promotionChanges([web!], readRepoFile);
    assert.equal(
      change.after,
      shopFiles['envs/staging/kustomization.yaml'].replace(
        '  newTag: 1.4.0 # promoted 2026-11-01\n',
        `  digest: ${DIGEST}\n`,
      ),
    );
  });

  it('edits a value where the target sets it: the sidecar image in the patch file keeps its quotes and comment', async () => {
    const [change] = await promotionChanges([item(/sidecar/)], readRepoFile);
    assert.equal(change.file, 'envs/staging/sidecar.yaml');
    assert.equal(
      change.after,
      shopFiles['envs/staging/sidecar.yaml'].replace('"ghcr.io/acme/sidecar:2.0.0"', '"ghcr.io/acme/sidecar:2.1.0"'),
    );
  });

  it('promotes generator literals keeping the quoting of each literal', async () => {
    const [change] = await promotionChanges([item(/LOG_LEVEL/), item(/GREETING/)], readRepoFile);
    const expected = shopFiles['envs/staging/kustomization.yaml']
      .replace('- LOG_LEVEL=info', '- LOG_LEVEL=debug')
      .replace(`'GREETING="hello"'`, `'GREETING="hello, world"'`);
    assert.equal(change.after, expected);
  });

  it('changes nothing but the promoted scalars, byte for byte, when everything is promoted at once', async () => {
    const changes = await promotionChanges(plan.items, readRepoFile);
    assert.deepEqual(
      changes.map((c) => c.file),
      ['envs/staging/kustomization.yaml', 'envs/staging/sidecar.yaml'],
    );
    assert.equal(
      changes[1].after,
      shopFiles['envs/staging/sidecar.yaml']
        .replace('replicas: 3', 'replicas: 1')
        .replace('sidecar:2.0.0', 'sidecar:2.1.0'),
    );
    assert.match(changes[0].patch, /^-  newTag: 1\.4\.0 # promoted 2026-11-01$/m);
    assert.match(changes[0].patch, /^\+  newTag: 1\.5\.0 # promoted 2026-11-01$/m);
  });

  it('skips a value the target inherits from a file the source also uses, saying why', async () => {
    const p = await planPromotion({
      source: { name: 'dev', render: renderShop(shopFiles, { ...devValues, replicas: 2 }) },
      // Staging without its replicas patch: replicas comes from the shared base.
      target: {
        name: 'staging',
        render: renderShop(
          { ...shopFiles, 'envs/staging/sidecar.yaml': shopFiles['envs/dev/sidecar.yaml'] },
          { ...stagingValues, env: 'dev', replicas: 1 },
        ),
      },
      readFile: readRepoFile,
    });
    const skip = p.skipped.find((s) => s.path === '/spec/replicas');
    assert.ok(skip, JSON.stringify(p.skipped));
    assert.match(skip.reason, /set at base\/deployment\.yaml:1:1, which dev also uses: editing it would change both/);
  });

  it('verifies by rendering again: a value that would not render as promoted is named', async () => {
    const images = plan.items.filter((i) => i.kind === 'image');
    const asPromoted = () =>
      Promise.resolve(
        renderShop(shopFiles, { ...stagingValues, webImage: devValues.webImage, sidecarImage: devValues.sidecarImage }),
      );
    assert.deepEqual(await verifyPromotion(images, asPromoted), []);
    const sidecarStuck = () =>
      Promise.resolve(renderShop(shopFiles, { ...stagingValues, webImage: devValues.webImage }));
    assert.deepEqual(await verifyPromotion(images, sidecarStuck), [
      'image ghcr.io/acme/sidecar 2.0.0 → 2.1.0: Deployment shop-staging/web containers[sidecar].image would render as "ghcr.io/acme/sidecar:2.0.0"',
    ]);
    const head = repo.head();
    await assert.rejects(
      commitPromotion(plan, images, {
        git: new SimpleGitAdapter(repo.root),
        readFile: readRepoFile,
        logger: silentLogger,
        verify: () => verifyPromotion(images, sidecarStuck),
      }),
      /the edits would not promote what they say, so nothing was changed:\n {2}image ghcr\.io\/acme\/sidecar/,
    );
    assert.equal(repo.head(), head);
    assert.equal(repo.status(), '');
  });

  it('commits the chosen items on promote/dev-to-staging-<short> with a message listing what moved', async () => {
    repo.write({ 'README.md': 'unrelated work in progress\n', 'envs/dev/notes.txt': 'staged, unrelated\n' });
    repo.git('add', 'envs/dev/notes.txt');
    const chosen = plan.items.filter((i) => i.defaultSelected);
    const result = await commitPromotion(plan, chosen, {
      git: new SimpleGitAdapter(repo.root),
      readFile: readRepoFile,
      logger: silentLogger,
    });
    assert.match(result.branch, /^promote\/dev-to-staging-[0-9a-f]{7}$/);
    assert.equal(repo.git('branch', '--show-current').trim(), result.branch);
    assert.equal(repo.head(), result.sha);
    assert.equal(
      repo.git('log', '-1', '--format=%B').trim(),
      [
        'Promote dev to staging: 2 images, 2 values',
        '',
        '- image ghcr.io/acme/web 1.4.0 → 1.5.0 (sha256:4f3c2a1b0e9d…)',
        '- image ghcr.io/acme/sidecar 2.0.0 → 2.1.0',
        '- ConfigMap web-config LOG_LEVEL: info → debug',
        '- ConfigMap web-config GREETING: hello → hello, world',
      ].join('\n'),
    );
    assert.equal(
      repo.git('show', '--name-only', '--format=', 'HEAD').trim(),
      'envs/staging/kustomization.yaml\nenvs/staging/sidecar.yaml',
    );
    // The replicas were not chosen.
    assert.match(repo.read('envs/staging/sidecar.yaml'), /replicas: 3/);
    // Unrelated work stays as it was: the staged file staged, the untracked one untracked, neither committed.
    assert.equal(repo.status(), 'A  envs/dev/notes.txt\n?? README.md\n');
  });

  it('refuses when a file it would edit has uncommitted changes, naming it and changing nothing', async () => {
    const edited = shopFiles['envs/staging/sidecar.yaml'] + '# my local note\n';
    repo.write({ 'envs/staging/sidecar.yaml': edited });
    const head = repo.head();
    await assert.rejects(
      commitPromotion(plan, plan.items, {
        git: new SimpleGitAdapter(repo.root),
        readFile: readRepoFile,
        logger: silentLogger,
      }),
      (e: unknown) =>
        e instanceof RefusedError &&
        /uncommitted changes in envs\/staging\/sidecar\.yaml: commit or stash them first/.test(e.message),
    );
    assert.equal(repo.head(), head);
    assert.equal(repo.git('branch', '--show-current').trim(), 'main');
    assert.equal(repo.git('branch', '--list', 'promote/*').trim(), '');
    assert.equal(repo.read('envs/staging/sidecar.yaml'), edited);
  });

  it('refuses the same promotion twice: the branch already exists', async () => {
    const deps = { git: new SimpleGitAdapter(repo.root), readFile: readRepoFile, logger: silentLogger };
    const first = await commitPromotion(plan, plan.items, deps);
    repo.git('switch', '-q', 'main');
    await assert.rejects(commitPromotion(plan, plan.items, deps), new RegExp(`branch ${first.branch} already exists`));
  });

  it('puts everything back when the commit fails (a failing pre-commit hook)', async () => {
    repo.write({ '.git/hooks/pre-commit': '#!/bin/sh\necho "hook says no" >&2\nexit 1\n' });
    chmodSync(join(repo.root, '.git/hooks/pre-commit'), 0o755);
    const head = repo.head();
    await assert.rejects(
      commitPromotion(plan, plan.items, {
        git: new SimpleGitAdapter(repo.root),
        readFile: readRepoFile,
        logger: silentLogger,
      }),
      /hook says no/,
    );
    assert.equal(repo.head(), head);
    assert.equal(repo.git('branch', '--show-current').trim(), 'main');
    assert.equal(repo.git('branch', '--list', 'promote/*').trim(), '');
    assert.equal(repo.status(), '');
  });
});
