/**
 * src/core/promote/: changes to git and the cluster: promotion plans and their commits, revert, put live back, adopt
 * a live value, as plans (what changes) apart from the Git and ClusterWriter ports that carry them out. It may
 * import repo, drift, render, live and the base layers.
 */
import { createHash } from 'node:crypto';
import { formatLocation, type Origin, type OriginKind } from '../model/location';
import type { ResourceKey } from '../model/resource';
import type { PromotePolicy } from '../repo/config';
import type { RenderedObject, RenderResult } from '../render/types';
import { Classifier } from './classify';
import { flattenLeaves, humanPath, type Leaf } from './flatten';
import { describeVersion, parseImageRef, shortDigest } from './imageRef';
import { baseName, pairObjects } from './pairObjects';
import { earlierStages } from './promotionOrder';
import type { PromotableItem, PromotableKind, PromotionPlan, SkippedDifference } from './types';
import { planValueEdit, type EditResult } from './valueEdit';
import { imageDirection, type Direction } from './versionOrder';
import { lastSegment } from '../yaml/pointer';
import { offsetAt, parseYamlFile, type TextEdit, type YamlFile } from '../yaml/yamlText';
import { Document, isMap, isSeq } from 'yaml';
import { addGeneratorLiteral, appendInlinePatch, appendListItem } from './addEntry';

/** One environment's render, by name. */
export interface RenderedEnvironment {
  name: string;
  render: RenderResult;
}

/** What planPromotion reads. */
export interface PromotionInput {
  source: RenderedEnvironment;
  target: RenderedEnvironment;
  /** Reads a repo-relative file (through the FileSystem port). */
  readFile(file: string): Promise<string>;
  /**
   * The other environments' renders: what a value is elsewhere (to classify it), which environments read a file
   * an edit touches, and where a digest runs. Without them only the two environments are known.
   */
  others?: RenderedEnvironment[];
  /** The promotion order (chains), for the earlier stages. */
  promotion?: string[][];
  /** `promote:` of `.gitops-drift.yaml`. */
  policy?: PromotePolicy;
  /**
   * Whether an environment of `stages` ran the image `ref` (name@digest) before, e.g. from git history. Asked only
   * when none of them renders it now.
   */
  ranBefore?(ref: string, stages: string[]): Promise<boolean>;
}

/** Transformers whose values differ between environments by design (names, namespaces, env labels): never promoted. */
const ENVIRONMENT_KINDS = new Set<OriginKind>([
  'namespace',
  'namePrefix',
  'nameSuffix',
  'labels',
  'annotations',
  'nameReference',
]);
const IMAGE_PATH = /\/(containers|initContainers|ephemeralContainers)\/[^/]+\/image$/;

/**
 * Everything that differs between `source` and `target` and can be moved by editing the target's own files where it
 * sets the value (from the renderer's origins), each classified (does it move with a release, and why), with its
 * direction for images and the other environments its edit changes. Pure: reads files through `readFile`, writes
 * nothing.
 */
