/**
 * Completion inside kustomization files: field names (top level and inside entries), fixed values, and paths for
 * the fields that name files or folders. Works on a half-typed line: the word at the cursor is swapped for a
 * marker that parses (`nameP` becomes a key, `- ../ba` an entry) and the marker's place in the `yaml` AST gives
 * the context.
 *
 * Folders complete to `name/` so the next segment can be typed, except under resources, bases and components,
 * where a folder holding a kustomization completes to `name`: that is a whole entry, written as kustomize's own
 * docs write it.
 */
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Pair } from 'yaml';
import { isRemote, KNOWN, KUSTOMIZATION_FILES, UNSUPPORTED } from '../render/kustomize/kustomizationFields';
import { normalizeRepoPath } from '../repo/config';
import { DEPRECATED_FIELDS } from './deprecatedFields';
import { directoryOf, PATH_FIELDS, type PathField } from './pathReferences';

/** One completion proposal. */
export interface CompletionEntry {
  label: string;
  kind: 'field' | 'file' | 'folder' | 'value';
  /** What to insert when it differs from the label (`namePrefix: `, `base/`). */
  insertText?: string;
  detail?: string;
  documentation?: string;
  deprecated?: boolean;
  /**
   * How the editor orders proposals that match equally well: as listed, deprecated fields after every other (so
   * the first proposal, the one the editor selects, is never a deprecated field).
   */
  sortText?: string;
  /** Replace this range (0-based offsets in the text): the word at the cursor, or the path segment at it. */
  replaceStart: number;
  replaceEnd: number;
}

/** Directory listings for path completion. */
export interface CompletionFiles {
  /** Lists a repo directory (repo-relative, '' = root); undefined when missing. */
  list(dir: string): Promise<{ name: string; isDirectory: boolean }[] | undefined>;
}

/** What a field holds, for its insert text and its documentation. */
interface FieldInfo {
  doc: string;
  shape: 'scalar' | 'list' | 'map';
  /** Values it takes, each with what it means. */
  values?: Record<string, string>;
  /** What replaces a deprecated field. */
  deprecated?: string;
}

const BOOLEAN = { true: 'Yes.', false: 'No (the default).' };

