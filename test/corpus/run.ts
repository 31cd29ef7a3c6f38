/**
 * Corpus conformance: renders every kustomization folder of a local corpus folder with the real `kustomize build`
 * (test bed v5.7.1) and with our renderer, and counts how often they agree. Not part of `npm test`: the corpus is
 * other people's repos, checked out by hand (CI has no network).
 *
 *   npx tsx test/corpus/run.ts CORPUS_DIR [--record] [--verbose] [--text] [--only SUBSTRING]
 *
 * CORPUS_DIR holds one folder per repo (the repo root: nothing outside it is read). Each kustomization folder is
 * one of:
 * - match: the same objects, values and order (read back as YAML 1.2, as kyaml reads kustomize's output);
 * - order: the same objects and values, another order;
 * - mismatch: objects or values differ;
 * - both fail: kustomize and we both refuse it (helmCharts without --enable-helm, a missing file...);
 * - only ours fails / only kustomize fails;
 * - unsupported: kustomize fails for want of the network or a flag (a remote base, helmCharts, a plugin) where we
 *   render the rest and warn at the line (what we do by design: nothing fetched or executed).
 * "Identical" (the target) is match + both fail. `text` counts folders whose printed YAML (`gitops-drift render`)
 * is byte for byte what kustomize prints (`--text` shows where the others differ). `--record` writes the summary into
 * docs/conformance.md.
 */
import { SKIPPED_CONTENT } from '../../src/core/model/problem';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { renderKustomization } from '../../src/core/render/kustomize/kustomize';
import { kustomizeYaml } from '../../src/core/render/kustomize/kustomizeYaml';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { compareObjects, idOf } from '../conformance/compareObjects';
import { parseStream } from '../conformance/kustomizeCli';
import { testbedBin } from '../testbed/bins';

type Verdict =
  'match' | 'order' | 'mismatch' | 'both fail' | 'only ours fails' | 'only kustomize fails' | 'unsupported';

interface Outcome {
  repo: string;
  dir: string;
  verdict: Verdict;
  text: boolean;
  detail: string;
  kustomizeMs: number;
  oursMs: number;
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

function kustomizationDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    if (names.some((n) => KUSTOMIZATION_FILES.includes(n))) found.push(dir);
    for (const n of names) {
      if (n === '.git' || n === 'node_modules') continue;
      const p = join(dir, n);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {
        // a dangling link: not a folder
      }
    }
  };
  walk(root);
  return found.sort();
}

function runKustomize(bin: string, dir: string): Promise<{ ok: boolean; stdout: string; stderr: string; ms: number }> {
  const start = performance.now();
  return new Promise((done) => {
    execFile(bin, ['build', dir], { cwd: dir, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ ok: !err, stdout, stderr: stderr.trim(), ms: performance.now() - start });
    });
  });
}

async function judge(bin: string, repoRoot: string, dir: string): Promise<Outcome> {
  const repo = relative(resolve(repoRoot, '..'), repoRoot);
  const rel = relative(repoRoot, dir) || '.';
  const k = await runKustomize(bin, dir);
  const start = performance.now();
  let ours: Awaited<ReturnType<typeof renderKustomization>> | undefined;
  let oursError = '';
  try {
    ours = await renderKustomization(rel, { fs: new NodeFileSystem(), repoRoot });
  } catch (e) {
    oursError = e instanceof Error ? e.message : String(e);
  }
  const oursMs = performance.now() - start;
  const base = { repo, dir: rel, kustomizeMs: k.ms, oursMs, text: false };
  if (!k.ok && !ours)
    return {
      ...base,
      verdict: 'both fail',
      detail: `kustomize: ${firstLine(k.stderr)}\nours: ${firstLine(oursError)}`,
    };
  if (!k.ok && ours) {
    // Content we skip by design (a remote base, a plugin, a chart without the engine) is tagged by the renderer.
    const warned = ours.problems.some(
      (p) => p.code === SKIPPED_CONTENT || /not fetched|not supported yet|never executed/.test(p.message),
    );
    return {
      ...base,
      verdict: warned ? 'unsupported' : 'only kustomize fails',
      detail: `kustomize: ${firstLine(k.stderr)}`,
    };
  }
  if (!ours) return { ...base, verdict: 'only ours fails', detail: `ours: ${oursError}` };
  const want = parseStream(k.stdout);
  const got = ours.objects.map((o) => o.object);
  const printed = ours.objects.map((o) => kustomizeYaml(o.object, o.exactIntegers)).join('---\n');
  const text = printed === k.stdout;
  const diff = compareObjects(want, got);
  if (!diff) return { ...base, verdict: 'match', text, detail: text ? '' : firstTextDifference(k.stdout, printed) };
  const sameSet =
    want.length === got.length && want.every((w) => got.some((g) => idOf(g) === idOf(w) && isDeepStrictEqual(g, w)));
  return { ...base, verdict: sameSet ? 'order' : 'mismatch', text, detail: diff };
}

/** The first line where our printed YAML differs from kustomize's, with the line before it. */
function firstTextDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  const i = a.findIndex((l, n) => l !== b[n]);
  const at = i < 0 ? a.length : i;
  return `printed YAML differs at line ${at + 1}:\n  ${a[at - 1] ?? ''}\n- ${a[at] ?? '<end>'}\n+ ${b[at] ?? '<end>'}`;
}

