/**
 * src/core/yaml/: YAML as the product reads and edits it: text to origin-tracked trees (this file, fastYaml.ts,
 * tree.ts, goYamlScalars.ts, yamlDepth.ts), positions for the `yaml` package's nodes (yamlLocate.ts), text-
 * preserving edits (yamlText.ts) and JSON pointers (pointer.ts). A base layer: it imports only model/ and the loose
 * core files.
 *
 * YAML text to origin-tracked trees (tree.ts), read as go-yaml v3 reads it (kustomize's reader): the fast path
 * (fastYaml.ts) for the plain YAML manifests are made of, the `yaml` package for the rest and for error messages.
 * Refuses what go-yaml refuses (control characters, nesting past its depth limit) at the line and column.
 */
import { LineCounter, parseAllDocuments, type ScalarTag, type Tags } from 'yaml';
import type { OriginKind } from '../model/location';
import { ProblemError } from '../model/problem';
import { parseYamlFast, type TextPlacement } from './fastYaml';
import { GO_INT_TEXT, resolveGoInt } from './goYamlScalars';
import { fromYaml, type TNode, type YamlSource } from './tree';
import { MAX_YAML_DEPTH, tooDeepAt } from './yamlDepth';

/** Parses kept between renders, by the reader's key (kind and path): a warm render re-parses only changed texts. */
export interface ParseCache {
  parsed: Map<string, { text: string; docs: TNode[]; exact: boolean }>;
}

/** An empty ParseCache. */
export function createParseCache(): ParseCache {
  return { parsed: new Map() };
}

/** Integers as go-yaml v3 reads them (resolveGoInt: `0755` is 493, `0o17` 15, `1_000` 1000), in place of the core schema's. */
const goInt: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  identify: (v) => typeof v === 'bigint' || Number.isInteger(v),
  test: GO_INT_TEXT,
  resolve: (text) => resolveGoInt(text),
};

function goIntegers(tags: Tags): Tags {
  return [goInt, ...tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:int')];
}

/**
 * What go-yaml's reader refuses (`control characters are not allowed`): C0 controls but tab, LF and CR, DEL, C1
 * controls but NEL, U+FFFE/U+FFFF and lone surrogates. Neither JS parser refuses them all, so a NUL or an escape
 * sequence would pass through to the output.
 */
const CONTROL =
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function refuseControlCharacters(text: string, file: string, placement: TextPlacement): void {
  const m = CONTROL.exec(text);
  if (!m) return;
  const before = text.slice(0, m.index);
  const line = before.split('\n').length;
  const column = m.index - before.lastIndexOf('\n');
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  throw new ProblemError({
    severity: 'error',
    message: `control characters are not allowed in YAML (U+${code}); kustomize refuses them too`,
    location: {
      file,
      line: line + placement.lineOffset,
      column: column + (line === 1 ? placement.firstColumnOffset : placement.columnOffset),
    },
  });
}

function refuseDeepNesting(text: string, file: string, placement: TextPlacement): void {
  const at = tooDeepAt(text);
  if (at === undefined) return;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  throw new ProblemError({
    severity: 'error',
    message: `YAML nested deeper than ${MAX_YAML_DEPTH.toLocaleString('en-US')} levels (kustomize: "exceeded max depth of ${MAX_YAML_DEPTH}")`,
    location: {
      file,
      line: line + placement.lineOffset,
      column: column + (line === 1 ? placement.firstColumnOffset : placement.columnOffset),
    },
  });
}

/** Parses YAML text into trees; a syntax error is a ProblemError at its line. */
export function parseYaml(
  text: string,
  file: string,
  kind: OriginKind,
  placement: TextPlacement = { lineOffset: 0, firstColumnOffset: 0, columnOffset: 0 },
  exact?: { seen: boolean },
): TNode[] {
  refuseControlCharacters(text, file, placement);
  refuseDeepNesting(text, file, placement);
  return parseYamlFast(text, file, kind, placement, exact) ?? parseYamlSlow(text, file, kind, placement, exact);
}

/**
 * The trees of a text the fast reader reads (the renderer's reader, a tenth of the `yaml` package's cost), else
 * undefined: a text it leaves to `yaml`, one go-yaml refuses (control characters, nesting past its limit) or one
 * that does not parse. For callers with their own way of reading the rest (discovery, which words its own messages).
 */
export function parseYamlIfFast(text: string, file: string, kind: OriginKind): TNode[] | undefined {
  if (CONTROL.test(text) || tooDeepAt(text) !== undefined) return undefined;
  try {
    return parseYamlFast(text, file, kind, { lineOffset: 0, firstColumnOffset: 0, columnOffset: 0 });
  } catch {
    return undefined;
  }
}

/** parseYaml with the `yaml` package: every construct, and the error messages users see. */
export function parseYamlSlow(
  text: string,
  file: string,
  kind: OriginKind,
  placement: TextPlacement = { lineOffset: 0, firstColumnOffset: 0, columnOffset: 0 },
  exact?: { seen: boolean },
): TNode[] {
  const lineCounter = new LineCounter();
  // Integers as go-yaml v3 (kustomize) reads them, as bigints so ones beyond ±2^53 keep their digits (fromYaml
  // turns the rest back into numbers).
  const docs = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    merge: true,
    customTags: goIntegers,
    intAsBigInt: true,
  });
  const src: YamlSource = { file, lineCounter, kind, ...placement, text };
  const out: TNode[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const err = doc.errors[0];
    if (err) {
      const pos = lineCounter.linePos(err.pos[0]);
      throw new ProblemError({
        severity: 'error',
        message: `malformed YAML: ${err.message.split('\n')[0]}`,
        location: {
          file,
          line: pos.line + placement.lineOffset,
          column: pos.col + (pos.line === 1 ? placement.firstColumnOffset : placement.columnOffset),
        },
      });
    }
    if (doc.contents === null) continue;
    out.push(fromYaml(doc.contents, doc, src));
  }
  if (exact && src.sawExact) exact.seen = true;
  return out;
}
