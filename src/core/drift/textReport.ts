/**
 * The `check` text report: one line per drifted field or non-InSync object, columns aligned, then one summary line
 * per environment —
 * `prod  Deployment shop-prod/web  replicas: git 3, live 5   envs/prod/patch.yaml:7`.
 */
import type { EnvironmentDrift, ResourceDrift } from '../model/drift';
import {
  countStates,
  environmentNeedsAttention,
  objectState,
  STATE_LABEL,
  STATE_ORDER,
  verdictState,
  type ObjectState,
} from '../model/verdictState';
import { describeField, objectLabel, palette, type Palette } from './format';
import { plainText } from '../model/untrustedText';
import { isIncomplete, NOT_CHECKED_INCOMPLETE, skippedContent, skippedCount } from './incomplete';
import { controllerSettled, describeControllerStatus } from './fluxStatus';
import { argoInTrouble, argoSettled, describeArgoStatus } from './argoStatus';
import { describeRelease } from './helmRelease';
import { describeNextUpgradeChange } from './nextUpgrade';

const NOT_CHECKED = STATE_LABEL.notChecked;

/** Options of the text report. */
export interface TextReportOptions {
  color?: boolean;
  /** Also list InSync objects. */
  verbose?: boolean;
  /**
   * `--allow-incomplete`: an environment whose render skipped content is summarised by its verdicts, with the
   * skipped count in brackets, instead of as "not checked: incomplete". Its skipped parts are listed either way.
   */
  allowIncomplete?: boolean;
  /**
   * `--only-drifted`: leave out the environments that need no attention (every object in sync), and the in-sync rows
   * `verbose` would add.
   */
  onlyProblems?: boolean;
}

interface Row {
  env: string;
  object: string;
  what: string;
  where: string;
  paint: (s: string) => string;
}

