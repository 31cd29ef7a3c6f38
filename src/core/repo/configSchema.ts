/**
 * The shape of `.gitops-drift.yaml`, checked against its one JSON Schema (schemas/gitops-drift.schema.json, the file
 * the editor's YAML extension reads for completion and hovers, compiled ahead of time by Ajv into
 * configValidator.generated.ts). Each schema error becomes a Problem at the YAML node it is about, worded from the
 * schema's own titles and messages; what the schema cannot say (duplicate names, paths leaving the repo, promotion
 * entries naming no environment) is config.ts's.
 */
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Problem } from '../model/problem';
import { childPointer, parentPointer, pointerSegments, valueAt } from '../yaml/pointer';
import { configSchema, validate } from './configValidator.generated';
import { unknownName } from './didYouMean';
import type { FileLocator } from '../yaml/yamlLocate';

/** The part of JSON Schema (draft-07) and of the YAML extension's additions that the schema file uses. */
export interface ConfigSchemaNode {
  title?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, ConfigSchemaNode>;
  additionalProperties?: boolean | ConfigSchemaNode;
  items?: ConfigSchemaNode;
  required?: string[];
  oneOf?: ConfigSchemaNode[];
  enum?: string[];
  pattern?: string;
  $ref?: string;
  definitions?: Record<string, ConfigSchemaNode>;
  /** The YAML extension's message for a value of the wrong type; ours too. */
  errorMessage?: string;
  /** The YAML extension's message for a value not matching `pattern`; ours follows the value. */
  patternErrorMessage?: string;
}

/** The schema, as shipped in the package (schemas/gitops-drift.schema.json). */
export const CONFIG_SCHEMA = configSchema as ConfigSchemaNode;

/** An error as Ajv reports it. */
interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  /** The schema node holding the keyword (the validator is generated with Ajv's `verbose`). */
  parentSchema?: ConfigSchemaNode;
}

const validateConfig = validate as ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/** The config as plain data, what the schema says of it, and which of its values to leave out. */
export interface ConfigShape {
  /** The document as plain data. Aliases are not followed (they read as null), so an alias bomb stays small. */
  data: unknown;
  /** The schema's errors and warnings, each at its node. */
  problems: Problem[];
  /**
   * Whether the value at a pointer, or one it is part of, is to be left out: the schema refused it, or it is an
   * unknown key or lint code (a warning).
   */
  refused(pointer: string): boolean;
  /** The YAML node at a pointer (for locations); undefined when there is none. */
  nodeAt(pointer: string): Node | undefined;
}

/** Checks a parsed document's root node against the schema. */
export function checkConfigShape(root: Node, loc: FileLocator): ConfigShape {
  const data = plainData(root);
  const refusedPointers = new Set<string>();
  const problems: Problem[] = [];
  const nodeAt = (pointer: string): Node | undefined => yamlNodeAt(root, pointer);
  if (!validateConfig(data)) {
    for (const error of relevantErrors(validateConfig.errors ?? [])) {
      const found = describe(error, data, loc.file);
      const node =
        found.keyOf !== undefined ? keyNodeAt(root, error.instancePath, found.keyOf) : nodeAt(error.instancePath);
      problems.push(found.severity === 'error' ? loc.error(node, found.message) : loc.warning(node, found.message));
      refusedPointers.add(
        found.keyOf !== undefined ? childPointer(error.instancePath, found.keyOf) : error.instancePath,
      );
    }
  }
  const refused = (pointer: string): boolean => {
    for (let p = pointer; ; p = parentPointer(p)) {
      if (refusedPointers.has(p)) return true;
      if (p === '') return false;
    }
  };
  return { data, problems: dedupe(problems), refused, nodeAt };
}

/**
 * Leaves out what would say the same thing twice: the branches of a `oneOf` (its own error says what is missing), and
 * the other complaints about a value of the wrong type (an unknown lint code that is a number).
 */