/** The error line of a message (kustomize prints deprecation warnings first). */
function firstLine(s: string): string {
  const lines = s.split('\n');
  return (lines.find((l) => l.startsWith('Error:')) ?? lines.find((l) => l.trim()) ?? '').slice(0, 300);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const corpus = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--only');
  if (!corpus)
    throw new Error('usage: tsx test/corpus/run.ts CORPUS_DIR [--record] [--verbose] [--text] [--only SUBSTRING]');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const bin = testbedBin('kustomize');
  const outcomes: Outcome[] = [];
  for (const name of readdirSync(corpus).sort()) {
    const repoRoot = resolve(corpus, name);
    if (!statSync(repoRoot).isDirectory()) continue;
    for (const dir of kustomizationDirs(repoRoot)) {
      if (only && !dir.includes(only)) continue;
      const o = await judge(bin, repoRoot, dir);
      outcomes.push(o);
      if (
        o.verdict !== 'match' &&
        o.verdict !== 'both fail' &&
        (o.verdict !== 'unsupported' || args.includes('--verbose'))
      ) {
        console.log(`${o.verdict.toUpperCase()} ${o.repo}/${o.dir}`);
        if (args.includes('--verbose')) console.log(o.detail.split('\n').slice(0, 40).join('\n'));
      } else if (args.includes('--verbose') && o.verdict === 'both fail')
        console.log(`BOTH FAIL ${o.repo}/${o.dir}\n${o.detail}`);
      else if (args.includes('--text') && o.verdict === 'match' && !o.text)
        console.log(`TEXT ${o.repo}/${o.dir}\n${o.detail}`);
    }
  }
  const count = (v: Verdict) => outcomes.filter((o) => o.verdict === v).length;
  const identical = count('match') + count('both fail');
  const pct = outcomes.length ? ((100 * identical) / outcomes.length).toFixed(1) : '0';
  const comparable = outcomes.length - count('unsupported');
  const pctComparable = comparable ? ((100 * identical) / comparable).toFixed(1) : '0';
  const sum = (f: (o: Outcome) => number) => (outcomes.reduce((s, o) => s + f(o), 0) / 1000).toFixed(2);
  const repos = [...new Set(outcomes.map((o) => o.repo))];
  const rendered = outcomes.filter((o) => o.verdict === 'match' || o.verdict === 'order' || o.verdict === 'mismatch');
  const lines = [
    `${outcomes.length} kustomization folders in ${repos.length} repos: ${identical} identical (${pct}%) — ` +
      `${count('match')} match (objects, values and order), ${count('both fail')} fail in both.`,
    `Without the ${count('unsupported')} folders kustomize cannot build offline or without flags (remote bases, helmCharts, plugins; ` +
      `we render the rest and warn at the line): ${identical} of ${comparable} identical (${pctComparable}%).`,
    `Differences: ${count('order')} order only, ${count('mismatch')} objects or values, ${count('only ours fails')} fail only with us, ` +
      `${count('only kustomize fails')} fail only in kustomize.`,
    `Printed YAML byte for byte identical: ${rendered.filter((o) => o.text).length} of ${rendered.length} folders both render.`,
    `Time, summed over folders: kustomize ${sum((o) => o.kustomizeMs)} s (a process each), ours ${sum((o) => o.oursMs)} s (in-process, no cache).`,
  ];
  console.log('\n' + lines.join('\n'));
  const differing = outcomes.filter(
    (o) => o.verdict !== 'match' && o.verdict !== 'both fail' && o.verdict !== 'unsupported',
  );
  if (args.includes('--record')) record(repos, outcomes, lines, differing);
}

/** Replaces the corpus section of docs/conformance.md with this run. */
function record(repos: string[], outcomes: Outcome[], summary: string[], differing: Outcome[]): void {
  const file = resolve(__dirname, '..', '..', 'docs', 'conformance.md');
  const begin = '<!-- corpus:begin -->';
  const end = '<!-- corpus:end -->';
  const perRepo = repos.map((r) => {
    const mine = outcomes.filter((o) => o.repo === r);
    const same = mine.filter((o) => o.verdict === 'match' || o.verdict === 'both fail').length;
    const unsupported = mine.filter((o) => o.verdict === 'unsupported').length;
    return `| ${r} | ${mine.length} | ${same} | ${unsupported} | ${mine.length - same - unsupported} |`;
  });
  const section = [
    begin,
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (\`npx tsx test/corpus/run.ts /work/corpus --record\`):`,
    '',
    ...summary.map((l) => `- ${l}`),
    '',
    '| repo | folders | identical | unsupported (warned) | differ |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...perRepo,
    '',
    differing.length ? 'Folders that differ:' : 'No folder differs.',
    ...differing.map(
      (o) =>
        `- ${o.verdict}: \`${o.repo}/${o.dir}\`${o.verdict.includes('fails') ? ` — ${firstLine(o.detail.replace(/^(ours|kustomize): /, ''))}` : ''}`,
    ),
    end,
  ].join('\n');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Conformance with kustomize\n';
  const next = text.includes(begin)
    ? text.slice(0, text.indexOf(begin)) + section + text.slice(text.indexOf(end) + end.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