/** Documentation of the top-level fields; the fields offered are KNOWN's, so a field kustomize gains is never missed. */
const TOP_LEVEL: Record<string, FieldInfo> = {
  apiVersion: {
    doc: 'The kustomization API version.',
    shape: 'scalar',
    values: {
      'kustomize.config.k8s.io/v1beta1': 'For a Kustomization.',
      'kustomize.config.k8s.io/v1alpha1': 'For a Component.',
    },
  },
  kind: {
    doc: 'Kustomization, or Component for changes other kustomizations pull in.',
    shape: 'scalar',
    values: {
      Kustomization: 'Builds objects (the default).',
      Component: 'Listed under components: by other kustomizations.',
    },
  },
  metadata: { doc: 'The name and annotations of the kustomization itself (not added to any object).', shape: 'map' },
  resources: {
    doc: 'Files and directories (or remote kustomizations) whose objects this kustomization builds on.',
    shape: 'list',
  },
  bases: { doc: 'Directories this kustomization builds on.', shape: 'list', deprecated: DEPRECATED_FIELDS.bases },
  components: {
    doc: 'Component directories whose objects and changes are added to this kustomization.',
    shape: 'list',
  },
  namespace: { doc: 'Sets the namespace of every namespaced object.', shape: 'scalar' },
  namePrefix: { doc: 'Prepended to every object name; references to the objects follow.', shape: 'scalar' },
  nameSuffix: { doc: 'Appended to every object name; references to the objects follow.', shape: 'scalar' },
  commonLabels: {
    doc: 'Labels added to every object, its selectors and its pod templates.',
    shape: 'map',
    deprecated: DEPRECATED_FIELDS.commonLabels,
  },
  labels: { doc: 'Labels added to every object; includeSelectors and includeTemplates widen where.', shape: 'list' },
  commonAnnotations: { doc: 'Annotations added to every object and its pod templates.', shape: 'map' },
  patches: {
    doc: 'Strategic merge or JSON 6902 patches, from a file or inline, for their own object or a target selection.',
    shape: 'list',
  },
  patchesStrategicMerge: {
    doc: 'Strategic merge patches, as file names or inline.',
    shape: 'list',
    deprecated: DEPRECATED_FIELDS.patchesStrategicMerge,
  },
  patchesJson6902: {
    doc: 'JSON 6902 patches for a target.',
    shape: 'list',
    deprecated: DEPRECATED_FIELDS.patchesJson6902,
  },
  images: { doc: 'Changes the name, tag or digest of container images.', shape: 'list' },
  imageTags: {
    doc: 'Changes the name, tag or digest of container images.',
    shape: 'list',
    deprecated: DEPRECATED_FIELDS.imageTags,
  },
  replicas: { doc: 'Sets the replica count of workloads by name.', shape: 'list' },
  replacements: { doc: 'Copies a field of one object into fields of others.', shape: 'list' },
  configMapGenerator: {
    doc: 'ConfigMaps generated from files, env files and literals, named with a content hash.',
    shape: 'list',
  },
  secretGenerator: {
    doc: 'Secrets generated from files, env files and literals, named with a content hash.',
    shape: 'list',
  },
  generatorOptions: {
    doc: 'Labels, annotations and hash options for every generated ConfigMap and Secret.',
    shape: 'map',
  },
  sortOptions: { doc: 'The output order: legacy (by kind) or fifo (as listed).', shape: 'map' },
  vars: { doc: 'Values substituted into $(NAME) references.', shape: 'list', deprecated: 'Use replacements.' },
  configurations: { doc: 'Transformer configuration files (name and var references) for custom kinds.', shape: 'list' },
  helmCharts: { doc: 'Helm charts inflated into objects (kustomize build --enable-helm).', shape: 'list' },
  helmGlobals: { doc: 'Helm settings shared by every chart.', shape: 'map' },
  helmChartInflationGenerator: {
    doc: 'Helm charts inflated into objects.',
    shape: 'list',
    deprecated: 'Use helmCharts.',
  },
  openapi: { doc: 'A custom OpenAPI schema for merging custom kinds.', shape: 'map' },
  crds: { doc: 'CRD files whose schemas tell how to merge custom kinds.', shape: 'list' },
  generators: { doc: 'Generator plugin configurations.', shape: 'list' },
  transformers: { doc: 'Transformer plugin configurations.', shape: 'list' },
  validators: { doc: 'Validator plugin configurations.', shape: 'list' },
  buildMetadata: {
    doc: 'Adds origin or transformer annotations, or the managed-by label, to the output.',
    shape: 'list',
  },
};

const SELECTOR: Record<string, FieldInfo> = {
  group: { doc: 'API group (a regular expression).', shape: 'scalar' },
  version: { doc: 'API version (a regular expression).', shape: 'scalar' },
  kind: { doc: 'Kind (a regular expression).', shape: 'scalar' },
  name: { doc: 'Name, original or current (a regular expression).', shape: 'scalar' },
  namespace: { doc: 'Namespace, original or current (a regular expression).', shape: 'scalar' },
  labelSelector: { doc: 'A label selector such as app=web,tier!=db.', shape: 'scalar' },
  annotationSelector: { doc: 'An annotation selector such as team=shop.', shape: 'scalar' },
};

const IMAGE: Record<string, FieldInfo> = {
  name: { doc: 'The image name to change, as the containers name it.', shape: 'scalar' },
  newName: { doc: 'The new image name.', shape: 'scalar' },
  newTag: { doc: 'The new tag.', shape: 'scalar' },
  digest: { doc: 'The new digest (sha256:...), which replaces the tag.', shape: 'scalar' },
};

const GENERATOR_OPTIONS: Record<string, FieldInfo> = {
  labels: { doc: 'Labels added to the generated objects.', shape: 'map' },
  annotations: { doc: 'Annotations added to the generated objects.', shape: 'map' },
  disableNameSuffixHash: { doc: 'Keeps the name without the content hash suffix.', shape: 'scalar', values: BOOLEAN },
  immutable: { doc: 'Marks the generated objects immutable.', shape: 'scalar', values: BOOLEAN },
};