export async function planPromotion(input: PromotionInput): Promise<PromotionPlan> {
  const files = new ParsedFiles(input.readFile);
  const sourceFiles = new Set(input.source.render.files);
  const everyone = [
    input.source,
    input.target,
    ...(input.others ?? []).filter((o) => o.name !== input.source.name && o.name !== input.target.name),
  ];
  const readersOf = (file: string) =>
    everyone
      .filter((e) => e.name !== input.target.name && e.render.files.includes(file))
      .map((e) => e.name)
      .sort();
  const classifier = new Classifier(input.policy);
  const chains = input.promotion ?? [];
  const targetEarlier = earlierStages(chains, input.target.name);
  const stages = targetEarlier.includes(input.source.name) ? targetEarlier : [...targetEarlier, input.source.name];
  const sourceEarlier = earlierStages(chains, input.source.name);
  const elsewhereOf = leavesElsewhere(
    everyone.filter((e) => e.name !== input.target.name),
    input.target.render.objects,
  );
  const items: PromotableItem[] = [];
  const skipped: SkippedDifference[] = [];
  for (const { source, target } of pairObjects(input.source.render.objects, input.target.render.objects)) {
    const secret = target.key.kind === 'Secret';
    const sourceLeaves = flattenLeaves(source.object);
    const targetLeaves = flattenLeaves(target.object);
    for (const [logical, s] of sourceLeaves) {
      if (logical === '/metadata/name' || logical === '/metadata/namespace') continue;
      const t = targetLeaves.get(logical);
      if (t && t.value === s.value) continue;
      const sourceOrigin = source.origins.get(s.pointer);
      const targetOrigin = t && target.origins.get(t.pointer);
      if (
        (sourceOrigin && ENVIRONMENT_KINDS.has(sourceOrigin.kind)) ||
        (targetOrigin && ENVIRONMENT_KINDS.has(targetOrigin.kind))
      )
        continue;
      const where = `${baseName(target.key.name)}: ${humanPath(logical)}`;
      const skip = (reason: string) =>
        skipped.push({ resource: target.key, path: t?.pointer ?? s.pointer, where, reason });
      if (secret) {
        skip('Secret values are not promoted (they would be written and shown in plain text)');
        continue;
      }
      const literalToAdd =
        sourceOrigin?.kind === 'generatorLiteral' && (!t || (targetOrigin && sourceFiles.has(targetOrigin.file)));
      if (!t && !literalToAdd) {
        skip(`${input.target.name} does not set it; only images and generator literals can be added`);
        continue;
      }
      if (t && !targetOrigin) {
        skip('the renderer did not report where it is set');
        continue;
      }
      const kind = t && targetOrigin ? classify(t.pointer, targetOrigin, sourceOrigin) : 'generatorLiteral';
      // A file other environments read (a shared variant) is edited only when chosen; an image gets the target's own entry.
      const sharedWith = targetOrigin ? readersOf(targetOrigin.file) : [];
      let editAt: Origin | undefined = targetOrigin;
      let result: EditResult | undefined;
      if (literalToAdd) {
        // The target inherits the key (or lacks it): give its own generator entry the source's literal.
        const added = await addLiteral(files, input.target.render, sourceOrigin, s.pointer, s.value);
        if (added) [result, editAt] = [{ edits: [added.edit] }, added.origin];
      } else if (
        t &&
        kind === 'image' &&
        typeof t.value === 'string' &&
        typeof s.value === 'string' &&
        sharedWith.length &&
        (await ownKustomization(files, input.target.render, readersOf))
      ) {
        // The target inherits the image from a file others read too: give it its own images entry instead.
        const added = await addImageEntry(files, input.target.render, t.value, s.value);
        if (added) [result, editAt] = [{ edits: [added.edit] }, added.origin];
      } else if (t && targetOrigin && !sourceFiles.has(targetOrigin.file)) {
        result = planValueEdit(
          { origin: targetOrigin, path: t.pointer, current: t.value, next: s.value },
          await files.get(targetOrigin.file),
        );
      }
      if (!result || !editAt) {
        skip(
          targetOrigin
            ? `set at ${formatLocation(targetOrigin)}, which ${input.source.name} also uses: editing it would change both`
            : `${input.target.name} does not set it and it cannot be added there`,
        );
        continue;
      }
      if ('reason' in result) {
        skip(result.reason);
        continue;
      }
      const alsoChanges = [...new Set(result.edits.flatMap((e) => readersOf(e.file)))].sort();
      const classification = classifier.classify({
        label: where,
        pointer: t?.pointer ?? s.pointer,
        objectKind: target.key.kind,
        isImage: kind === 'image',
        ...keyNameOf(logical),
        source: { env: input.source.name, value: s.value },
        target: { env: input.target.name, value: t?.value },
        elsewhere: elsewhereOf(target, logical),
        earlierStages: stages,
        targetOverrides: Boolean(
          targetOrigin && sourceOrigin && !sharedWith.length && input.target.render.files.includes(sourceOrigin.file),
        ),
      });
      const warnings: string[] = [];
      let direction: Direction | undefined;
      if (kind === 'image' && typeof s.value === 'string') {
        if (typeof t?.value === 'string') {
          const moved = imageDirection(parseImageRef(t.value), parseImageRef(s.value));
          direction = moved.direction;
          if (direction === 'downgrade') warnings.push(`⚠ downgrade ${moved.text}`);
        }
        const digestWarning = await unseenDigest(s.value, input, everyone, sourceEarlier);
        if (digestWarning) warnings.push(digestWarning);
      }
      const shownLabel =
        classification.class === 'secret'
          ? `${where}: value differs (not shown)`
          : label(kind, target, where, t?.pointer ?? s.pointer, t?.value, s.value);
      const item = (edits: TextEdit[], at: Origin, also: string[], note = ''): PromotableItem => ({
        id: `${kind}:${editSignature(edits)}`,
        kind,
        // A credential's values are never shown, not even in a label or a commit message.
        label: shownLabel + note,
        where,
        resources: [target.key],
        path: t?.pointer ?? s.pointer,
        logicalPath: logical,
        sourceValue: s.value,
        targetValue: t?.value,
        ...(sourceOrigin ? { sourceOrigin } : {}),
        targetOrigin: at,
        edits,
        classification,
        ...(direction ? { direction } : {}),
        alsoChanges: also,
        warnings: also.length ? [...warnings, `also changes ${also.join(', ')}`] : warnings,
        defaultSelected: classification.moves && direction !== 'downgrade' && also.length === 0,
      });
      items.push(item(result.edits, editAt, alsoChanges));
      if (alsoChanges.length && kind === 'value' && (await ownKustomization(files, input.target.render, readersOf))) {
        // The way that moves nothing else: a patch in the target's own kustomization, offered beside the shared edit.
        const own = await addOverlayPatch(files, input.target.render, target, logical, s.value);
        if (own) items.push(item([own.edit], own.origin, [], ` (a patch in ${own.origin.file})`));
      }
    }
  }
  const order: PromotableKind[] = ['image', 'generatorLiteral', 'value'];
  // Images first, as a picker shows them; otherwise in render order.
  const sorted = mergeSameEdits(items).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const environmentsTouched = [...new Set([input.target.name, ...sorted.flatMap((i) => i.alsoChanges)])];
  return { source: input.source.name, target: input.target.name, items: sorted, skipped, environmentsTouched };
}

