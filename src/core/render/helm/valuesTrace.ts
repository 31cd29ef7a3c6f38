/**
 * Values-line origins for a Helm render (issue #16, "go further than any peer"): which values line of git set each
 * rendered field. The chart is rendered a second time with every traceable value replaced by a unique marker; a
 * marker found in that render's field, and nowhere else, names the values line, once putting the original values
 * back in place of the markers gives exactly the field of the real render (verified per field, so a value that steered
 * a branch, was computed on, or was hashed, is simply not traced).
 *
 * Traced: non-empty strings and numbers from the HelmRelease's `spec.values` (at the line that set them, a kustomize
 * patch included) and the chart's own `values.yaml`, used as they are, inside a longer string (`repo:tag`), quoted
 * (`quote`, `toYaml`), converted (`int`, `toString`, `upper`/`lower`), base64-encoded (`b64enc`), or as a template
 * run by `tpl` (such a value is bracketed by two markers and keeps its text, so `tpl` still evaluates it). Not traced:
 * booleans, nulls and empty strings (they steer `if` and `default`, a marker would change the chart's choice), values
 * from `valuesFrom`, subcharts' own values files, and anything computed (arithmetic, hashes, `printf` of a number).
 */
import type { Origin, SourceLocation } from '../../model/location';
import type { KubeObject } from '../../model/resource';
import { childPointer, isMap } from '../../yaml/pointer';

/** A values line a marker stands for. */
export interface ValueSite {
  /** The line that set the value (kind `helmValue`). */
  origin: Origin;
  /** The value as git has it. */
  value: string | number;
  /** Which layer set it: later layers win when one field holds several markers. */
  layer: 'chart' | 'release';
}

/** The values with markers in place of traceable leaves, and what each marker stands for. */
export interface MarkedValues {
  values: Record<string, unknown>;
  sites: Map<string, ValueSite>;
  /** Marker → whether it brackets a `tpl` value (`open…text…close`) rather than replacing it. */
  bracketed: Set<string>;
}

/*
 * String markers are `zq`, a 3-character id and `x`: lowercase letters and digits, so a marker is valid in names,
 * labels and image references. Number markers are six digits (Helm's float64 values print plainly below 1e6, as
 * `1e+06` above), spaced so that `add 1` lands on no other marker.
 */
/** A string marker (`zq` + id + `x`, or `y` closing a bracketed one) or a number marker, in one pass. */
const ANY_MARKER = /zq([0-9a-z]{3})([xy])|(?<![0-9])([1-9][0-9]{5})(?![0-9])/gi;

const NUMBER_BASE = 100_003;
const NUMBER_STEP = 97;
const MAX_NUMBER_MARKERS = Math.floor((999_999 - NUMBER_BASE) / NUMBER_STEP);
const MAX_STRING_MARKERS = 36 ** 3;

/**
 * `values` (what the engine is given) with each traceable leaf replaced: `siteOf(pointer)` says whether the leaf at
 * that values pointer came from a line of git (undefined: leave it). `skip` are markers to leave out (a retry after
 * a marker made the chart fail).
 */