const GENERATOR: Record<string, FieldInfo> = {
  name: { doc: "The generated object's name (a content hash suffix is added).", shape: 'scalar' },
  namespace: { doc: "The generated object's namespace.", shape: 'scalar' },
  behavior: {
    doc: 'Whether it creates an object or changes one a base generated.',
    shape: 'scalar',
    values: {
      create: 'A new object (the default).',
      replace: "Replaces the base's data.",
      merge: "Merges into the base's data.",
    },
  },
  files: { doc: 'Files whose contents become keys (file name, or key=path).', shape: 'list' },
  literals: { doc: 'key=value pairs.', shape: 'list' },
  envs: { doc: 'Env files of key=value lines.', shape: 'list' },
  env: { doc: 'An env file of key=value lines.', shape: 'scalar', deprecated: 'Use envs.' },
  options: { doc: 'Labels, annotations and hash options for this object.', shape: 'map' },
};

const REPLACEMENT_OPTIONS: Record<string, FieldInfo> = {
  delimiter: { doc: 'Splits the value on this string.', shape: 'scalar' },
  index: { doc: 'Which part of the split value to use.', shape: 'scalar' },
  create: { doc: 'Creates the target field when missing.', shape: 'scalar', values: BOOLEAN },
};

/** Fields inside entries, by where they are: `patches[]` is an entry of patches, `.` goes one map down. */
const NESTED: Record<string, Record<string, FieldInfo>> = {
  '': Object.fromEntries(
    [...KNOWN].map((f) => [f, TOP_LEVEL[f] ?? { doc: 'A kustomization field.', shape: 'scalar' }]),
  ),
  metadata: {
    name: { doc: "The kustomization's name.", shape: 'scalar' },
    annotations: { doc: 'Annotations of the kustomization itself.', shape: 'map' },
  },
  'patches[]': {
    path: { doc: 'A patch file, relative to this kustomization.', shape: 'scalar' },
    patch: { doc: 'An inline patch.', shape: 'scalar' },
    target: { doc: "The objects to patch; without it, the patch's own kind and name pick one.", shape: 'map' },
    options: { doc: 'Lets the patch change the name or kind.', shape: 'map' },
  },
  'patches[].target': SELECTOR,
  'patches[].options': {
    allowNameChange: { doc: "The patch may change the object's name.", shape: 'scalar', values: BOOLEAN },
    allowKindChange: { doc: "The patch may change the object's kind.", shape: 'scalar', values: BOOLEAN },
  },
  'patchesJson6902[]': {
    path: { doc: 'A JSON 6902 patch file, relative to this kustomization.', shape: 'scalar' },
    patch: { doc: 'An inline JSON 6902 patch.', shape: 'scalar' },
    target: { doc: 'The objects to patch.', shape: 'map' },
  },
  'patchesJson6902[].target': SELECTOR,
  'images[]': IMAGE,
  'imageTags[]': IMAGE,
  'replicas[]': {
    name: { doc: "The workload's name.", shape: 'scalar' },
    count: { doc: 'The replica count.', shape: 'scalar' },
  },
  'labels[]': {
    pairs: { doc: 'The labels to add.', shape: 'map' },
    includeSelectors: {
      doc: 'Also adds them to selectors and pod templates (as commonLabels did).',
      shape: 'scalar',
      values: BOOLEAN,
    },
    includeTemplates: { doc: 'Also adds them to pod templates.', shape: 'scalar', values: BOOLEAN },
    fields: { doc: 'More fields to add them to.', shape: 'list' },
  },
  'labels[].fields[]': {
    path: { doc: 'The field path, such as spec/selector.', shape: 'scalar' },
    kind: { doc: 'Only in this kind.', shape: 'scalar' },
    group: { doc: 'Only in this API group.', shape: 'scalar' },
    version: { doc: 'Only in this API version.', shape: 'scalar' },
    create: { doc: 'Creates the field when missing.', shape: 'scalar', values: BOOLEAN },
  },
  'configMapGenerator[]': GENERATOR,
  'configMapGenerator[].options': GENERATOR_OPTIONS,
  'secretGenerator[]': {
    ...GENERATOR,
    type: {
      doc: 'The Secret type (Opaque by default).',
      shape: 'scalar',
      values: {
        Opaque: 'Arbitrary data.',
        'kubernetes.io/tls': 'tls.crt and tls.key.',
        'kubernetes.io/dockerconfigjson': 'A .dockerconfigjson registry login.',
        'kubernetes.io/basic-auth': 'username and password.',
        'kubernetes.io/ssh-auth': 'ssh-privatekey.',
      },
    },
  },
  'secretGenerator[].options': GENERATOR_OPTIONS,
  generatorOptions: GENERATOR_OPTIONS,
  'replacements[]': {
    path: { doc: 'A file of replacements, relative to this kustomization.', shape: 'scalar' },
    source: { doc: 'The object and field to copy from.', shape: 'map' },
    targets: { doc: 'The objects and fields to copy into.', shape: 'list' },
  },
  'replacements[].source': {
    ...SELECTOR,
    fieldPath: { doc: 'The field to copy (metadata.name by default).', shape: 'scalar' },
    options: { doc: 'How to split the value.', shape: 'map' },
  },
  'replacements[].source.options': REPLACEMENT_OPTIONS,
  'replacements[].targets[]': {
    select: { doc: 'The objects to copy into.', shape: 'map' },
    reject: { doc: 'Objects to leave out.', shape: 'list' },
    fieldPaths: { doc: 'The fields to copy into.', shape: 'list' },
    options: { doc: 'How to place the value.', shape: 'map' },
  },
  'replacements[].targets[].select': SELECTOR,
  'replacements[].targets[].reject[]': SELECTOR,
  'replacements[].targets[].options': REPLACEMENT_OPTIONS,
  sortOptions: {
    order: {
      doc: 'legacy sorts by kind; fifo keeps the listed order.',
      shape: 'scalar',
      values: { legacy: 'By kind, namespaces and CRDs first (the default).', fifo: 'In the order listed.' },
    },
    legacySortOptions: { doc: 'The kinds legacy puts first and last.', shape: 'map' },
  },
  'sortOptions.legacySortOptions': {
    orderFirst: { doc: 'Kinds output first.', shape: 'list' },
    orderLast: { doc: 'Kinds output last.', shape: 'list' },
  },
  'vars[]': {
    name: { doc: 'The variable, used as $(NAME).', shape: 'scalar' },
    objref: { doc: 'The object holding the value.', shape: 'map' },
    fieldref: { doc: 'The field holding the value (metadata.name by default).', shape: 'map' },
  },
};

