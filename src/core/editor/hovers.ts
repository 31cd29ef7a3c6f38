/**
 * What the editor's hovers say, as markdown: the effective-values hover, the drift hover, and the full
 * per-environment table they link to. Hovers are short by construction: a bounded number of lines, each at most
 * {@link HOVER_LINE_BUDGET} visible characters, each value a code span at a place on its line where it fits. VS Code
 * renders hover markdown at most 500 px wide and wraps inside words (a table cell broke `simple-env-app:1.0` at its
 * hyphen); short lines are what keeps a value whole, so no hover here uses a table.
 */
import type { EffectiveValuesSummary, ValueGroup } from '../authoring/effectiveValues';
import type { HelmValueSummary } from '../authoring/helmValues';
import type { SourceLocation } from '../model/location';
import type { FieldDrift } from '../model/drift';
import { changedByText, fieldLabel, formatValue } from './presentation';

/** The most visible characters on one hover line (fits the hover's 500 px at the editor's usual font sizes). */
export const HOVER_LINE_BUDGET = 72;
/** The most characters of a value shown in a hover (the full value is in the table behind the link). */
export const HOVER_VALUE_BUDGET = 40;
/** The most value rows an effective-values hover lists before "+N more values". */
export const HOVER_MAX_GROUPS = 5;
/** The most environments a drift hover lists before "+N more". */
export const DRIFT_HOVER_MAX_ENVIRONMENTS = 3;

/** The label of the link to the full table, in both hovers. */
export const TABLE_LINK = 'Values in every environment';

/** Where a hover's links lead: the editor side turns places and commands into URIs. */
export interface HoverLinks {
  /** A link target that opens the place that set a value. */
  origin(at: SourceLocation): string;
  /** A command link that opens every environment's values (the full table), when there is one. */
  table?: string;
}

/** One piece of a hover line: its markdown and the text a reader sees. */
interface Piece {
  md: string;
  text: string;
}

const escapeMarkdown = (s: string) => s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');

function text(s: string): Piece {
  return { md: escapeMarkdown(s), text: s };
}

