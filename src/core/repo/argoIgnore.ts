/**
 * Argo CD's ignore rules as Argo CD reads them (argo-cd `util/argo/diff/ignore.go`, `util/argo/normalizers/`): an
 * Application's `spec.ignoreDifferences` and the `resource.customizations.ignoreDifferences.<group_kind>` / `.all` keys
 * of an `argocd-cm` ConfigMap, turned into the drift engine's rules with the line each comes from.
 *
 * Argo CD's matching, kept exactly: `group` and `kind` are globs where an omitted group is the core group `""` and an
 * omitted kind matches nothing; `name` and `namespace` are exact (omitted = any); each JSON pointer is a JSON patch
 * `remove` path (`*` is a literal key); each jq expression runs as `del(EXPR)` on both sides. jq is supported for the
 * path subset (`.a.b`, `."a-b"`, `.a["b"]`, `.a[0]`, `.a[]`); anything else is reported "not supported" at its line,
 * and left out (never approximated).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import type { IgnoreRule } from '../drift/options';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import type { FileLocator } from '../yaml/yamlLocate';

/** The rules of one Application's `spec.ignoreDifferences`, and problems with them at their lines. */
export function applicationIgnoreRules(doc: Document, loc: FileLocator): { rules: IgnoreRule[]; problems: Problem[] } {
  const rules: IgnoreRule[] = [];
  const problems: Problem[] = [];
  const list = doc.getIn(['spec', 'ignoreDifferences'], true);
  if (!isSeq(list)) return { rules, problems };
  for (const entry of list.items) {
    if (!isMap(entry)) {
      problems.push(loc.warning(entry as Node, 'ignoreDifferences entry is not a map: ignored'));
      continue;
    }
    const rule = ruleFrom(entry, (node) => loc.of(node), problems);
    if (rule) rules.push(rule);
  }
  return { rules, problems };
}

/** The `argocd-cm` key prefix whose keys hold ignore rules for a group and kind (or `all`). */
const CM_PREFIX = 'resource.customizations.ignoreDifferences.';

/** Whether a parsed document is Argo CD's settings ConfigMap. */
export function isArgocdCm(doc: Document): boolean {
  return doc.get('kind') === 'ConfigMap' && doc.getIn(['metadata', 'name']) === 'argocd-cm';
}

/**
 * The rules of an `argocd-cm` ConfigMap's `resource.customizations.ignoreDifferences.*` keys: each value is YAML
 * (`jsonPointers`, `jqPathExpressions`, `managedFieldsManagers`) for the key's `<group>_<kind>`, `<kind>` or `all`.
 * They apply to every Application of the repo. Lines point into the value when it is a block scalar.
 */
export function argocdCmIgnoreRules(doc: Document, loc: FileLocator): { rules: IgnoreRule[]; problems: Problem[] } {
  const rules: IgnoreRule[] = [];
  const problems: Problem[] = [];
  const data = doc.get('data', true);
  if (!isMap(data)) return { rules, problems };
  for (const pair of data.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!key.startsWith(CM_PREFIX)) continue;
    const groupKind = groupKindOfOverrideKey(key.slice(CM_PREFIX.length));
    if (!groupKind) {
      problems.push(loc.warning(keyNode, `${key}: the key must end in <group>_<kind>, <kind> or all`));
      continue;
    }
    const value = pair.value as Node | null;
    if (!isScalar(value) || typeof value.value !== 'string') {
      problems.push(loc.warning(value ?? keyNode, `${key}: the value must be a YAML string`));
      continue;
    }
    // A block scalar's text starts on the line after its `|` header: inner line N is header line + N.
    const header = loc.of(value);
    const block = value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED';
    const lines = new LineCounter();
    const inner = parseDocument(value.value, { lineCounter: lines, prettyErrors: false });
    const at = (node: Node | null | undefined): SourceLocation => {
      if (!block || !node?.range) return header;
      const p = lines.linePos(node.range[0]);
      return { file: header.file, line: header.line + p.line, column: p.col };
    };
    if (inner.errors.length || !isMap(inner.contents)) {
      problems.push({
        severity: 'warning',
        message: `${key}: cannot parse its value as YAML ${inner.errors.length ? `(${inner.errors[0].message.split('\n')[0]})` : 'map'}`,
        location: header,
      });
      continue;
    }
    const rule = ruleFrom(inner.contents, at, problems, groupKind, header);
    if (rule) rules.push(rule);
  }
  return { rules, problems };
}

/**
 * `<group>_<kind>`, `<kind>` or `all` → group and kind (Argo CD's `convertToOverrideKey` then
 * `getGroupKindForOverrideKey`: one `_` separates them; `all` is `*` / `*`).
 */