/**
 * For each target object and logical path, the value every other environment renders there (objects paired as
 * between source and target).
 */
function leavesElsewhere(
  others: RenderedEnvironment[],
  targetObjects: RenderedObject[],
): (target: RenderedObject, logical: string) => Map<string, unknown> {
  const byEnv = others.map((env) => {
    const paired = new Map<RenderedObject, Map<string, Leaf>>();
    for (const { source, target } of pairObjects(env.render.objects, targetObjects))
      paired.set(target, flattenLeaves(source.object));
    return { name: env.name, paired };
  });
  return (target, logical) => {
    const out = new Map<string, unknown>();
    for (const env of byEnv) {
      const leaf = env.paired.get(target)?.get(logical);
      if (leaf) out.set(env.name, leaf.value);
    }
    return out;
  };
}

/**
 * The warning for a digest the source runs that no environment of an earlier stage ran (now, or before when
 * `ranBefore` can tell): it skipped a stage. Undefined for a tag alone, or when the source is the first stage.
 */
async function unseenDigest(
  ref: string,
  input: PromotionInput,
  everyone: RenderedEnvironment[],
  earlier: string[],
): Promise<string | undefined> {
  const image = parseImageRef(ref);
  if (!image.digest || !earlier.length) return undefined;
  const digest = image.digest;
  const runs = (env: RenderedEnvironment) =>
    env.render.objects.some((o) => JSON.stringify(o.object).includes(`@${digest}"`));
  if (everyone.some((e) => earlier.includes(e.name) && runs(e))) return undefined;
  if (input.ranBefore && (await input.ranBefore(`${image.name}@${digest}`, earlier))) return undefined;
  return `⚠ ${shortDigest(digest)} never ran in ${earlier.join(', ')}`;
}

/** The env var's or data key's name, which says whether it is a credential (`DB_PASSWORD`). */
function keyNameOf(logical: string): { keyName?: string } {
  const envVar = /\/env\/\[([^\]]+)\]\/value$/.exec(logical);
  if (envVar) return { keyName: envVar[1] };
  return /^\/(data|stringData|binaryData)\/[^/]+$/.test(logical) ? { keyName: lastSegment(logical) } : {};
}

function classify(pointer: string, target: Origin, source: Origin | undefined): PromotableKind {
  if (IMAGE_PATH.test(pointer) || target.kind === 'image') return 'image';
  if (target.kind === 'generatorLiteral' || target.kind === 'generatorEnv' || source?.kind === 'generatorLiteral')
    return 'generatorLiteral';
  return 'value';
}

