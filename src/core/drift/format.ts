/** Small formatting helpers shared by the text, SARIF and diff outputs. */
import type { FieldDrift, ResourceDrift } from '../model/drift';

/** ANSI colours, or nothing when colour is off. */
export interface Palette {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (code: number, reset: number) => (s: string) => `\u001b[${code}m${s}\u001b[${reset}m`;

/** The palette for `color` on or off. */
export function palette(color: boolean): Palette {
  if (!color) {
    const id = (s: string): string => s;
    return { red: id, green: id, yellow: id, cyan: id, dim: id, bold: id };
  }
  return {
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

/** Prefixes that every pod template repeats; the report drops them (`containers[web].image`). */
const LABEL_PREFIXES = ['spec.jobTemplate.spec.template.spec.', 'spec.template.spec.', 'spec.', 'metadata.'];

/** A field's short name for one-line reports: `replicas`, `containers[web].image`, `labels[team]`. */
export function shortLabel(field: FieldDrift): string {
  const label = field.label || field.path;
  for (const prefix of LABEL_PREFIXES)
    if (label.startsWith(prefix) && label.length > prefix.length) return label.slice(prefix.length);
  return label;
}

/** A value in one short line: scalars bare, structures as compact JSON (cut at `max` characters). */
export function shortValue(value: unknown, max = 60): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value === '' || /^\s|\s$|[,\n]/.test(value) ? JSON.stringify(value) : value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `Deployment shop-prod/web`. */
export function objectLabel(r: ResourceDrift): string {
  return `${r.key.kind} ${r.key.namespace ? `${r.key.namespace}/` : ''}${r.key.name}`;
}

/** What one drifted field says, without its location: `replicas: git 3, live 5 (kubectl-scale, 2026-11-22 16:01)`. */
export function describeField(field: FieldDrift): string {
  const name = shortLabel(field);
  const by = field.changedBy
    ? ` (${field.changedBy.manager}${field.changedBy.time ? `, ${field.changedBy.time.replace('T', ' ').replace(/:\d\dZ$/, 'Z')}` : ''})`
    : '';
  if (field.cause === 'removal') return `${name}: removed in git, live ${shortValue(field.live)}${by}`;
  if (field.cause === 'outOfBand') return `${name}: not in git, live ${shortValue(field.live)}${by}`;
  if (field.secret) return `${name}: secret value differs${by}`;
  return `${name}: git ${shortValue(field.desired)}, live ${shortValue(field.live)}${by}`;
}