/** Formats the report (ends with a newline). */
export function textReport(environments: readonly EnvironmentDrift[], options: TextReportOptions = {}): string {
  const p = palette(options.color ?? false);
  const rows: Row[] = [];
  const summaries: string[] = [];
  const verbose = (options.verbose ?? false) && !options.onlyProblems;
  for (const env of environments) {
    if (options.onlyProblems && !environmentNeedsAttention(env)) continue;
    if (env.error !== null) {
      rows.push({ env: env.name, object: '', what: `error: ${plainText(env.error)}`, where: '', paint: p.red });
      // Without a cluster the rendered objects are listed (verbose) but nothing is known of them.
      const rendered = env.resources.length;
      summaries.push(
        env.noCluster
          ? `${env.name}: ${p.red(`${NOT_CHECKED}: no cluster`)}${rendered ? ` (${rendered} object${rendered === 1 ? '' : 's'} rendered)` : ''}`
          : `${env.name}: ${p.red('error')}`,
      );
      if (verbose) for (const r of env.resources) rows.push(...resourceRows(env.name, r, p, true, undefined));
      continue;
    }
    for (const s of skippedContent(env)) {
      rows.push({
        env: env.name,
        object: '',
        what: `${NOT_CHECKED}: ${s.message}`,
        where: s.location && s.location.line > 0 ? `${s.location.file}:${s.location.line}` : '',
        paint: p.red,
      });
    }
    // Each application's controller (a Flux Kustomization) first: where it stands explains the rows below it.
    // A cluster without Flux says so for every Kustomization: in full once, then "as for" the first.
    let unread: { message: string; label: string } | undefined;
    for (const app of env.applications ?? []) {
      const c = app.controller;
      if (!c) continue;
      const label = `${c.kind} ${c.namespace}/${c.name}`;
      const same = !c.found && unread?.message === c.message;
      if (!c.found && !same) unread = { message: c.message ?? '', label };
      rows.push({
        env: env.name,
        object: label,
        what: same
          ? `not in the cluster: as for ${unread!.label}`
          : c.kind === 'Application'
            ? `Argo CD: ${describeArgoStatus(c)}`
            : describeControllerStatus(c),
        where: '',
        paint:
          c.kind === 'Application'
            ? argoSettled(c)
              ? p.green
              : argoInTrouble(c)
                ? p.red
                : p.yellow
            : controllerSettled(c)
              ? p.green
              : c.found && c.ready?.status !== 'False'
                ? p.yellow
                : p.red,
      });
    }
    // Each Helm release: its chart, revision and status, its HelmRelease, and where git is ahead of it.
    for (const app of env.applications ?? []) {
      const release = app.release;
      if (!release) continue;
      const settled =
        release.found &&
        !release.latest &&
        release.git?.message === undefined &&
        release.controller?.ready?.status !== 'False';
      rows.push({
        env: env.name,
        object: app.name,
        what: `release ${release.releaseName}: ${describeRelease(release)}`,
        where: '',
        paint: settled ? p.green : release.found ? p.yellow : p.red,
      });
      if (release.git?.message)
        rows.push({
          env: env.name,
          object: app.name,
          what: release.git.message,
          where: release.git.valuesAt ? `${release.git.valuesAt.file}:${release.git.valuesAt.line}` : '',
          paint: p.yellow,
        });
      // Question 3: git's chart render against the deployed revision, or why the chart was not rendered.
      const render = release.render;
      if (render?.state === 'not-rendered')
        rows.push({
          env: env.name,
          object: app.name,
          what: `chart: ${render.message ?? 'not rendered'}`,
          where: render.at ? `${render.at.file}:${render.at.line}` : '',
          paint: p.yellow,
        });
      for (const change of render?.nextUpgrade ?? [])
        rows.push({
          env: env.name,
          object: app.name,
          what: `next upgrade: ${describeNextUpgradeChange(change)}`,
          where: '',
          paint: p.yellow,
        });
    }
    // One cause (a forbidden LIST, a version not served) covers many objects: say it in full once per environment,
    // then point back to the first object it was said for.
    const said = new Map<string, string>();
    // An application whose objects Argo CD's API would not give (a 403 for this token): the cause once, on it.
    for (const app of env.applications ?? []) {
      if (!app.unread || app.message === undefined) continue;
      const label = `application ${app.name}`;
      rows.push({
        env: env.name,
        object: label,
        what: `${STATE_LABEL[verdictState(app.unread)]}: ${app.message}`,
        where: app.declaredAt
          ? `${app.declaredAt.file}${app.declaredAt.line > 0 ? `:${app.declaredAt.line}` : ''}`
          : '',
        paint: p.red,
      });
      said.set(`${app.unread}\0${app.message}`, label);
    }
    for (const r of env.resources) {
      const cause =
        r.verdict === 'Forbidden' || r.verdict === 'UnknownKind' || r.verdict === 'Error'
          ? `${r.verdict}\0${r.message ?? ''}`
          : undefined;
      const first = cause === undefined ? undefined : said.get(cause);
      if (cause !== undefined && first === undefined) said.set(cause, objectLabel(r));
      rows.push(...resourceRows(env.name, r, p, verbose, first));
    }
    summaries.push(summary(env, p, options.allowIncomplete ?? false));
  }
  const envWidth = Math.max(0, ...rows.map((r) => r.env.length));
  const objWidth = Math.max(0, ...rows.map((r) => r.object.length));
  const whatWidth = Math.min(100, Math.max(0, ...rows.filter((r) => r.where).map((r) => r.what.length)));
  // Names, messages and live values can come from the cluster: no escape sequence of theirs reaches the terminal.
  for (const r of rows) {
    r.object = plainText(r.object);
    r.what = plainText(r.what);
  }
  const lines = rows.map((r) => {
    const head = p.bold(`${r.env.padEnd(envWidth)}  ${r.object.padEnd(objWidth)}`);
    const what = r.paint(r.where ? r.what.padEnd(whatWidth) : r.what);
    return `${head}  ${what}${r.where ? `   ${p.dim(r.where)}` : ''}`.trimEnd();
  });
  return [...lines, ...(lines.length ? [''] : []), ...summaries].join('\n') + '\n';
}

function resourceRows(env: string, r: ResourceDrift, p: Palette, verbose: boolean, sameAs?: string): Row[] {
  const rows = verdictRows(env, r, p, verbose, sameAs);
  // What the controller will do about it, under the object's rows.
  if (rows.length && r.controller?.note)
    rows.push({ env, object: objectLabel(r), what: `note: ${r.controller.note}`, where: '', paint: p.dim });
  // Where Argo CD judges the object otherwise, and why that may be: shown even for an object in sync here.
  if (r.controller?.disagreement)
    rows.push({ env, object: objectLabel(r), what: r.controller.disagreement, where: '', paint: p.yellow });
  // With --verbose: each difference an ignore rule hides, at the rule's line (not drift, so only when asked).
  if (verbose)
    for (const i of r.ignored ?? [])
      rows.push({
        env,
        object: objectLabel(r),
        what: `ignored: ${i.label ?? i.path}`,
        where: i.rule ? `${i.rule.file}:${i.rule.line}` : '',
        paint: p.dim,
      });
  return rows;
}

