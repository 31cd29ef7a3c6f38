import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { formatLocation } from '../../core/model/location';
import { joinPath } from '../../core/repo/config';
import { commitPromotion, promotionChanges } from '../../core/promote/commitPromotion';
import { promotionMessage } from '../../core/promote/commitMessage';
import { planPromotion } from '../../core/promote/planPromotion';
import { nextEnvironment } from '../../core/promote/promotionOrder';
import type { FileChange, PromotableItem, PromotionPlan } from '../../core/promote/types';
import { EditedFileSystem, verifyPromotion } from '../../core/promote/verifyPromotion';
import { renderKustomization } from '../../core/render/kustomize/kustomize';
import { NodeFileSystem } from '../../node/nodeFileSystem';
import { SimpleGitAdapter } from '../../node/simpleGit';
import { cliLogger, openRepo, refuseOnConfigErrors, repoRootArg } from './driftCommon';
import { repoReadOptions } from '../../node/regularFile';
import type { DriftEngine } from '../../core/engine';
import type { RepoEnvironment } from '../../core/repo/config';

const usage = `Usage: gitops-drift promote --from ENV [--to ENV] [REPO] [--images-only | --all] [--dry-run | --commit [--push REMOTE]]

Moves what differs from one environment to the next by editing the target's own files where it sets each value
(an images: entry, a patch, a generator literal), keeping comments and formatting. Prints the plan and a unified
diff; changes nothing unless --commit is given.

Options:
  --from ENV       source environment
  --to ENV         target environment (default: the next one in the promotion order)
  --images-only    promote image tags/digests only
  --all            also promote other values that differ (replicas, hosts, ...), not only images and literals
  --dry-run        only print the plan and the diff (the default)
  --commit         write the edits and commit them on a new branch promote/<from>-to-<to>-<short>
  --push REMOTE    with --commit: push the new branch to REMOTE (never forced)

Refuses, changing nothing, when a file to edit has uncommitted changes.
Exit codes: 0 done (or nothing to promote), 2 error or refused.`;

/** `gitops-drift promote`: plan, show and optionally commit a promotion between two environments. */
export const promoteCommand: CliCommand = {
  name: 'promote',
  summary: 'Promote images and values from one environment to the next (plan + diff; --commit makes a branch)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, { strings: ['from', 'to', 'push'], booleans: ['images-only', 'all', 'dry-run', 'commit'] });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    if (typeof options.from !== 'string') throw new UsageError('--from ENV is required');
    if (options.commit && options['dry-run']) throw new UsageError('--commit and --dry-run exclude each other');
    if (options['images-only'] && options.all) throw new UsageError('--images-only and --all exclude each other');
    if (options.push && !options.commit) throw new UsageError('--push needs --commit');
    const repoRoot = await repoRootArg(positionals[0], io);
    const { engine, repo } = await openRepo(repoRoot, io);
    refuseOnConfigErrors(repo, 'promoting');
    const source = await engine.environment(options.from);
    const targetName = typeof options.to === 'string' ? options.to : nextInPromotion(repo.promotion, source.name);
    const target = await engine.environment(targetName);
    if (source.name === target.name) throw new UsageError('--from and --to name the same environment');

    const fs = new NodeFileSystem(repoReadOptions(repoRoot, io.env));
    const readFile = (file: string) => fs.readFile(joinPath(repoRoot, file));
    const plan = await planPromotion({
      source: { name: source.name, render: await engine.render(source) },
      target: { name: target.name, render: await engine.render(target) },
      readFile,
    });
    const verify = async (changes: FileChange[]) => verifyPromotion(chosen, () => renderKustomization(joinPath(repoRoot, target.path), { fs: new EditedFileSystem(fs, repoRoot, changes), repoRoot }));
    const chosen = plan.items.filter((i) => (options['images-only'] ? i.kind === 'image' : options.all ? true : i.defaultSelected));
    printPlan(plan, chosen, io);
    if (chosen.length === 0) return 0;
    await noteOtherReaders(engine, repo.environments, chosen, [source.name, target.name], io);
    if (!options.commit) {
      const changes = await promotionChanges(chosen, readFile);
      for (const change of changes) io.stdout(change.patch.replace(/^=+\n/, ''));
      const wrong = await verify(changes);
      if (wrong.length) io.stderr(`warning: after these edits the target would not render as promoted:\n  ${wrong.join('\n  ')}\n`);
      io.stdout(`\nCommit message:\n${indent(promotionMessage(plan.source, plan.target, chosen))}\nNothing was changed (run with --commit to create the branch and commit).\n`);
      return 0;
    }
    const result = await commitPromotion(plan, chosen, {
      git: new SimpleGitAdapter(repoRoot),
      readFile,
      logger: cliLogger(io),
      verify,
      ...(typeof options.push === 'string' ? { pushRemote: options.push } : {}),
    });
    for (const change of result.changes) io.stdout(change.patch.replace(/^=+\n/, ''));
    io.stdout(`\nCommitted ${result.sha.slice(0, 7)} on new branch ${result.branch} (now checked out)${result.pushedTo ? `, pushed to ${result.pushedTo}` : ''}.\n`);
    return 0;
  },
};

function nextInPromotion(chains: string[][], from: string): string {
  const next = nextEnvironment(chains, from);
  if (next) return next;
  throw new UsageError(`no environment follows '${from}' in the promotion order (${chains.map((c) => c.join(' → ')).join('; ') || 'none'}): pass --to ENV`);
}

function printPlan(plan: PromotionPlan, chosen: PromotableItem[], io: CliIO): void {
  io.stdout(`Promote ${plan.source} → ${plan.target}: ${chosen.length} of ${plan.items.length} item(s)\n`);
  for (const item of plan.items) {
    const mark = chosen.includes(item) ? '[x]' : '[ ]';
    io.stdout(`  ${mark} ${item.label}  (${formatLocation(item.targetOrigin)})\n`);
  }
  if (plan.items.some((i) => !chosen.includes(i))) io.stdout('  ([ ] not promoted: use --all to include other values)\n');
  if (plan.skipped.length) {
    io.stdout('Not promotable:\n');
    for (const s of plan.skipped) io.stdout(`  ${s.resource.kind} ${s.resource.name} ${s.path}: ${s.reason}\n`);
  }
  io.stdout('\n');
}

/** Says which other environments read a file the promotion edits (an overlay built on the target's, say). */
async function noteOtherReaders(engine: DriftEngine, all: RepoEnvironment[], items: PromotableItem[], skip: string[], io: CliIO): Promise<void> {
  // Render every environment once, so that "who reads this file" is known for all of them.
  await Promise.all(all.map((e) => engine.render(e).catch(() => undefined)));
  for (const file of [...new Set(items.flatMap((i) => i.edits.map((e) => e.file)))].sort()) {
    const others = (await engine.environmentsReading(file)).filter((n) => !skip.includes(n));
    if (others.length) io.stderr(`note: ${file} is also read by ${others.join(', ')}: they change too\n`);
  }
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
