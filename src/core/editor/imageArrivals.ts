/**
 * What the hover on a kustomization's `images:` entry says: when the version it sets (newTag and/or digest of the
 * image it names, after newName) first reached each environment, from the history's arrivals, and whether the
 * environment runs it at the head.
 */
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import type { Arrival, ImageVersion, RepoHistory } from '../history/types';

/** One `images:` entry as written. */
export interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  /** 0-based lines the entry spans (first and last). */
  lines: [number, number];
}

/**
 * The `images:` entry of a kustomization's text that spans 0-based `line`, or undefined (another line, no `images:`,
 * text that does not parse, or an entry setting neither a tag nor a digest, whose version history cannot name).
 */
export function imageEntryAt(text: string, line: number): ImageEntry | undefined {
  if (!/^images\s*:/m.test(text)) return undefined;
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length || !isMap(doc.contents)) return undefined;
  const images = doc.contents.get('images', true);
  if (!isSeq(images)) return undefined;
  const lineOf = lineStarts(text);
  for (const item of images.items) {
    if (!isMap(item) || !item.range) continue;
    const first = lineOf(item.range[0]);
    // range[1] is where the value ends; a trailing newline belongs to the next line.
    const last = lineOf(Math.max(item.range[0], item.range[1] - 1));
    if (line < first || line > last) continue;
    const get = (key: string) => scalarText(item, key);
    const name = get('name');
    const newTag = get('newTag');
    const digest = get('digest');
    if (!name || (!newTag && !digest)) return undefined;
    const newName = get('newName');
    return {
      name,
      ...(newName ? { newName } : {}),
      ...(newTag ? { newTag } : {}),
      ...(digest ? { digest } : {}),
      lines: [first, last],
    };
  }
  return undefined;
}

/** One environment's row: its first arrival of the version (if any in the history) and whether it runs it now. */
export interface ImageArrivalRow {
  environment: string;
  arrival?: Arrival;
  runningNow: boolean;
}

/** The image as rendered (newName, else name) and the version the entry sets. */
export function entryArtifact(entry: ImageEntry): { image: string; version: ImageVersion } {
  return {
    image: entry.newName ?? entry.name,
    version: { ...(entry.newTag ? { tag: entry.newTag } : {}), ...(entry.digest ? { digest: entry.digest } : {}) },
  };
}

/**
 * Per environment of the history (in its order), when the entry's version first reached it. A digest names the
 * version when the entry has one (the tag is then only a label); else the tag does.
 */
export function imageArrivalRows(history: RepoHistory, entry: ImageEntry): ImageArrivalRow[] {
  const { image, version } = entryArtifact(entry);
  const same = (v: ImageVersion) => (version.digest ? v.digest === version.digest : v.tag === version.tag);
  return history.environments.map(({ environment }) => {
    const arrival = history.arrivals.find((a) => a.environment === environment && a.image === image && same(a.version));
    const current = history.current.find((c) => c.environment === environment);
    const runningNow = !!current?.images.some((i) => i.image === image && same(i.version));
    return { environment, ...(arrival ? { arrival } : {}), runningNow };
  });
}

function scalarText(map: YAMLMap, key: string): string | undefined {
  const v = map.get(key);
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function lineStarts(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}
