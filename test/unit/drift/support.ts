/** Test support: desired objects from YAML text with real per-path origins (what the renderer hands the engine). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap as isYamlMap, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import type { LiveState } from '../../../src/core/model/live';
import { scopeKey } from '../../../src/core/model/live';
import type { Origin } from '../../../src/core/model/location';
import { type KubeObject, keyOf, keyString } from '../../../src/core/model/resource';
import type { RenderedObject } from '../../../src/core/render/types';
import { childPointer } from '../../../src/core/yaml/pointer';

/** Every YAML document in `text` as a RenderedObject whose origins point into `file` (1-based line/column). */
export function renderedFromYaml(file: string, text: string): RenderedObject[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(docs)) throw new Error('empty YAML');
  return docs.map((doc) => {
    if (doc.errors.length) throw doc.errors[0];
    const origins = new Map<string, Origin>();
    const at = (node: Node, pointer: string): void => {
      const pos = lines.linePos(node.range?.[0] ?? 0);
      origins.set(pointer, { file, line: pos.line, column: pos.col, kind: 'resource' });
      if (isYamlMap(node))
        for (const pair of node.items)
          at(pair.value as Node, childPointer(pointer, String((pair.key as { value: unknown }).value)));
      if (isSeq(node)) node.items.forEach((item, i) => at(item as Node, childPointer(pointer, i)));
    };
    if (doc.contents) at(doc.contents as Node, '');
    const object = doc.toJS() as KubeObject;
    return { object, key: keyOf(object), origins, source: { file, line: origins.get('')?.line ?? 1, column: 1 } };
  });
}

/** A LiveState holding `objects`, with every scope of `listed` (group/kind/namespace triples) listed. */
export function liveState(objects: KubeObject[], listed: [string, string, string][] = []): LiveState {
  const state: LiveState = { objects: new Map(), failures: new Map(), listed: new Set() };
  for (const obj of objects) {
    const key = keyOf(obj);
    state.objects.set(keyString(key), obj);
    state.listed.add(scopeKey(key.group, key.kind, key.namespace));
  }
  for (const [g, k, ns] of listed) state.listed.add(scopeKey(g, k, ns));
  return state;
}

const TESTDATA = join(__dirname, 'testdata');

/** Reads a file under test/unit/drift/testdata. */
export function testdata(path: string): string {
  return readFileSync(join(TESTDATA, path), 'utf8');
}

/** Reads a recorded API object (JSON) under test/unit/drift/testdata. */
export function recorded(path: string): KubeObject {
  return JSON.parse(testdata(path)) as KubeObject;
}