function label(
  kind: PromotableKind,
  target: RenderedObject,
  where: string,
  pointer: string,
  from: unknown,
  to: unknown,
): string {
  if (kind === 'image' && typeof from === 'string' && typeof to === 'string') {
    const a = parseImageRef(from);
    const b = parseImageRef(to);
    return a.name === b.name
      ? `image ${a.name} ${describeVersion(a)} → ${describeVersion(b)}`
      : `image ${from} → ${to}`;
  }
  if (kind === 'generatorLiteral')
    return `${target.key.kind} ${baseName(target.key.name)} ${lastSegment(pointer)}: ${short(from)} → ${short(to)}`;
  return `${where}: ${short(from)} → ${short(to)}`;
}

function short(v: unknown): string {
  if (v === undefined) return '(not set)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const line = s.split('\n')[0];
  return line.length > 60 || line !== s ? line.slice(0, 57) + '…' : line;
}

/** One images entry feeds every container that uses the image: one item, several resources. */
function mergeSameEdits(items: PromotableItem[]): PromotableItem[] {
  const byId = new Map<string, PromotableItem>();
  for (const item of items) {
    const prev = byId.get(item.id);
    if (!prev) byId.set(item.id, item);
    else if (!prev.resources.some((r) => sameKey(r, item.resources[0]))) prev.resources.push(item.resources[0]);
  }
  return [...byId.values()];
}

/** `file@offset:hash`: the same edits give the same id; the new text is hashed, so an id never shows a value. */
function editSignature(edits: TextEdit[]): string {
  const hash = createHash('sha256')
    .update(edits.map((e) => `${e.file}@${e.start}-${e.end}=${e.newText}`).join('\0'))
    .digest('hex')
    .slice(0, 12);
  return `${edits[0].file}@${edits[0].start}:${hash}`;
}

