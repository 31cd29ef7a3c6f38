import assert from 'node:assert/strict';
import { imageArrivalRows, imageEntryAt } from '../../../src/core/editor/imageArrivals';
import type { HistoryCommit, RepoHistory } from '../../../src/core/history/types';

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  # the web image
  - name: ghcr.io/acme/web
    newTag: 1.3.0
  - name: shop/api
    newName: ghcr.io/acme/api
    newTag: "2.0"
    digest: sha256:${'b'.repeat(64)}
  - name: only/renamed
    newName: ghcr.io/acme/renamed
`;

const commit = (sha: string, date: string, subject: string): HistoryCommit => ({ sha, author: 'Ada', date, subject });

describe('images: entry hover (core/editor/imageArrivals)', () => {
  it('finds the entry on any of its lines, with the image as rendered (newName) and its version', () => {
    assert.equal(imageEntryAt(KUSTOMIZATION, 4), undefined, 'the images: key itself');
    assert.equal(imageEntryAt(KUSTOMIZATION, 5), undefined, 'a comment between entries');
    assert.deepEqual(imageEntryAt(KUSTOMIZATION, 7), { name: 'ghcr.io/acme/web', newTag: '1.3.0', lines: [6, 7] });
    const api = imageEntryAt(KUSTOMIZATION, 9);
    assert.deepEqual(api, {
      name: 'shop/api',
      newName: 'ghcr.io/acme/api',
      newTag: '2.0',
      digest: `sha256:${'b'.repeat(64)}`,
      lines: [8, 11],
    });
    assert.equal(imageEntryAt(KUSTOMIZATION, 12), undefined, 'neither a tag nor a digest: no version to follow');
    assert.equal(imageEntryAt(KUSTOMIZATION, 3), undefined, 'resources:');
    assert.equal(imageEntryAt('images: [\n', 0), undefined, 'broken YAML');
  });

  it('says when the version first reached each environment, and whether it runs there now', () => {
    const c8 = commit('8'.repeat(40), '2026-11-12T08:00:00+00:00', 'dev: web 1.3.0');
    const c10 = commit('a'.repeat(40), '2026-11-14T08:00:00+00:00', 'prod: web 1.3.0');
    const web = (tag: string) => ({ image: 'ghcr.io/acme/web', version: { tag } });
    const object = { kind: 'Deployment', namespace: 'shop', name: 'web' };
    const history = {
      environments: ['dev', 'staging', 'prod'].map((environment) => ({
        environment,
        deployments: [],
        renderErrors: [],
      })),
      arrivals: [
        { artifact: 'ghcr.io/acme/web:1.1.0', ...web('1.1.0'), environment: 'prod' },
        { artifact: 'ghcr.io/acme/web:1.3.0', ...web('1.3.0'), environment: 'dev', commit: c8 },
        { artifact: 'ghcr.io/acme/web:1.3.0', ...web('1.3.0'), environment: 'prod', commit: c10 },
        { artifact: 'ghcr.io/acme/web:1.3.0', ...web('1.3.0'), environment: 'prod', commit: c10 },
      ],
      current: [
        { environment: 'dev', objects: [], images: [{ object, container: 'web', ...web('1.3.0') }] },
        { environment: 'prod', objects: [], images: [{ object, container: 'web', ...web('1.1.0') }] },
      ],
    } as unknown as RepoHistory;
    const rows = imageArrivalRows(history, imageEntryAt(KUSTOMIZATION, 6)!);
    assert.deepEqual(
      rows.map((r) => [r.environment, r.arrival?.commit?.subject, r.runningNow]),
      [
        ['dev', 'dev: web 1.3.0', true],
        ['staging', undefined, false],
        ['prod', 'prod: web 1.3.0', false],
      ],
    );
  });

  it('follows a digest when the entry pins one (the tag is then only a label)', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const history = {
      environments: [{ environment: 'dev', deployments: [], renderErrors: [] }],
      arrivals: [
        {
          artifact: 'x',
          image: 'ghcr.io/acme/api',
          version: { tag: '2.0', digest: `sha256:${'c'.repeat(64)}` },
          environment: 'dev',
        },
        { artifact: 'y', image: 'ghcr.io/acme/api', version: { tag: '2.0', digest }, environment: 'dev' },
      ],
      current: [],
    } as unknown as RepoHistory;
    const [row] = imageArrivalRows(history, imageEntryAt(KUSTOMIZATION, 10)!);
    assert.equal(row.arrival?.artifact, 'y');
  });
});
