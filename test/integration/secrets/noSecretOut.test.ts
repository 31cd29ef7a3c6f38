/**
 * No Secret value leaves the product, in any output form. A repo holds Secrets with marker values (data, stringData,
 * a secretGenerator literal); the cluster holds the same Secrets applied by kubectl (so the last-applied annotation
 * carries every applied value) with other markers, some only in the cluster, and one embedded as JSON in another
 * annotation. Every command and every editor document is run and grepped for each marker, plain and base64.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { compareEnvironments } from '../../../src/core/authoring/compareEnvironments';
import { effectiveValueRows, effectiveValues, fieldAtPosition } from '../../../src/core/authoring/effectiveValues';
import { renderedYaml } from '../../../src/core/authoring/renderedText';
import { DriftEngine } from '../../../src/core/engine';
import { unifiedDiff, diffPairs } from '../../../src/core/drift/unifiedDiff';
import type { Logger } from '../../../src/core/ports';
import { previewPutLiveBack } from '../../../src/core/promote/putLiveBack';
import { createKubeApplier } from '../../../src/node/kubeApplier';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const run = Date.now().toString(36);
/** Values git holds. */
const GIT = {
  token: `gitTokenMarker-${run}`,
  literal: `gitLiteralMarker-${run}`,
  prodLiteral: `gitProdLiteralMarker-${run}`,
  data: `gitDataMarker-${run}`,
};
/** Values only the cluster holds (hand-rotated), in data, the last-applied annotation and an embedded copy. */
const LIVE = {
  token: `liveTokenMarker-${run}`,
  onlyLive: `liveOnlyMarker-${run}`,
  embedded: `liveEmbeddedMarker-${run}`,
};
const MARKERS = [...Object.values(GIT), ...Object.values(LIVE)];
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every marker and its base64 form that occurs in `text`, as `marker (form)` lines. */
function leaks(text: string): string[] {
  return MARKERS.flatMap((m) => [
    ...(text.includes(m) ? [`${m} (plain)`] : []),
    ...(text.includes(b64(m)) ? [`${m} (base64)`] : []),
    // Inside a longer base64 text the marker's encoding depends on its offset: the unpadded core of each alignment.
    ...[0, 1, 2]
      .filter((pad) => text.includes(b64('x'.repeat(pad) + m).slice(pad ? 4 : 0, -4)))
      .map((pad) => `${m} (base64 at offset ${pad})`),
  ]);
}

async function cli(
  cwd: string,
  env: NodeJS.ProcessEnv,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, color: false, env };
  return { code: await runCli(argv, io), out, err };
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