export function markValues(
  values: Record<string, unknown>,
  siteOf: (pointer: string) => Omit<ValueSite, 'value'> | undefined,
  skip: ReadonlySet<string> = new Set(),
): MarkedValues {
  const sites = new Map<string, ValueSite>();
  const bracketed = new Set<string>();
  let strings = 0;
  let numbers = 0;
  const walk = (v: unknown, at: string): unknown => {
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}/${i}`));
    if (isMap(v))
      return Object.fromEntries(Object.entries(v).map(([k, child]) => [k, walk(child, childPointer(at, k))]));
    if (typeof v === 'string' && v !== '' && strings < MAX_STRING_MARKERS) {
      const site = siteOf(at);
      if (!site) return v;
      const id = (strings++).toString(36).padStart(3, '0');
      const marker = `zq${id}x`;
      if (skip.has(marker)) return v;
      sites.set(marker, { ...site, value: v });
      // A template for `tpl` keeps its text, between two markers: tpl still runs it, and the markers show where it went.
      if (v.includes('{{')) {
        bracketed.add(marker);
        return `${marker}${v}zq${id}y`;
      }
      return marker;
    }
    if (typeof v === 'number' && Number.isFinite(v) && numbers < MAX_NUMBER_MARKERS) {
      const site = siteOf(at);
      if (!site) return v;
      const marker = String(NUMBER_BASE + NUMBER_STEP * numbers++);
      if (skip.has(marker)) return v;
      sites.set(marker, { ...site, value: v });
      return Number(marker);
    }
    return v;
  };
  return { values: walk(values, '') as Record<string, unknown>, sites, bracketed };
}

/** The markers a text names (an error message of the marked render, to leave them out of a retry). */
export function markersIn(text: string, marked: MarkedValues): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(ANY_MARKER)) {
    const marker = m[3] ?? `zq${m[1].toLowerCase()}x`;
    if (marked.sites.has(marker)) out.push(marker);
  }
  return [...new Set(out)];
}

/**
 * The values lines behind one rendered scalar: `marked` is the field in the marked render, `real` the same field in
 * the real one. Undefined unless putting git's values back in place of the markers gives `real` exactly (as text).
 * In the order they appear in the field.
 */
export function sitesOfField(marked: unknown, real: unknown, values: MarkedValues): ValueSite[] | undefined {
  if (!isScalar(marked) || !isScalar(real)) return undefined;
  const markedText = String(marked);
  const realText = String(real);
  const direct = restore(markedText, values);
  if (direct && direct.text === realText) return direct.sites;
  // `b64enc`: the marker is inside the base64 text.
  if (typeof marked === 'string' && BASE64.test(markedText) && markedText.length >= 8) {
    const decoded = decodeBase64(markedText);
    const inner = decoded === undefined ? undefined : restore(decoded, values);
    if (inner && encodeBase64(inner.text) === realText) return inner.sites;
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `text` with git's values back in place of the markers, and the sites found; undefined without a marker. */
function restore(text: string, values: MarkedValues): { text: string; sites: ValueSite[] } | undefined {
  const found: ValueSite[] = [];
  const out = text.replace(
    ANY_MARKER,
    (whole, id: string | undefined, end: string | undefined, digits: string | undefined) => {
      if (digits !== undefined) {
        const site = values.sites.get(digits);
        if (!site || typeof site.value !== 'number') return whole;
        found.push(site);
        return String(site.value);
      }
      const marker = `zq${id!.toLowerCase()}x`;
      const site = values.sites.get(marker);
      if (!site) return whole;
      const opening = end!.toLowerCase() === 'x';
      if (values.bracketed.has(marker)) {
        // The template's text (or what tpl made of it) sits between the two markers: drop them.
        if (opening) found.push(site);
        return '';
      }
      if (!opening) return whole;
      found.push(site);
      const original = String(site.value);
      // `upper` changed the marker's case: the same function of git's value.
      return whole !== whole.toLowerCase() ? original.toUpperCase() : original;
    },
  );
  return found.length ? { text: out, sites: found } : undefined;
}

/**
 * Which of a field's sites is its origin: the release's own values over the chart's defaults (where a user changes
 * it), the last one of a layer (a tag after its repository).
 */
export function primarySite(sites: readonly ValueSite[]): ValueSite {
  const release = sites.filter((s) => s.layer === 'release');
  const from = release.length ? release : sites;
  return from[from.length - 1];
}

/**
 * Every traced scalar of one document: its JSON pointer → the sites behind it. `marked` and `real` are the same
 * document of the two renders (paired by template and order).
 */
export function traceDocument(marked: unknown, real: unknown, values: MarkedValues): Map<string, ValueSite[]> {
  const out = new Map<string, ValueSite[]>();
  const walk = (m: unknown, r: unknown, at: string): void => {
    if (Array.isArray(m)) {
      if (!Array.isArray(r)) return;
      m.forEach((item, i) => walk(item, r[i], `${at}/${i}`));
      return;
    }
    if (isMap(m)) {
      if (!isMap(r)) return;
      for (const [k, v] of Object.entries(m)) if (k in r) walk(v, r[k], childPointer(at, k));
      return;
    }
    const sites = sitesOfField(m, r, values);
    if (sites) out.set(at, sites);
  };
  walk(marked, real, '');
  return out;
}

/** How the values tracing went: fields traced, its cost, and why it traced nothing when it could not run. */
export interface ValuesTraceSummary {
  /** Rendered fields whose origin is a values line. */
  fields: number;
  /** Values lines of git that were marked. */
  values: number;
  /** The marked render and the matching, in ms. */
  ms: number;
  /** Set when the marked render failed (Helm's message, markers left in): nothing was traced. */
  message?: string;
}

/** One rendered document (hooks left out), with its template (`web/templates/deployment.yaml`). */
export interface TemplateDocument {
  object: KubeObject;
  template: string;
}

/** At most this many marked renders: a retry leaves out the markers Helm's error named. */
const TRACE_ATTEMPTS = 3;

/**
 * The values lines behind a render's fields (what HelmReleases and Argo CD Helm sources share): the chart rendered
 * again by `renderMarked` with markers in place of `values` (chart defaults included, `siteOf` saying which leaf came
 * from which line), its documents paired with the real ones (`documents`) by template, kind and order. A marked
 * render that fails (a chart checking a value's text) is retried without the markers its error names; failing still,
 * nothing is traced and the summary says why. `byDocument` is keyed by the index in `documents`.
 */
export async function traceRender(
  values: Record<string, unknown>,
  siteOf: (pointer: string) => Omit<ValueSite, 'value'> | undefined,
  documents: readonly TemplateDocument[],
  renderMarked: (values: Record<string, unknown>) => Promise<{ documents: TemplateDocument[] } | { message: string }>,
): Promise<{ byDocument: Map<number, Map<string, ValueSite[]>>; summary: ValuesTraceSummary }> {
  const started = Date.now();
  const byDocument = new Map<number, Map<string, ValueSite[]>>();
  const skip = new Set<string>();
  let marked: MarkedValues | undefined;
  let message: string | undefined;
  let markedDocs: TemplateDocument[] = [];
  for (let attempt = 0; attempt < TRACE_ATTEMPTS; attempt++) {
    marked = markValues(values, siteOf, skip);
    if (!marked.sites.size) break;
    const result = await renderMarked(marked.values);
    if ('documents' in result) {
      markedDocs = result.documents;
      message = undefined;
      break;
    }
    message = result.message;
    const named = markersIn(result.message, marked);
    if (!named.length) break;
    for (const m of named) skip.add(m);
  }
  let fields = 0;
  if (marked && message === undefined) {
    const pairKey = (docs: readonly TemplateDocument[]) => {
      const seen = new Map<string, number>();
      return docs.map(({ object, template }) => {
        const id = `${template}\0${object.apiVersion}\0${object.kind}`;
        const n = seen.get(id) ?? 0;
        seen.set(id, n + 1);
        return `${id}\0${n}`;
      });
    };
    const markedByKey = new Map(pairKey(markedDocs).map((k, i) => [k, markedDocs[i].object]));
    pairKey(documents).forEach((k, i) => {
      const other = markedByKey.get(k);
      if (!other) return;
      const traced = traceDocument(other, documents[i].object, marked!);
      if (traced.size) byDocument.set(i, traced);
      fields += traced.size;
    });
  }
  return {
    byDocument,
    summary: {
      fields,
      values: marked?.sites.size ?? 0,
      ms: Date.now() - started,
      ...(message !== undefined
        ? { message: `values not traced: the render with marked values failed: ${message}` }
        : {}),
    },
  };
}

/**
 * The origin of a traced field: its primary site's line (kind `helmValue`), the other sites and then `related`
 * (the template, the release or source that rendered it) as related information.
 */
export function tracedOrigin(
  sites: readonly ValueSite[],
  related: readonly { location: SourceLocation; message: string }[],
): Origin {
  const site = primarySite(sites);
  const others = sites.filter((s) => s !== site);
  return {
    ...site.origin,
    kind: 'helmValue',
    related: [
      ...others.map((s) => ({
        location: { file: s.origin.file, line: s.origin.line, column: s.origin.column },
        message: 'also from this value',
      })),
      ...related,
    ],
  };
}

/** Every leaf of a values tree: its pointer and value. */
export function valueLeaves(values: unknown, at = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(values)) values.forEach((v, i) => valueLeaves(v, `${at}/${i}`, out));
  else if (isMap(values)) for (const [k, v] of Object.entries(values)) valueLeaves(v, childPointer(at, k), out);
  else out.set(at, values);
  return out;
}

function isScalar(v: unknown): v is string | number {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function decodeBase64(text: string): string | undefined {
  const bytes = Buffer.from(text, 'base64');
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return decoded.includes('\ufffd') ? undefined : decoded;
}

function encodeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