/** NESTED by lower-case place and field: kustomize matches field names case-insensitively. */
const SCHEMA = new Map(
  Object.entries(NESTED).map(([place, fields]) => [
    place.toLowerCase(),
    new Map(Object.entries(fields).map(([f, info]) => [f.toLowerCase(), { name: f, info }])),
  ]),
);

/** PATH_FIELDS by the lower-case place of their path values. */
const PATH_PLACES = new Map(
  PATH_FIELDS.map((row) => [
    placeOf([row.field, '[]', ...(row.key ? [row.key] : []), ...(row.list ? ['[]'] : [])]).toLowerCase(),
    row,
  ]),
);

/** `['patches', '[]', 'target']` → `patches[].target`. */
function placeOf(path: string[]): string {
  return path.reduce((s, p) => (p === '[]' ? `${s}[]` : s ? `${s}.${p}` : p), '');
}

/** Stands in for the word being typed, so that a half-typed line parses. */
const MARKER = 'gitopsDriftCompletionMarker';

/** Where the cursor is: typing a key of the map at `path`, or a value at `path`. */
interface Place {
  mode: 'key' | 'value';
  path: string[];
  /** Key mode: the other keys of that map. */
  present: string[];
}

/** Proposals at `offset` in a kustomization's `text`; `file` is its repo-relative path. */
export async function kustomizationCompletions(
  text: string,
  offset: number,
  file: string,
  files: CompletionFiles,
): Promise<CompletionEntry[]> {
  const word = wordAt(text, offset);
  const lineStart = text.lastIndexOf('\n', word.start - 1) + 1;
  const before = text.slice(lineStart, word.start);
  const lineEnd = text.indexOf('\n', word.end);
  const after = text.slice(word.end, lineEnd < 0 ? text.length : lineEnd);
  const keyPosition = !word.quoted && /^\s*(-\s+)*$/.test(before);
  const hasColon = /^\s*:/.test(after);
  const marked = text.slice(0, word.start) + MARKER + (keyPosition && !hasColon ? ':' : '') + text.slice(word.end);
  // Where the parser cannot place the marker (an unclosed quote above), a key at column 0 is still a top-level field.
  const place: Place | undefined =
    locate(marked, keyPosition && /-\s+$/.test(before)) ??
    (keyPosition && before === '' ? { mode: 'key', path: [], present: [] } : undefined);
  if (!place) return [];
  const range = { replaceStart: word.start, replaceEnd: word.end };
  if (place.mode === 'key') {
    const fields = SCHEMA.get(placeOf(place.path).toLowerCase());
    const present = new Set(place.present.map((k) => k.toLowerCase()));
    const entries = [...(fields?.values() ?? [])]
      .filter(({ name }) => !present.has(name.toLowerCase()))
      .map(({ name, info }) => fieldEntry(name, info, place.path.length === 0, hasColon, range));
    return [...entries.filter((e) => !e.deprecated), ...entries.filter((e) => e.deprecated)].map((e, i) => ({
      ...e,
      sortText: String(i).padStart(4, '0'),
    }));
  }
  const row = PATH_PLACES.get(placeOf(place.path).toLowerCase());
  if (row) return pathCompletions(text, offset, word, row, file, files);
  const key = place.path[place.path.length - 1] ?? '';
  const info = SCHEMA.get(placeOf(place.path.slice(0, -1)).toLowerCase())?.get(key.toLowerCase())?.info;
  return Object.entries(info?.values ?? {}).map(([value, doc]) => ({
    label: value,
    kind: 'value',
    documentation: doc,
    ...range,
  }));
}

