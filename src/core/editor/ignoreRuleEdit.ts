/**
 * "Ignore This Field": adds an ignore rule to `.gitops-drift.yaml`, keeping the file's comments and layout
 * (the `yaml` document model edits in place), creating the file's content when there is none.
 */
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import type { ResourceKey } from '../model/resource';
import { ProblemError } from '../model/problem';

/** The rule written for one field of one object, limited to one environment. */
export interface FieldIgnore {
  key: ResourceKey;
  /** JSON pointer of the field. */
  pointer: string;
  environment: string;
}

/**
 * The config text with a rule ignoring the field appended to `ignore:` (an equal rule is not added twice).
 * Throws a ProblemError pointing at the file when the existing text is not a YAML mapping.
 */
export function addIgnoreRule(text: string | undefined, rule: FieldIgnore, file: string): string {
  const doc = parseDocument(text ?? '');
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ProblemError({
      severity: 'error',
      message: `cannot add an ignore rule: ${e.message.split('\n')[0]}`,
      location: { file, line: e.linePos?.[0].line ?? 0, column: e.linePos?.[0].col ?? 0 },
    });
  }
  if (doc.contents === null || doc.contents === undefined)
    doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!isMap(doc.contents))
    throw new ProblemError({
      severity: 'error',
      message: 'cannot add an ignore rule: the file is not a YAML mapping',
      location: { file, line: 1, column: 1 },
    });
  const root = doc.contents as YAMLMap;
  let ignore = root.get('ignore', true);
  if (!ignore) {
    root.set('ignore', doc.createNode([]));
    ignore = root.get('ignore', true);
  }
  if (!isSeq(ignore))
    throw new ProblemError({
      severity: 'error',
      message: 'cannot add an ignore rule: `ignore` is not a list',
      location: { file, line: 1, column: 1 },
    });
  const entry: Record<string, unknown> = {};
  if (rule.key.group) entry.group = rule.key.group;
  entry.kind = rule.key.kind;
  entry.name = rule.key.name;
  if (rule.key.namespace) entry.namespace = rule.key.namespace;
  entry.environments = [rule.environment];
  entry.jsonPointers = [rule.pointer];
  const same = ignore.items.some(
    (item) => JSON.stringify(isMap(item) ? item.toJSON() : item) === JSON.stringify(entry),
  );
  if (!same) ignore.add(doc.createNode(entry));
  return doc.toString();
}