describe('no Secret value in any output (real API server)', function () {
  this.timeout(120_000);
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('masks every marker in CLI text, JSON, SARIF, diffs, snapshots, previews, editor documents and logs', async () => {
    const c = testCluster();
    const devNs = await freshNamespace('secrets-dev');
    const prodNs = await freshNamespace('secrets-prod');
    const root = mkdtempSync(join(tmpdir(), 'gitops-drift-secrets-'));
    const home = mkdtempSync(join(tmpdir(), 'gitops-drift-secrets-home-'));
    roots.push(root, home);
    writeFiles(root, {
      '.gitops-drift.yaml': `environments:\n  - name: dev\n    path: envs/dev\n    namespace: ${devNs}\n  - name: prod\n    path: envs/prod\n    namespace: ${prodNs}\npromotion: [dev, prod]\n`,
      'base/kustomization.yaml': `resources:\n  - api-token.yaml\nsecretGenerator:\n  - name: db\n    literals:\n      - DB_PASSWORD=${GIT.literal}\ngeneratorOptions:\n  disableNameSuffixHash: true\n`,
      'base/api-token.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-token\nstringData:\n  TOKEN: ${GIT.token}\ndata:\n  OTHER: ${b64(GIT.data)}\n`,
      'envs/dev/kustomization.yaml': `namespace: ${devNs}\nresources:\n  - ../../base\n`,
      'envs/prod/kustomization.yaml': `namespace: ${prodNs}\nresources:\n  - ../../base\nsecretGenerator:\n  - name: db\n    behavior: replace\n    literals:\n      - DB_PASSWORD=${GIT.prodLiteral}\n`,
    });
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        stdio: 'pipe',
      });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'init');

    // The cluster: kubectl client-side apply (last-applied holds every value), values git does not know, and an
    // annotation that embeds the object as JSON.
    const kubectl = (args: string[], input?: string) =>
      execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
        input,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    for (const ns of [devNs, prodNs]) {
      const embedded = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { TOKEN: b64(LIVE.embedded) } });
      kubectl(
        ['apply', '-n', ns, '-f', '-'],
        stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'api-token', annotations: { 'example.com/copy': embedded } },
          stringData: { TOKEN: LIVE.token, ONLY_LIVE: LIVE.onlyLive },
          data: { OTHER: b64(GIT.data) },
        }),
      );
      kubectl(
        ['apply', '-n', ns, '-f', '-'],
        stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db' },
          stringData: { DB_PASSWORD: ns === devNs ? GIT.literal : LIVE.onlyLive },
        }),
      );
    }

    const env: NodeJS.ProcessEnv = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    const target = ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext];
    const snapshotFile = join(home, 'snap.yaml');
    const outputs: Record<string, string> = {};
    const record = (name: string, r: { code: number; out: string; err: string }) => {
      outputs[name] = r.out + r.err;
      return r;
    };

    record('envs', await cli(root, env, 'envs', root));
    record('envs json', await cli(root, env, 'envs', root, '--format', 'json'));
    record('render --mask-secrets', await cli(root, env, 'render', join(root, 'envs/prod'), '--mask-secrets'));
    record('render --origins', await cli(root, env, 'render', join(root, 'envs/prod'), '--origins'));
    for (const format of ['text', 'json', 'sarif']) {
      record(`lint ${format}`, await cli(root, env, 'lint', root, '--format', format));
      const check = record(`check ${format}`, await cli(root, env, 'check', root, ...target, '--format', format));
      assert.equal(check.code, 1, `check ${format} finds the rotated values: ${check.out}${check.err}`);
    }
    record('check --exact', await cli(root, env, 'check', root, ...target, '--exact'));
    const diff = record('diff', await cli(root, env, 'diff', root, ...target));
    const snap = record('snapshot', await cli(root, env, 'snapshot', root, ...target, '--out', snapshotFile));
    assert.equal(snap.code, 0, snap.err);
    outputs['snapshot file'] = readFileSync(snapshotFile, 'utf8');
    for (const format of ['text', 'json', 'sarif']) {
      const offline = record(
        `check --live-from ${format}`,
        await cli(root, env, 'check', root, '--live-from', snapshotFile, '--format', format),
      );
      assert.equal(
        offline.code,
        1,
        `the snapshot compares Secret values with the user's key: ${offline.out}${offline.err}`,
      );
    }
    const putBack = record('put-back preview', await cli(root, env, 'put-back', root, '--env', 'prod', ...target));
    assert.equal(putBack.code, 1, putBack.out + putBack.err);
    record('promote --dry-run', await cli(root, env, 'promote', root, '--from', 'dev', '--to', 'prod', '--dry-run'));
    record('revert --list', await cli(root, env, 'revert', root, '--env', 'prod', '--list'));

    // The editor's documents and log, through the same core calls the extension makes.
    const logLines: string[] = [];
    const log = (level: string) => (m: unknown) =>
      logLines.push(`${level} ${m instanceof Error ? (m.stack ?? m.message) : String(m)}`);
    const logger: Logger = {
      trace: log('trace'),
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
    };
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root, logger });
    const repo = await engine.load();
    const reader = await createKubeClusterReader({
      kubeconfigPath: c.kubeconfigPath,
      context: c.adminContext,
      env: {},
      logger,
    });
    const writer = await createKubeApplier({
      kubeconfigPath: c.kubeconfigPath,
      context: c.adminContext,
      env: {},
      logger,
    });
    const renders = [];
    for (const e of repo.environments) {
      const result = await engine.render(e);
      renders.push({ name: e.name, result });
      outputs[`preview ${e.name}`] = renderedYaml(result, { showOrigins: true });
      const { report, objects } = await engine.compareObjects(e, { reader, context: c.adminContext, writer });
      outputs[`diff documents ${e.name}`] = objects
        .map((o) => `${o.diff?.desired ? stringify(o.diff.desired) : ''}${o.diff?.live ? stringify(o.diff.live) : ''}`)
        .join('---\n');
      outputs[`unified diff ${e.name}`] = unifiedDiff(diffPairs(objects, e.name));
      outputs[`report ${e.name}`] = JSON.stringify(report);
      const apply = objects.filter((o) => o.result.verdict !== 'InSync' && o.desired).map((o) => o.desired!.object);
      outputs[`put-back preview ${e.name}`] = JSON.stringify(
        await previewPutLiveBack(writer, { apply }, logger),
        (k, v) => (k === 'desired' ? undefined : v),
      );
    }
    const compared = compareEnvironments(renders[0], renders[1]);
    outputs['compare'] = JSON.stringify(compared);
    const baseToken = readFileSync(join(root, 'base/api-token.yaml'), 'utf8');
    const field = fieldAtPosition(baseToken, 'base/api-token.yaml', 6, 5);
    assert.ok(field, 'the hover finds the TOKEN field');
    outputs['hover'] = JSON.stringify(effectiveValueRows(effectiveValues(field, renders)));
    outputs['log'] = logLines.join('\n');

    // The checks bite: the outputs did show Secrets (masked) and differing values, and the raw render has the markers.
    assert.match(diff.out, /\(secret: #[0-9a-f]{12}\)/);
    assert.match(putBack.out, /^update Secret secrets-prod-\w+\/api-token$/m);
    assert.match(outputs['hover'], /\(secret: #[0-9a-f]{12}\)/);
    const raw = await cli(root, env, 'render', join(root, 'envs/prod'));
    assert.ok(
      leaks(raw.out).length >= 2,
      '`render` prints Secrets in full, as kustomize does: the grep finds them there',
    );
    assert.ok(
      leaks(kubectl(['get', 'secret', 'api-token', '-n', prodNs, '-o', 'json'])).length >= 3,
      'the cluster holds the live markers',
    );

    const found = Object.entries(outputs).flatMap(([name, text]) => leaks(text).map((l) => `${name}: ${l}`));
    assert.deepEqual(found, []);
    assert.ok(Object.keys(outputs).length >= 25);
  });
});
