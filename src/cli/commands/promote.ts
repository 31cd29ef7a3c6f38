import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { formatLocation } from '../../core/model/location';
import { joinPath } from '../../core/repo/config';
import { commitPromotion, promotionChanges } from '../../core/promote/commitPromotion';
import { promotionMessage } from '../../core/promote/commitMessage';
import { nextEnvironment } from '../../core/promote/promotionOrder';
import type { FileChange, PromotableItem, PromotionPlan } from '../../core/promote/types';
import {
  EditedFileSystem,
  renderEnvironmentWith,
  verifyEnvironments,
  verifyPromotion,
} from '../../core/promote/verifyPromotion';
import { planPromotion, type RenderedEnvironment } from '../../core/promote/planPromotion';
import { RefusedError } from '../../core/promote/refusal';
import { silentLogger, type Git } from '../../core/ports';
import { NodeFileSystem } from '../../node/nodeFileSystem';
import { SimpleGitAdapter } from '../../node/simpleGit';
import { cliLogger, openRepo, refuseOnConfigErrors, repoRootArg } from './driftCommon';
import { repoReadOptions } from '../../node/regularFile';
import type { DriftEngine } from '../../core/engine';
import type { RepoEnvironment } from '../../core/repo/config';

const usage = `Usage: gitops-drift promote --from ENV [--to ENV] [REPO] [--images-only | --all] [--allow-downgrade]
                         [--dry-run | --commit [--push REMOTE]] [--format text|json]

Moves a release from one environment to the next by editing the target's own files where it sets each value
(an images: entry, a patch, a generator literal), keeping comments and formatting. Prints the plan and a unified
diff; changes nothing unless --commit is given.

What moves by default: images (tag and digest) and values that are the same across the earlier stages (a
release's config). Values that differ by design stay: environment names, values that differ in every
environment (URLs, hosts), replicas, resource sizes, credentials. Each line says why; promote.move and
promote.keep in .gitops-drift.yaml tune it. An edit to a file other environments read says "also changes …"
and is left out unless chosen (--all); the target gets its own images: entry instead where it can.

Options:
  --from ENV         source environment
  --to ENV           target environment (default: the next stage in the promotion order, same region first)
  --images-only      promote image tags/digests only
  --all              also promote what stays by default (values that differ by design, edits of shared files)
  --allow-downgrade  also promote images that move the target backwards (⚠ downgrade 3.0 → 2.0)
  --dry-run          only print the plan and the diff (the default)
  --commit           write the edits and commit them on a new branch promote/<from>-to-<to>-<short>
  --push REMOTE      with --commit: push the new branch to REMOTE (never forced)
  --format FORMAT    text (default) or json: the plan, the warnings, the environments touched (docs/promote.md)

Before committing, every environment is rendered again with the edits: the commit is refused if any changes
besides the target and those the chosen edits name. Refuses, changing nothing, when a file to edit has
uncommitted changes.
Exit codes: 0 done (or nothing to promote), 2 error or refused (a downgrade left out with nothing else to do).`;