/** A value as a code span on one line: whitespace runs (newlines too) as one space, cut at `budget` with `…`. */
function code(value: string, budget = HOVER_VALUE_BUDGET): Piece {
  const flat = value.replace(/\s+/g, ' ');
  const shown = flat.length > budget ? `${flat.slice(0, budget - 1)}…` : flat;
  const fence = '`'.repeat(Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') ? ' ' : '';
  return { md: `${fence}${pad}${shown}${pad}${fence}`, text: shown };
}

function link(label: string, target: string, title?: string): Piece {
  const t = title ? ` "${title.replace(/["\\]/g, '\\$&')}"` : '';
  return { md: `[${escapeMarkdown(label)}](${target}${t})`, text: label };
}

const SEPARATOR = text(' · ');

function join(pieces: (Piece | undefined)[], separator = SEPARATOR): Piece[] {
  const present = pieces.filter((p): p is Piece => p !== undefined);
  return present.flatMap((p, i) => (i ? [separator, p] : [p]));
}

const visible = (line: Piece[]) => line.reduce((n, p) => n + p.text.length, 0);

/** Lines as markdown, each its own line (a hard break between them). */
function markdown(lines: Piece[][]): string {
  return lines.map((line) => line.map((p) => p.md).join('')).join('  \n');
}

/**
 * The visible text of one line of hover markdown (link targets, code fences and escapes removed): what
 * {@link HOVER_LINE_BUDGET} bounds. For tests and callers that check a hover's size.
 */
export function visibleHoverLines(md: string): string[] {
  return md.split(/ {2}\n|\n/).map(visibleLine);
}

function visibleLine(line: string): string {
  let out = '';
  for (let i = 0; i < line.length;) {
    const rest = line.slice(i);
    const fence = /^`+/.exec(rest)?.[0];
    const close = fence ? line.indexOf(fence, i + fence.length) : -1;
    if (fence && close > 0) {
      const inner = line.slice(i + fence.length, close);
      out += inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() ? inner.slice(1, -1) : inner;
      i = close + fence.length;
    } else if (rest.startsWith('\\') && rest.length > 1) {
      out += rest[1];
      i += 2;
    } else if (rest.startsWith('](')) {
      i = line.indexOf(')', i) + 1 || line.length; // a link's target (parentheses in targets are encoded)
    } else if (rest.startsWith('**')) i += 2;
    else if (rest[0] === '[' || rest[0] === ']') i++;
    else {
      out += rest[0];
      i++;
    }
  }
  return out;
}

/** `dev, staging, prod` or `dev, staging +9`: as many names as fit in `room` characters. */
function environmentList(environments: readonly string[], room: number): Piece {
  const names = [...environments];
  for (let shown = names.length; shown > 1; shown--) {
    const rest = names.length - shown;
    const label = names.slice(0, shown).join(', ') + (rest ? ` +${rest}` : '');
    if (label.length <= room) return text(label);
  }
  return text(names.length > 1 ? `${names[0]} +${names.length - 1}` : names[0]);
}

/** Where a value was set: a link named by the file's base name and line (the path in its title), or `3 places`. */
function originPiece(origins: readonly SourceLocation[], links: HoverLinks): Piece | undefined {
  if (origins.length === 0) return undefined;
  if (origins.length > 1) return text(`${origins.length} places`);
  const at = origins[0];
  const name = at.file.slice(at.file.lastIndexOf('/') + 1);
  return link(`${name}:${at.line}`, links.origin(at), `${at.file}:${at.line}`);
}

function groupLine(group: ValueGroup, links: HoverLinks, withEnvironments: boolean): Piece[] {
  const value = code(group.value);
  const origin = originPiece(group.origins, links);
  if (!withEnvironments) return join([value, origin]);
  const room = HOVER_LINE_BUDGET - visible(join([value, text(''), origin]));
  return join([value, environmentList(group.environments, room), origin]);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The effective-values hover: a title line, one line per value (at most {@link HOVER_MAX_GROUPS}) and at most one
 * closing line: how many other environments differ (on a file of one environment), values left out, and the link
 * to the full table.
 */
export function effectiveValuesHoverMarkdown(summary: EffectiveValuesSummary, links: HoverLinks): string {
  const key = code(summary.key, 32);
  const count = new Set(summary.rows.map((r) => r.environment)).size;
  const title = summary.own
    ? [key, text(' in '), text(summary.own)]
    : [key, text(` in ${plural(count, 'environment')}`)];
  const lines: Piece[][] = [[...title, text(' · GitOps Drift')]];
  const shown = summary.groups.slice(0, HOVER_MAX_GROUPS);
  for (const group of shown) lines.push(groupLine(group, links, !summary.own));
  const hidden = summary.groups.length - shown.length;
  const others = summary.others;
  const closing = join([
    hidden ? text(`+${plural(hidden, 'more value')}`) : undefined,
    others && others.total
      ? text(
          others.differ === 0
            ? `same in the other ${plural(others.total, 'environment')}`
            : `${others.differ} of ${plural(others.total, 'other environment')} ${others.differ === 1 ? 'differs' : 'differ'}`,
        )
      : undefined,
    links.table ? link(TABLE_LINK, links.table) : undefined,
  ]);
  if (closing.length) lines.push(capitalised(closing));
  return markdown(lines);
}

/** A label cut to `budget` characters with `…`. */
function shortText(label: string, budget: number): Piece {
  return text(label.length > budget ? `${label.slice(0, Math.max(1, budget - 1))}…` : label);
}

/**
 * The hover on a Helm values key: a title naming the field it sets (or how many), then one line per distinct
 * rendered value (at most {@link HOVER_MAX_GROUPS}) with the environments that have it and, when the key sets
 * several fields, which.
 */
export function helmValueHoverMarkdown(summary: HelmValueSummary): string {
  const key = code(summary.key, 32);
  const tail = text(' · GitOps Drift');
  const sets = text(' sets ');
  const room = HOVER_LINE_BUDGET - visible([key, sets, tail]);
  const what =
    summary.fields.length === 1 ? shortText(summary.fields[0], room) : text(plural(summary.fields.length, 'field'));
  const lines: Piece[][] = [[key, sets, what, tail]];
  const shown = summary.groups.slice(0, HOVER_MAX_GROUPS);
  for (const group of shown) {
    const value = code(group.value);
    const fields =
      summary.fields.length > 1
        ? shortText(group.fields[0] + (group.fields.length > 1 ? ` +${group.fields.length - 1}` : ''), 36)
        : undefined;
    const left = HOVER_LINE_BUDGET - visible(join([value, text(''), fields]));
    lines.push(join([value, environmentList(group.environments, Math.max(8, left)), fields]));
  }
  const hidden = summary.groups.length - shown.length;
  if (hidden) lines.push([text(`+${plural(hidden, 'more value')}`)]);
  return markdown(lines);
}

function capitalised(line: Piece[]): Piece[] {
  const [first, ...rest] = line;
  if (!first || first.md !== escapeMarkdown(first.text)) return line;
  return [text(first.text.charAt(0).toUpperCase() + first.text.slice(1)), ...rest];
}

/** One drifted field in one environment, as the drift hover lists it. */
export interface DriftHoverEntry {
  env: string;
  field: FieldDrift;
  /** A command link that opens this object's git ↔ cluster diff. */
  diff: string;
}

/**
 * The drift hover on a drifted line: short, so it reads first. A title naming the field, then one line per
 * environment (at most {@link DRIFT_HOVER_MAX_ENVIRONMENTS}): the environment (a link to its diff), `git → live` and
 * who changed it when that fits; then one line with how many more, and the link to every environment's values.
 * Secret values never appear.
 */
export function driftHoverMarkdown(entries: readonly DriftHoverEntry[], now: Date, links: { table?: string }): string {
  const labels = new Set(entries.map((e) => fieldLabel(e.field)));
  // One field on the line (the usual case): named once, in the first line.
  const shared = labels.size === 1 ? [...labels][0] : undefined;
  const lines: Piece[][] = [
    [text('GitOps Drift · '), ...(shared ? [code(shared, 40), text(': ')] : []), text('git → live')],
  ];
  const shown = entries.slice(0, DRIFT_HOVER_MAX_ENVIRONMENTS);
  for (const { env, field, diff } of shown) {
    const head = [link(env, diff, `Show the diff in ${env}`), text(' ')];
    if (!shared) head.push(text(fieldLabel(field).slice(0, 28)), text(' '));
    const values = field.secret ? ['(hidden)', '(hidden)'] : [formatValue(field.desired), formatValue(field.live)];
    const value = (v: string, budget: number) => (field.secret ? text(v) : code(v, budget));
    const by = changedByText(field, now)?.replace(/^changed by /, '');
    const tail = by ? join([text(''), text(by)]) : [];
    const whole = visible(head) + values[0].length + 3 + values[1].length;
    // Who changed it goes when the values need the room (the diagnostic above says it too); values share the rest.
    const withBy = whole + visible(tail) <= HOVER_LINE_BUDGET;
    const room = Math.max(8, Math.floor((HOVER_LINE_BUDGET - visible(head) - 3) / 2));
    lines.push([
      ...head,
      value(values[0], whole <= HOVER_LINE_BUDGET ? values[0].length : room),
      text(' → '),
      value(values[1], whole <= HOVER_LINE_BUDGET ? values[1].length : room),
      ...(withBy ? tail : []),
    ]);
  }
  const more = entries.length - shown.length;
  const closing = join([
    more ? text(`+${plural(more, 'more environment')} (see Problems)`) : undefined,
    links.table ? link(TABLE_LINK, links.table) : undefined,
  ]);
  if (closing.length) lines.push(closing);
  return markdown(lines);
}

/**
 * The full table behind the hovers' link, for a markdown preview: one row per environment and distinct value, with
 * the place that set it, under a title naming the field and where it was hovered. The rows are a preformatted block
 * of aligned columns: it scrolls rather than wraps, so no value breaks (the preview wraps table cells at hyphens).
 */
export function effectiveValuesTableMarkdown(summary: EffectiveValuesSummary, hovered: SourceLocation): string {
  const flat = (s: string) => s.replace(/\s+/g, ' ');
  const header = ['environment', 'value', 'set at'];
  const rows = summary.rows.map((row) => [
    flat(row.environment),
    flat(row.value),
    row.origin ? `${row.origin.file}:${row.origin.line}` : 'not set',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const body = [line(header), ...rows.map(line)];
  const fence = '`'.repeat(Math.max(3, ...body.flatMap((l) => (l.match(/`+/g) ?? []).map((run) => run.length + 1))));
  const environments = new Set(summary.rows.map((r) => r.environment)).size;
  const values = new Set(summary.rows.map((r) => r.value)).size;
  return [
    `# ${escapeMarkdown(summary.key)} in every environment`,
    '',
    `The field at ${code(`${hovered.file}:${hovered.line}`, Number.MAX_SAFE_INTEGER).md}: ${plural(values, 'distinct value')} in ${plural(environments, 'environment')}.`,
    '',
    `${fence}text`,
    ...body,
    fence,
    '',
  ].join('\n');
}