function relevantErrors(errors: SchemaError[]): SchemaError[] {
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter(
    (e) => !/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath) && (e.keyword === 'type' || !wrongType.has(e.instancePath)),
  );
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.location?.line}:${p.location?.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The message of one schema error; `keyOf` when it is about a key (reported at the key, and that key refused). */
function describe(
  error: SchemaError,
  data: unknown,
  file: string,
): { severity: 'error' | 'warning'; message: string; keyOf?: string } {
  const owner = error.parentSchema ?? {};
  const value = valueAt(data, error.instancePath);
  const what = noun(error.instancePath, owner);
  switch (error.keyword) {
    case 'type':
      if (error.instancePath === '')
        return {
          severity: 'error',
          message: `${file} must be a mapping with keys ${Object.keys(CONFIG_SCHEMA.properties ?? {}).join(', ')}`,
        };
      return {
        severity: 'error',
        message: owner.errorMessage ?? `${what} must be ${typeWords(owner.type)}${quoteHint(value, owner.type)}`,
      };
    case 'pattern':
    case 'minLength':
      if (typeof value === 'string' && value.trim() === '')
        return { severity: 'error', message: `${what} must be a non-empty string` };
      return {
        severity: 'error',
        message: `${what} '${String(value)}' ${owner.patternErrorMessage ?? `must match ${owner.pattern}`}`,
      };
    case 'required':
      return { severity: 'error', message: `${what} is missing '${String(error.params.missingProperty)}'` };
    case 'oneOf': {
      // Only "exactly one of these keys" is written with oneOf: each branch requires one key.
      const keys = (owner.oneOf ?? []).map((branch) => `'${branch.required?.[0]}'`);
      const passing = error.params.passingSchemas;
      if (Array.isArray(passing))
        return { severity: 'error', message: `${what} has both ${keys.join(' and ')}: give only one` };
      return { severity: 'error', message: `${what} is missing ${keys[0]} (or ${keys.slice(1).join(', ')})` };
    }
    case 'minItems':
      return { severity: 'error', message: `${what} must not be empty` };
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const where = error.instancePath === '' ? undefined : what;
      return { severity: 'warning', message: unknownName(key, Object.keys(owner.properties ?? {}), where), keyOf: key };
    }
    case 'enum':
      // An unknown name in a list of known ones (a lint code): a likely typo, left out like an unknown key.
      return {
        severity: 'warning',
        message: unknownName(String(value), owner.enum ?? [], dotted(parentPointer(error.instancePath)), owner.title),
      };
    default:
      return { severity: 'error', message: `${what} ${error.message ?? `fails the schema's ${error.keyword}`}` };
  }
}

/** What a value is called in messages: its schema's title, else its key, else `<list> entry`. */
function noun(pointer: string, schema: ConfigSchemaNode): string {
  if (schema.title) return schema.title;
  const segments = pointerSegments(pointer);
  const last = segments.at(-1) ?? '';
  if (!/^\d+$/.test(last)) return last;
  return `${segments.at(-2) ?? 'list'} entry`;
}

function typeWords(type: string | string[] | undefined): string {
  const words: Record<string, string> = {
    string: 'a non-empty string',
    array: 'a list',
    object: 'a mapping',
    boolean: 'true or false',
  };
  return [type ?? []]
    .flat()
    .map((t) => words[t] ?? `a ${t}`)
    .join(' or ');
}

/** Unquoted numbers and booleans (e.g. `name: 2024`) are almost always meant as text; say how to quote them. */
function quoteHint(value: unknown, type: string | string[] | undefined): string {
  const wantsText = [type ?? []].flat().includes('string');
  return wantsText && (typeof value === 'number' || typeof value === 'boolean')
    ? ` (quote it: "${String(value)}")`
    : '';
}

/** `/lint/disable` → `lint.disable`. */
function dotted(pointer: string): string {
  return pointerSegments(pointer).join('.');
}

/** Plain data for the validator. Aliases read as null: following them is what an alias bomb wants. */
function plainData(node: Node | null | undefined): unknown {
  if (isMap(node)) {
    // No prototype: a key `__proto__` is an ordinary (unknown) key, not a way to swap the object's prototype.
    const out = Object.create(null) as Record<string, unknown>;
    for (const pair of node.items) out[keyName(pair.key)] = plainData(pair.value as Node | null);
    return out;
  }
  if (isSeq(node)) return node.items.map((item) => plainData(item as Node | null));
  if (isScalar(node)) return node.value ?? null;
  if (isAlias(node)) return null;
  return null;
}

/** A map key as the config reads it. */
function keyName(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function yamlNodeAt(root: Node, pointer: string): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of pointerSegments(pointer)) {
    if (isMap(node))
      node = (node.items.find((pair) => keyName(pair.key) === segment)?.value ?? undefined) as Node | undefined;
    else if (isSeq(node)) node = (node.items[Number(segment)] ?? undefined) as Node | undefined;
    else return undefined;
  }
  return node;
}

function keyNodeAt(root: Node, mapPointer: string, key: string): Node | undefined {
  const map = yamlNodeAt(root, mapPointer);
  return isMap(map)
    ? ((map.items.find((pair) => keyName(pair.key) === key)?.key ?? undefined) as Node | undefined)
    : undefined;
}