/** `gitops-drift promote`: plan, show and optionally commit a promotion between two environments. */
export const promoteCommand: CliCommand = {
  name: 'promote',
  summary: 'Promote images and values from one environment to the next (plan + diff; --commit makes a branch)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, {
      strings: ['from', 'to', 'push', 'format'],
      booleans: ['images-only', 'all', 'allow-downgrade', 'dry-run', 'commit'],
    });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    if (typeof options.from !== 'string') throw new UsageError('--from ENV is required');
    if (options.commit && options['dry-run']) throw new UsageError('--commit and --dry-run exclude each other');
    if (options['images-only'] && options.all) throw new UsageError('--images-only and --all exclude each other');
    if (options.push && !options.commit) throw new UsageError('--push needs --commit');
    const format = options.format ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw new UsageError(`--format must be text or json, not ${String(format)}`);
    const json = format === 'json';
    const repoRoot = await repoRootArg(positionals[0], io);
    const { engine, repo } = await openRepo(repoRoot, io);
    refuseOnConfigErrors(repo, 'promoting');
    const source = await engine.environment(options.from);
    const targetName = typeof options.to === 'string' ? options.to : nextInPromotion(repo.promotion, source.name);
    const target = await engine.environment(targetName);
    if (source.name === target.name) throw new UsageError('--from and --to name the same environment');

    const fs = new NodeFileSystem(repoReadOptions(repoRoot, io.env));
    const readFile = (file: string) => fs.readFile(joinPath(repoRoot, file));
    const git = new SimpleGitAdapter(repoRoot);
    // Every environment's render: what a value is elsewhere, who reads an edited file, and the check before commit.
    const all = await renderAll(engine, repo.environments);
    const plan = await planPromotion({
      source: { name: source.name, render: await engine.render(source) },
      target: { name: target.name, render: await engine.render(target) },
      readFile,
      others: all,
      promotion: repo.promotion,
      policy: repo.config.promote,
      // A digest the earlier stages run no more may have run there before: their files' history says.
      // Without history (not a git work tree) only what runs now counts.
      ranBefore: (ref, stages) =>
        git.historyMentions!(ref.slice(ref.indexOf('@') + 1), [
          ...new Set(all.filter((e) => stages.includes(e.name)).flatMap((e) => e.render.files)),
        ]).catch(() => false),
    });
    // --all never takes both ways of one change: where the target's own overlay can take it, the shared file stays.
    const ownWay = (i: PromotableItem) =>
      i.alsoChanges.length > 0 && plan.items.some((o) => o !== i && o.where === i.where && o.alsoChanges.length === 0);
    const wanted = plan.items.filter((i) =>
      options['images-only']
        ? i.kind === 'image'
        : options.all
          ? !ownWay(i)
          : i.defaultSelected || (i.direction === 'downgrade' && i.alsoChanges.length === 0),
    );
    const downgrades = options['allow-downgrade'] ? [] : wanted.filter((i) => i.direction === 'downgrade');
    const chosen = wanted.filter((i) => !downgrades.includes(i));
    const verify = async (changes: FileChange[]) => {
      const edited = new EditedFileSystem(fs, repoRoot, changes);
      const wrong = await verifyPromotion(chosen, () =>
        renderEnvironmentWith(target, edited, repoRoot, engine.renderPorts()),
      );
      const accepted = [target.name, ...chosen.flatMap((i) => i.alsoChanges)];
      const others = await verifyEnvironments(
        all.map((e) => ({ name: e.name, objects: e.render.objects })),
        accepted,
        (name) =>
          renderEnvironmentWith(
            repo.environments.find((e) => e.name === name)!,
            edited,
            repoRoot,
            engine.renderPorts(),
          ),
      );
      return [...wrong, ...others.unaccepted];
    };
    const refusedDowngrade = downgrades.length > 0 && chosen.length === 0;
    const downgradeNote = `left out: ${downgrades.map((d) => d.label).join('; ')} would move ${target.name} backwards; pass --allow-downgrade to promote it`;
    if (json)
      return promoteJson(plan, chosen, {
        io,
        git,
        readFile,
        verify,
        commit: options.commit === true,
        push: typeof options.push === 'string' ? options.push : undefined,
        refusal: refusedDowngrade ? downgradeNote : undefined,
      });
    printPlan(plan, chosen, io);
    if (downgrades.length) io.stderr(`${refusedDowngrade ? 'refused' : 'warning'}: ${downgradeNote}\n`);
    if (refusedDowngrade) return 2;
    if (chosen.length === 0) return 0;
    const touched = [...new Set(chosen.flatMap((i) => i.alsoChanges))];
    if (touched.length) io.stderr(`note: the chosen edits also change ${touched.join(', ')}\n`);
    if (!options.commit) {
      const changes = await promotionChanges(chosen, readFile);
      for (const change of changes) io.stdout(change.patch.replace(/^=+\n/, ''));
      const wrong = await verify(changes);
      if (wrong.length) io.stderr(`warning: --commit would refuse these edits:\n  ${wrong.join('\n  ')}\n`);
      io.stdout(
        `\nCommit message:\n${indent(promotionMessage(plan.source, plan.target, chosen))}\nNothing was changed (run with --commit to create the branch and commit).\n`,
      );
      return 0;
    }
    const result = await commitPromotion(plan, chosen, {
      git,
      readFile,
      logger: cliLogger(io),
      verify,
      ...(typeof options.push === 'string' ? { pushRemote: options.push } : {}),
    });
    for (const change of result.changes) io.stdout(change.patch.replace(/^=+\n/, ''));
    io.stdout(
      `\nCommitted ${result.sha.slice(0, 7)} on new branch ${result.branch} (now checked out)${result.pushedTo ? `, pushed to ${result.pushedTo}` : ''}.\n`,
    );
    return 0;
  },
};

