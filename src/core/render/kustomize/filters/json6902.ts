/**
 * RFC 6902 JSON patch over origin-tracked trees, with evanphx/json-patch's semantics (what kustomize runs):
 * add/remove/replace/move/copy/test; a failing op is an error at the op's line.
 */
import { ProblemError } from '../../../model/problem';
import { clone, toPlain, type TMap, type TNode } from '../../../yaml/tree';
import { pointerSegments } from '../../../yaml/pointer';

function fail(message: string, at: TNode): never {
  throw new ProblemError({ severity: 'error', message, location: at.origin });
}

function field(op: TMap, name: string): TNode | undefined {
  return op.entries.get(name);
}

function text(op: TMap, name: string): string | undefined {
  const v = field(op, name);
  return v?.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
}

function tokens(pointer: string, at: TNode): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) fail(`JSON pointer '${pointer}' must start with '/'`, at);
  return pointerSegments(pointer);
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: TNode, pointer: string, at: TNode): { parent: TNode; last: string } {
  const parts = tokens(pointer, at);
  if (parts.length === 0) fail(`cannot apply an operation to the whole object (path '')`, at);
  let cur: TNode | undefined = doc;
  for (const part of parts.slice(0, -1)) {
    cur = child(cur, part);
    if (cur === undefined) fail(`path '${pointer}' does not exist in the target (no '${part}')`, at);
  }
  return { parent: cur!, last: parts[parts.length - 1] };
}

/** A list index as evanphx/json-patch v4 reads one: negative counts from the end (`-1` is the last item). */
function listIndex(length: number, token: string): number | undefined {
  if (!/^-?\d+$/.test(token)) return undefined;
  const i = Number(token);
  return i < 0 ? i + length : i;
}

function child(node: TNode | undefined, token: string): TNode | undefined {
  if (node?.kind === 'map') return node.entries.get(token);
  if (node?.kind === 'seq') {
    const i = listIndex(node.items.length, token);
    return i === undefined ? undefined : node.items[i];
  }
  return undefined;
}

/**
 * The value at a pointer, for copy and test. As in evanphx/json-patch v4 (kustomize's), a missing key of an
 * existing map reads as null; a missing parent or list item is an error.
 */
function get(doc: TNode, pointer: string, at: TNode): TNode {
  if (tokens(pointer, at).length === 0) return doc;
  const { parent, last } = parentOf(doc, pointer, at);
  if (parent.kind === 'map') return parent.entries.get(last) ?? { kind: 'scalar', value: null, origin: at.origin };
  if (parent.kind === 'seq') return parent.items[index(parent, last, false, at)];
  fail(`path '${pointer}' does not exist in the target (its parent is a scalar)`, at);
}

/** A list position for an op; `add` may also name the end (`-`, the length, or -1). */
function index(seq: { items: TNode[] }, token: string, forAdd: boolean, at: TNode): number {
  if (forAdd && token === '-') return seq.items.length;
  const length = forAdd ? seq.items.length + 1 : seq.items.length;
  const i = listIndex(length, token);
  if (i === undefined) fail(`'${token}' is not a list index`, at);
  if (i < 0 || i >= length) fail(`list index ${token} is out of range (length ${seq.items.length})`, at);
  return i;
}

function add(doc: TNode, pointer: string, value: TNode, at: TNode): void {
  const { parent, last } = parentOf(doc, pointer, at);
  if (parent.kind === 'map') parent.entries.set(last, value);
  else if (parent.kind === 'seq') parent.items.splice(index(parent, last, true, at), 0, value);
  else fail(`cannot add '${last}' under a scalar at '${pointer}'`, at);
}

function remove(doc: TNode, pointer: string, at: TNode): TNode {
  const { parent, last } = parentOf(doc, pointer, at);
  if (parent.kind === 'map') {
    const v = parent.entries.get(last);
    if (v === undefined) fail(`cannot remove '${pointer}': it does not exist in the target`, at);
    parent.entries.delete(last);
    return v;
  }
  if (parent.kind === 'seq') return parent.items.splice(index(parent, last, false, at), 1)[0];
  fail(`cannot remove '${pointer}': its parent is a scalar`, at);
}

function replace(doc: TNode, pointer: string, value: TNode, at: TNode): void {
  const { parent, last } = parentOf(doc, pointer, at);
  // Like kustomize's json-patch, replacing a missing map key adds it.
  if (parent.kind === 'map') parent.entries.set(last, value);
  else if (parent.kind === 'seq') parent.items[index(parent, last, false, at)] = value;
  else fail(`cannot replace '${pointer}': its parent is a scalar`, at);
}

/** Applies a list of operations (a parsed patch) to `doc` in place. */
export function applyJson6902(doc: TMap, ops: TNode): void {
  if (ops.kind !== 'seq') fail('a JSON6902 patch must be a list of operations', ops);
  for (const op of ops.items) {
    if (op.kind !== 'map') fail('a JSON6902 operation must be a map with op and path', op);
    const name = text(op, 'op');
    const path = text(op, 'path');
    if (path === undefined) fail(`JSON6902 operation '${name ?? '?'}' has no path`, op);
    const value = field(op, 'value');
    const from = text(op, 'from');
    switch (name) {
      case 'add':
      case 'replace':
        if (value === undefined) fail(`JSON6902 '${name}' at '${path}' has no value`, op);
        (name === 'add' ? add : replace)(doc, path, clone(value), op);
        break;
      case 'remove':
        remove(doc, path, op);
        break;
      case 'move':
      case 'copy': {
        if (from === undefined) fail(`JSON6902 '${name}' to '${path}' has no from`, op);
        const moved = name === 'move' ? remove(doc, from, op) : clone(get(doc, from, op));
        add(doc, path, moved, op);
        break;
      }
      case 'test': {
        const actual = toPlain(get(doc, path, op));
        // evanphx/json-patch: a null (or missing) value passes against no value or null; anything else needs a value.
        const expected = value === undefined ? (actual === null ? null : undefined) : toPlain(value);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) fail(`JSON6902 test failed at '${path}'`, op);
        break;
      }
      default:
        fail(`invalid JSON6902 op '${name ?? ''}' (expected add, remove, replace, move, copy or test)`, op);
    }
  }
}