function sameKey(a: ResourceKey, b: ResourceKey): boolean {
  return a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/** The target's own kustomization file, parsed. */
async function rootKustomization(files: ParsedFiles, target: RenderResult): Promise<YamlFile | undefined> {
  const root = target.root === '.' ? '' : target.root.replace(/\/$/, '');
  const name = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((n) => (root ? `${root}/${n}` : n))
    .find((f) => target.files.includes(f));
  const file = name ? await files.get(name) : undefined;
  return file && isYaml(file) ? file : undefined;
}

function isYaml(file: YamlFile | { file: string; text: string }): file is YamlFile {
  return 'docs' in file;
}

/** The source's literal `KEY=value`, added to the target's own entry for the same generator. */
async function addLiteral(
  files: ParsedFiles,
  target: RenderResult,
  sourceOrigin: Origin,
  pointer: string,
  value: unknown,
): Promise<{ edit: TextEdit; origin: Origin } | undefined> {
  if (typeof value !== 'string' || value.includes('\n')) return undefined;
  const source = await files.get(sourceOrigin.file);
  const file = await rootKustomization(files, target);
  if (!isYaml(source) || !file) return undefined;
  const offset = offsetAt(source, sourceOrigin.line, sourceOrigin.column);
  const root = source.docs[0]?.contents;
  const generators = isMap(root) ? root.get('configMapGenerator', true) : undefined;
  const entry = isSeq(generators)
    ? generators.items.find((e) => isMap(e) && e.range && e.range[0] <= offset && offset < e.range[2])
    : undefined;
  const name = isMap(entry) ? entry.get('name') : undefined;
  if (typeof name !== 'string') return undefined;
  const edit = addGeneratorLiteral(file, name, `${lastSegment(pointer)}=${value}`);
  return edit && { edit, origin: insertionOrigin(file, edit, 'generatorLiteral') };
}

/** Whether the target's root kustomization is its own (no other environment reads it): an entry there moves nothing else. */
async function ownKustomization(
  files: ParsedFiles,
  target: RenderResult,
  readersOf: (file: string) => string[],
): Promise<boolean> {
  const root = await rootKustomization(files, target);
  return root !== undefined && readersOf(root.file).length === 0;
}

/**
 * An inline strategic-merge patch in the target's own kustomization that sets `logical` of `target` to `value`: list
 * items are addressed by their `name` (containers, env vars), as the merge keys of the built-in kinds do. Undefined
 * for a path through a list by index (a patch would replace the whole list) or through metadata.
 */
async function addOverlayPatch(
  files: ParsedFiles,
  render: RenderResult,
  target: RenderedObject,
  logical: string,
  value: unknown,
): Promise<{ edit: TextEdit; origin: Origin } | undefined> {
  const segments = logical
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segments[0] !== 'spec' && segments[0] !== 'data') return undefined;
  const build = (i: number): unknown => {
    if (i === segments.length) return value;
    const seg = segments[i];
    if (/^\d+$/.test(seg) || /^\[.*\]$/.test(seg)) return undefined;
    const next = segments[i + 1];
    if (next !== undefined && /^\[.*\]$/.test(next)) {
      const inner = build(i + 2);
      return inner !== undefined && isPlainObject(inner)
        ? { [seg]: [{ name: next.slice(1, -1), ...inner }] }
        : undefined;
    }
    const inner = build(i + 1);
    return inner === undefined ? undefined : { [seg]: inner };
  };
  const body = build(0);
  const file = await rootKustomization(files, render);
  if (!isPlainObject(body) || !file) return undefined;
  const name = (await declaredName(files, target)) ?? baseName(target.key.name);
  const patch = { apiVersion: target.object.apiVersion, kind: target.key.kind, metadata: { name }, ...body };
  const edit = appendInlinePatch(file, new Document(patch).toString({ lineWidth: 0 }));
  return edit && { edit, origin: insertionOrigin(file, edit, 'strategicMergePatch') };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object's name where its document declares it (before any namePrefix): what a patch in an overlay matches. */
async function declaredName(files: ParsedFiles, target: RenderedObject): Promise<string | undefined> {
  const file = await files.get(target.source.file).catch(() => undefined);
  if (!file || !isYaml(file)) return undefined;
  const offset = offsetAt(file, target.source.line, target.source.column);
  const doc = file.docs.find((d) => d.range[0] <= offset && offset <= d.range[2]);
  const name = doc?.getIn(['metadata', 'name']);
  return typeof name === 'string' ? name : undefined;
}

/** Where inserted text's first item (`- …`) will be. */
function insertionOrigin(file: YamlFile, edit: TextEdit, kind: Origin['kind']): Origin {
  const dash = edit.newText.indexOf('- ');
  const lead = edit.newText.slice(0, dash).split('\n');
  const line = file.text.slice(0, edit.start).split('\n').length + lead.length - 1;
  const column =
    lead[lead.length - 1].length +
    (lead.length === 1 ? edit.start - (file.text.lastIndexOf('\n', edit.start - 1) + 1) : 0) +
    1;
  return { file: file.file, line, column, kind };
}

/** An `images:` entry for the target's own kustomization that turns `current` into `next`. */
async function addImageEntry(
  files: ParsedFiles,
  target: RenderResult,
  current: string,
  next: string,
): Promise<{ edit: TextEdit; origin: Origin } | undefined> {
  const file = await rootKustomization(files, target);
  if (!file) return undefined;
  const from = parseImageRef(current);
  const to = parseImageRef(next);
  if (!to.tag && !to.digest) return undefined;
  const fields: [string, string][] = [['name', from.name]];
  if (to.name !== from.name) fields.push(['newName', to.name]);
  if (to.tag) fields.push(['newTag', to.tag]);
  if (to.digest) fields.push(['digest', to.digest]);
  const edit = appendListItem(file, 'images', fields);
  if (!edit) return undefined;
  return { edit, origin: insertionOrigin(file, edit, 'image') };
}

/** The files one plan reads, each read and parsed once; YAML files come back parsed, others as text. */
class ParsedFiles {
  private readonly cache = new Map<string, Promise<YamlFile | { file: string; text: string }>>();
  constructor(private readonly read: (file: string) => Promise<string>) {}

  get(file: string): Promise<YamlFile | { file: string; text: string }> {
    let p = this.cache.get(file);
    if (!p) {
      p = this.read(file).then((text) =>
        /\.ya?ml$|(^|\/)Kustomization$/.test(file) ? parseYamlFile(file, text) : { file, text },
      );
      this.cache.set(file, p);
    }
    return p;
  }
}