async function renderAll(engine: DriftEngine, environments: RepoEnvironment[]): Promise<RenderedEnvironment[]> {
  const out: RenderedEnvironment[] = [];
  for (const env of environments) {
    try {
      out.push({ name: env.name, render: await engine.render(env) });
    } catch {
      // An environment that does not render is not one an edit can be checked against; `check` reports it.
    }
  }
  return out;
}

function nextInPromotion(chains: string[][], from: string): string {
  const next = nextEnvironment(chains, from);
  if (next) return next;
  throw new UsageError(
    `no environment follows '${from}' in the promotion order (${chains.map((c) => c.join(' → ')).join('; ') || 'none'}): pass --to ENV`,
  );
}

function printPlan(plan: PromotionPlan, chosen: PromotableItem[], io: CliIO): void {
  io.stdout(`Promote ${plan.source} → ${plan.target}: ${chosen.length} of ${plan.items.length} item(s)\n`);
  for (const item of plan.items) {
    const mark = chosen.includes(item) ? '[x]' : '[ ]';
    io.stdout(`  ${mark} ${item.label}  (${formatLocation(item.targetOrigin)})\n`);
    const notes = [...item.warnings, ...(item.kind === 'image' ? [] : [item.classification.reason])];
    if (notes.length) io.stdout(`        ${notes.join('; ')}\n`);
  }
  if (plan.items.some((i) => !chosen.includes(i)))
    io.stdout('  ([ ] not promoted: use --all to include what stays by default, --allow-downgrade for a downgrade)\n');
  if (plan.skipped.length) {
    io.stdout('Not promotable:\n');
    for (const s of plan.skipped) io.stdout(`  ${s.where}: ${s.reason}\n`);
  }
  io.stdout('\n');
}

/** `--format json`: one document for a bot that opens pull requests. Values classed as credentials are not printed. */
async function promoteJson(
  plan: PromotionPlan,
  chosen: PromotableItem[],
  o: {
    io: CliIO;
    git: Git;
    readFile: (file: string) => Promise<string>;
    verify: (changes: FileChange[]) => Promise<string[]>;
    commit: boolean;
    push?: string;
    refusal?: string;
  },
): Promise<number> {
  const hidden = (i: PromotableItem, v: unknown) => (i.classification.class === 'secret' ? '***' : v);
  const doc: Record<string, unknown> = {
    source: plan.source,
    target: plan.target,
    items: plan.items.map((i) => ({
      id: i.id,
      kind: i.kind,
      label: i.label,
      where: i.where,
      from: hidden(i, i.targetValue),
      to: hidden(i, i.sourceValue),
      selected: chosen.includes(i),
      class: i.classification.class,
      moves: i.classification.moves,
      reason: i.classification.reason,
      ...(i.direction ? { direction: i.direction } : {}),
      warnings: i.warnings,
      alsoChanges: i.alsoChanges,
      file: i.targetOrigin.file,
      line: i.targetOrigin.line,
    })),
    skipped: plan.skipped.map((s) => ({ where: s.where, reason: s.reason })),
    warnings: [...new Set(plan.items.flatMap((i) => i.warnings.map((w) => `${i.label}: ${w}`)))],
    environmentsTouched: chosen.length ? [plan.target, ...new Set(chosen.flatMap((i) => i.alsoChanges))] : [],
  };
  const done = (code: number) => {
    o.io.stdout(JSON.stringify(doc, null, 2) + '\n');
    return code;
  };
  if (o.refusal) {
    doc.refused = o.refusal;
    return done(2);
  }
  if (!chosen.length) return done(0);
  const changes = await promotionChanges(chosen, o.readFile);
  doc.changes = changes.map((c) => ({ file: c.file, patch: c.patch }));
  doc.commitMessage = promotionMessage(plan.source, plan.target, chosen);
  const wrong = await o.verify(changes);
  doc.verify = wrong;
  if (!o.commit) return done(0);
  try {
    const result = await commitPromotion(plan, chosen, {
      git: o.git,
      readFile: o.readFile,
      logger: silentLogger,
      verify: () => Promise.resolve(wrong),
      ...(o.push ? { pushRemote: o.push } : {}),
    });
    doc.commit = { branch: result.branch, sha: result.sha, ...(result.pushedTo ? { pushedTo: result.pushedTo } : {}) };
    return done(0);
  } catch (e) {
    if (!RefusedError.is(e)) throw e;
    doc.refused = e.message;
    return done(2);
  }
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
