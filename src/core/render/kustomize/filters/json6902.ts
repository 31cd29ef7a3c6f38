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

function child(node: TNode | undefined, token: string): TNode | undefined {
  if (node?.kind === 'map') return node.entries.get(token);
  if (node?.kind === 'seq' && /^\d+$/.test(token)) return node.items[Number(token)];
  return undefined;
}

function get(doc: TNode, pointer: string, at: TNode): TNode {
  let cur: TNode | undefined = doc;
  for (const part of tokens(pointer, at)) {
    cur = child(cur, part);
    if (cur === undefined) fail(`path '${pointer}' does not exist in the target`, at);
  }
  return cur!;
}

function index(seq: { items: TNode[] }, token: string, forAdd: boolean, at: TNode): number {
  if (forAdd && token === '-') return seq.items.length;
  if (!/^\d+$/.test(token)) fail(`'${token}' is not a list index`, at);
  const i = Number(token);
  if (i > seq.items.length || (!forAdd && i === seq.items.length)) fail(`list index ${i} is out of range (length ${seq.items.length})`, at);
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
        const actual = get(doc, path, op);
        if (JSON.stringify(toPlain(actual)) !== JSON.stringify(value === undefined ? null : toPlain(value))) fail(`JSON6902 test failed at '${path}'`, op);
        break;
      }
      default:
        fail(`invalid JSON6902 op '${name ?? ''}' (expected add, remove, replace, move, copy or test)`, op);
    }
  }
}