function fieldEntry(
  name: string,
  info: FieldInfo,
  topLevel: boolean,
  hasColon: boolean,
  range: { replaceStart: number; replaceEnd: number },
): CompletionEntry {
  const unsupported = topLevel ? UNSUPPORTED[name] : undefined;
  return {
    label: name,
    kind: 'field',
    // A list or map goes on the next lines: no trailing space to leave behind.
    insertText: hasColon ? name : `${name}:${info.shape === 'scalar' ? ' ' : ''}`,
    detail: unsupported ? `not rendered by GitOps Drift: ${unsupported}` : info.shape,
    documentation: info.deprecated ? `Deprecated. ${info.deprecated} ${info.doc}` : info.doc,
    ...(info.deprecated ? { deprecated: true } : {}),
    ...range,
  };
}

/** The word at the cursor: stops at spaces, flow punctuation, quotes and a `: ` separator. */
function wordAt(text: string, offset: number): { start: number; end: number; quoted: boolean } {
  const stop = (i: number) =>
    /[\s,[\]{}"']/.test(text[i]) ||
    (text[i] === ':' && (i + 1 >= text.length || /\s/.test(text[i + 1]) || i + 1 === offset));
  let start = offset;
  while (start > 0 && !stop(start - 1)) start--;
  let end = offset;
  while (end < text.length && !stop(end)) end++;
  return { start, end, quoted: start > 0 && /["']/.test(text[start - 1]) };
}

/**
 * Finds the marker in the parsed text. `entryStart`: it is the first key of a list entry (`- marker:`), which is
 * rather the entry itself when the list holds paths.
 */
function locate(text: string, entryStart: boolean): Place | undefined {
  let found: Place | undefined;
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : []) {
    visit(doc, {
      Pair(_, pair, ancestors) {
        if (!isScalar(pair.key) || pair.key.value !== MARKER) return undefined;
        const path = logicalPath(ancestors);
        const parent = ancestors[ancestors.length - 1];
        const siblings = isMap(parent) ? parent.items : [pair];
        if (entryStart && siblings[0] === pair && PATH_PLACES.has(placeOf(path).toLowerCase()))
          found = { mode: 'value', path, present: [] };
        else found = { mode: 'key', path, present: siblings.filter((p) => p !== pair).map(keyName) };
        return visit.BREAK;
      },
      Scalar(key, node, ancestors) {
        if (key === 'key' || node.value !== MARKER) return undefined;
        found = { mode: 'value', path: logicalPath(ancestors), present: [] };
        return visit.BREAK;
      },
    });
    if (found) return found;
  }
  return undefined;
}

function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** Keys and list entries from the document down: `patches`, `[]`, `target`. */
function logicalPath(ancestors: readonly unknown[]): string[] {
  return ancestors.flatMap((a) => (isPair(a) ? [keyName(a)] : isSeq(a) ? ['[]'] : []));
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Files and folders for the path segment at the cursor, within the directory typed so far. */
async function pathCompletions(
  text: string,
  offset: number,
  word: { start: number; end: number },
  row: PathField,
  file: string,
  files: CompletionFiles,
): Promise<CompletionEntry[]> {
  let start = word.start;
  let typed = text.slice(start, offset);
  const eq = row.keyed ? typed.indexOf('=') : -1;
  if (eq >= 0) {
    start += eq + 1;
    typed = typed.slice(eq + 1);
  }
  if (isRemote(typed)) return [];
  const slash = typed.lastIndexOf('/');
  const replaceStart = start + slash + 1;
  let replaceEnd = offset;
  while (replaceEnd < word.end && text[replaceEnd] !== '/') replaceEnd++;
  const base = directoryOf(file);
  const typedDir = typed.slice(0, slash + 1);
  const dir = normalizeRepoPath(base ? `${base}/${typedDir}` : typedDir);
  if (dir === undefined) return [];
  const listing = await files.list(dir);
  if (!listing) return [];
  const range = { replaceStart, replaceEnd };
  const out: CompletionEntry[] = [];
  const segment = typed.slice(slash + 1);
  // Going up is offered where the path only went up so far.
  if (
    /^(\.\.\/)*$/.test(typedDir) &&
    /^\.{0,2}$/.test(segment) &&
    normalizeRepoPath(dir ? `${dir}/..` : '..') !== undefined
  ) {
    out.push({ label: '..', kind: 'folder', insertText: '../', detail: 'parent folder', ...range });
  }
  const wholeEntries = row.names !== 'file';
  const child = (name: string) => (dir ? `${dir}/${name}` : name);
  // The kustomization's own folder would be a cycle.
  const folders = listing
    .filter((e) => e.isDirectory && e.name !== '.git' && !(wholeEntries && child(e.name) === base))
    .sort(byName);
  const kustomizations = wholeEntries
    ? await Promise.all(
        folders.map(
          async (f) =>
            (await files.list(child(f.name)))?.some((e) => !e.isDirectory && KUSTOMIZATION_FILES.includes(e.name)) ??
            false,
        ),
      )
    : [];
  folders.forEach((f, i) =>
    out.push({
      label: f.name,
      kind: 'folder',
      insertText: kustomizations[i] ? f.name : `${f.name}/`,
      detail: kustomizations[i] ? 'kustomization' : 'folder',
      ...range,
    }),
  );
  if (row.names === 'folder') return out;
  const self = dir === base ? file.slice(file.lastIndexOf('/') + 1) : undefined;
  for (const f of listing.filter((e) => !e.isDirectory).sort(byName)) {
    if (f.name === self) continue;
    // A kustomization file is never a resource: its directory is.
    if (row.names === 'resource' && (KUSTOMIZATION_FILES.includes(f.name) || !/\.(ya?ml|json)$/i.test(f.name)))
      continue;
    out.push({ label: f.name, kind: 'file', ...range });
  }
  return out;
}