function groupKindOfOverrideKey(key: string): { group: string; kind: string } | undefined {
  if (key === 'all') return { group: '*', kind: '*' };
  if (!key) return undefined;
  const i = key.indexOf('_');
  if (i < 0) return { group: '', kind: key };
  const rest = key.slice(i + 1);
  // Argo CD refuses a key with a second `_` (its whole settings then fail to load: here only that key is left out).
  if (rest.includes('_')) return undefined;
  return { group: key.slice(0, i), kind: rest };
}

/** One rule from a map of Argo CD ignore fields; `fixed` (argocd-cm) gives group and kind from the key. */
function ruleFrom(
  map: YAMLMap,
  at: (node: Node | null | undefined) => SourceLocation,
  problems: Problem[],
  fixed?: { group: string; kind: string },
  definedAt: SourceLocation = at(map),
): IgnoreRule | undefined {
  const text = (field: string): string | undefined => {
    const v = map.get(field);
    return typeof v === 'string' ? v : undefined;
  };
  const list = (field: string): { value: string; node: Node }[] => {
    const seq = map.get(field, true);
    if (!isSeq(seq)) return [];
    return seq.items.flatMap((item) =>
      isScalar(item) && typeof item.value === 'string' ? [{ value: item.value, node: item as Node }] : [],
    );
  };
  // Argo CD: a missing group is the core group; a missing kind matches no kind (glob "" only matches "").
  const group = fixed ? fixed.group : (text('group') ?? '');
  const kind = fixed ? fixed.kind : text('kind');
  if (!kind) {
    problems.push({
      severity: 'warning',
      message: 'ignoreDifferences entry has no kind: Argo CD matches it with no object, so it ignores nothing',
      location: definedAt,
    });
    return undefined;
  }
  const rule: IgnoreRule = { group, kind, literalPointers: true, definedAt };
  const name = fixed ? undefined : text('name');
  const namespace = fixed ? undefined : text('namespace');
  // Argo CD compares names and namespaces exactly; Kubernetes names hold no glob character, so a glob is exact.
  if (name) rule.name = name;
  if (namespace) rule.namespace = namespace;
  const pointers = list('jsonPointers').map((p) => p.value);
  if (pointers.length) rule.jsonPointers = pointers;
  const paths: (string | null)[][] = [];
  for (const { value, node } of list('jqPathExpressions')) {
    const path = jqPath(value);
    if (path) paths.push(path);
    else
      problems.push({
        severity: 'warning',
        message: `jqPathExpressions: not supported: ${value} (only paths such as .spec.replicas, .a["b"], .a[0], .a[] are; this difference is not ignored)`,
        location: at(node),
      });
  }
  if (paths.length) rule.paths = paths;
  const managers = list('managedFieldsManagers').map((m) => m.value);
  if (managers.length) rule.managers = managers;
  if (!rule.jsonPointers && !rule.paths && !rule.managers) return undefined;
  return rule;
}

/**
 * A jq path expression of the exact subset Argo CD users write as paths, as segments (`null` = jq's `[]`, any one
 * element or value): `.a.b`, `."a-b"`, `.a["b"]`, `.a.["b"]`, `.a[0]`, `.a[]`. Undefined for anything else (pipes,
 * `select`, slices, negative indexes, `..`, optional `?`, the bare `.`).
 */
export function jqPath(expr: string): (string | null)[] | undefined {
  const s = expr.trim();
  const out: (string | null)[] = [];
  let i = 0;
  const quoted = (): string | undefined => {
    // A jq string literal with JSON escapes; jq's `\(...)` interpolation is not a path.
    const m = /^"((?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"/.exec(s.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const bracket = (): boolean => {
    // At `[`: `[]`, `[N]` or `["key"]`.
    i++;
    if (s[i] === ']') {
      i++;
      out.push(null);
      return true;
    }
    const index = /^(0|[1-9]\d*)\]/.exec(s.slice(i));
    if (index) {
      i += index[0].length;
      out.push(index[1]);
      return true;
    }
    const key = quoted();
    if (key === undefined || s[i] !== ']') return false;
    i++;
    out.push(key);
    return true;
  };
  if (s[0] !== '.') return undefined;
  while (i < s.length) {
    if (s[i] === '[') {
      if (!bracket()) return undefined;
      continue;
    }
    if (s[i] !== '.') return undefined;
    i++;
    if (s[i] === '[') {
      if (!bracket()) return undefined;
      continue;
    }
    if (s[i] === '"') {
      const key = quoted();
      if (key === undefined) return undefined;
      out.push(key);
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (!ident) return undefined;
    i += ident[0].length;
    out.push(ident[0]);
  }
  return out.length ? out : undefined;
}