function verdictRows(env: string, r: ResourceDrift, p: Palette, verbose: boolean, sameAs?: string): Row[] {
  const object = objectLabel(r);
  // The controller's states name what is not a hand-made change.
  if (r.controller?.state === 'pendingPrune')
    return [
      {
        env,
        object,
        what: `${STATE_LABEL.pendingPrune}: ${r.controller.argo ? 'Argo CD would prune it' : 'Flux applied it'}, git no longer renders it`,
        where: '',
        paint: p.yellow,
      },
    ];
  if (r.controller?.state === 'notYetApplied') {
    if (r.verdict === 'Missing')
      return [
        {
          env,
          object,
          what: `${STATE_LABEL.notYetApplied}: git renders it, Flux has not applied it`,
          where: r.source ? `${r.source.file}:${r.source.line}` : '',
          paint: p.yellow,
        },
      ];
    if (r.verdict === 'Drifted')
      return r.fields.map((f) => ({
        env,
        object,
        what: `${STATE_LABEL.notYetApplied}: ${describeField(f)}`,
        where: f.origin ? `${f.origin.file}:${f.origin.line}` : r.source ? `${r.source.file}:${r.source.line}` : '',
        paint: p.yellow,
      }));
  }
  if (sameAs !== undefined)
    return [
      {
        env,
        object,
        what: `${STATE_LABEL[verdictState(r.verdict)]}: as for ${sameAs}`,
        where: r.source ? `${r.source.file}:${r.source.line}` : '',
        paint: p.red,
      },
    ];
  const at = (loc?: { file: string; line: number }): string => (loc ? `${loc.file}:${loc.line}` : '');
  switch (r.verdict) {
    case 'InSync':
      return verbose ? [{ env, object, what: 'in sync', where: at(r.source), paint: p.green }] : [];
    case 'Drifted':
      return r.fields.map((f) => ({
        env,
        object,
        what: describeField(f),
        // A Helm release's object: git has no line of it, so the chart template is named beside its HelmRelease.
        where: at(f.origin ?? r.source) + (r.template ? ` (${r.template})` : ''),
        paint: p.yellow,
      }));
    case 'Missing':
      return [{ env, object, what: 'missing from the cluster', where: at(r.source), paint: p.red }];
    case 'Extra':
      return [{ env, object, what: 'in the cluster, not in git', where: '', paint: p.red }];
    case 'Forbidden':
      return [{ env, object, what: `forbidden: ${r.message ?? ''}`, where: at(r.source), paint: p.red }];
    case 'UnknownKind':
      return [
        { env, object, what: `${STATE_LABEL.notDeployed}: ${r.message ?? ''}`, where: at(r.source), paint: p.red },
      ];
    case 'NotChecked':
      return verbose ? [{ env, object, what: NOT_CHECKED, where: at(r.source), paint: p.dim }] : [];
    case 'Hook':
      return verbose
        ? [{ env, object, what: `${STATE_LABEL.hook}: ${r.message ?? ''}`, where: at(r.source), paint: p.dim }]
        : [];
    case 'Error':
      return [{ env, object, what: `error: ${r.message ?? ''}`, where: at(r.source), paint: p.red }];
  }
}

function summary(env: EnvironmentDrift, p: Palette, allowIncomplete: boolean): string {
  // Objects the controller has yet to apply or prune are states of their own, counted apart from hand-made drift.
  const counts = countStates(env.resources);
  const fields = env.resources.reduce((n, r) => n + (objectState(r) === 'drifted' ? r.fields.length : 0), 0);
  const paint = (s: ObjectState) =>
    s === 'inSync' ? p.green : s === 'drifted' || s === 'pendingPrune' || s === 'notYetApplied' ? p.yellow : p.red;
  const parts = STATE_ORDER.filter((s) => counts.byState[s]).map((s) =>
    paint(s)(
      `${counts.byState[s]} ${STATE_LABEL[s]}${s === 'drifted' ? ` (${fields} field${fields === 1 ? '' : 's'})` : ''}`,
    ),
  );
  const outside = (env.applications ?? []).filter((a) => a.state === 'outside').length;
  // Their desired state is another repo's: listed, not compared, and no reason to call this repo's part incomplete.
  const verdicts =
    (parts.length ? parts.join(', ') : 'no objects') +
    (outside ? `; ${outside} application${outside === 1 ? '' : 's'} from outside this repo not compared` : '');
  if (!isIncomplete(env)) return `${env.name}: ${verdicts}`;
  if (allowIncomplete) return `${env.name}: ${verdicts} (incomplete: ${skippedCount(env)})`;
  return `${env.name}: ${p.red(`${NOT_CHECKED_INCOMPLETE}, ${skippedCount(env)}`)} (rendered: ${verdicts})`;
}
