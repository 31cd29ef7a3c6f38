/**
 * "Compare Environments…": two environments' rendered output, side by side under their real names; what every
 * overlay changes by design (its namespace, name prefix/suffix, generator hashes) pairs objects but does not decide
 * whether they differ.
 */
import { childPointer, isMap, valueAt } from '../yaml/pointer';
import { foldStringData, isSecret } from '../drift/secrets';
import { keyLabel, type KubeObject } from '../model/resource';
import { baseName } from '../promote/pairObjects';
import { kustomizeYaml } from '../render/kustomize/kustomizeYaml';
import type { RenderedObject } from '../render/types';
import type { EnvironmentRender } from './effectiveValues';
import { maskedObject } from './renderedText';

/** Two environments side by side: the texts to diff and a summary of what differs. */
export interface ComparedEnvironments {
  left: string;
  right: string;
  /** Each side's objects normalised and sorted by kind and name, as multi-document YAML: diff these two. */
  leftText: string;
  rightText: string;
  /** Objects only in one side, and changed ones (by `Kind name`, the left side's name for a pair), for a summary line. */
  summary: { onlyLeft: string[]; onlyRight: string[]; changed: string[]; same: number };
}

const NAMESPACE = '<namespace>';
const HASH = '-<hash>';

/** A name prefix and suffix one overlay's `namePrefix`/`nameSuffix` line added. */
interface Affix {
  prefix: string;
  suffix: string;
}

/** One object after normalisation. */
interface Normalised {
  /** What pairs it with the other side's: kind and name without prefix, suffix and hash. */
  id: string;
  sortKey: string;
  /** `Kind name` with its real name. */
  label: string;
  /** What decides whether the pair differs: names and references without prefix, suffix and hash. */
  compareText: string;
  /** What the diff shows: real names. */
  text: string;
}

/**
 * Both environments' objects, side by side: each with its real name (references too, a generator's hash in them
 * as `-<hash>`), the namespace an overlay set as `<namespace>`, Secret values masked (equal values mask equally).
 * Objects pair, and sit in the same order, by their name without the `namePrefix`/`nameSuffix` an overlay added
 * and without a generator's hash: `dev-web` sits across from `prod-web`, and the diff shows both names as they are.
 */
export function compareEnvironments(left: EnvironmentRender, right: EnvironmentRender): ComparedEnvironments {
  const [leftAffixes, rightAffixes] = learnAffixes(left.result.objects, right.result.objects);
  const leftSide = normaliseAll(left.result.objects, leftAffixes);
  const rightSide = normaliseAll(right.result.objects, rightAffixes);
  const summary: ComparedEnvironments['summary'] = { onlyLeft: [], onlyRight: [], changed: [], same: 0 };
  const paired = new Set<Normalised>();
  for (const l of leftSide) {
    const r = rightSide.find((n) => n.id === l.id && !paired.has(n));
    if (!r) summary.onlyLeft.push(l.label);
    else {
      paired.add(r);
      if (l.compareText === r.compareText) summary.same++;
      else summary.changed.push(l.label);
    }
  }
  summary.onlyRight = rightSide.filter((r) => !paired.has(r)).map((r) => r.label);
  const text = (side: Normalised[]) => side.map((n) => n.text).join('---\n');
  return { left: left.name, right: right.name, leftText: text(leftSide), rightText: text(rightSide), summary };
}

function isGenerated(object: RenderedObject): boolean {
  return object.origins.get('')?.kind === 'generator' && baseName(object.key.name) !== object.key.name;
}

/** The `namePrefix`/`nameSuffix` line that last renamed the object (`file:line:column`), if one did. */
function renamedBy(object: RenderedObject): string | undefined {
  const origin = object.origins.get('/metadata/name');
  return origin && (origin.kind === 'namePrefix' || origin.kind === 'nameSuffix')
    ? `${origin.file}:${origin.line}:${origin.column}`
    : undefined;
}

/**
 * The prefix and suffix each renaming line added, learnt from objects both environments declare at the same
 * place: their names share the part before the renames. Each line's most frequent answer wins.
 */
function learnAffixes(left: RenderedObject[], right: RenderedObject[]): [Map<string, Affix>, Map<string, Affix>] {
  const votes = [new Map<string, Map<string, number>>(), new Map<string, Map<string, number>>()];
  const vote = (side: number, line: string, name: string, core: string) => {
    const i = name.indexOf(core);
    const affix = JSON.stringify({ prefix: name.slice(0, i), suffix: name.slice(i + core.length) });
    const counts = votes[side].get(line) ?? votes[side].set(line, new Map()).get(line)!;
    counts.set(affix, (counts.get(affix) ?? 0) + 1);
  };
  for (const l of left) {
    const r = right.find(
      (o) =>
        o.key.group === l.key.group &&
        o.key.kind === l.key.kind &&
        o.source.file === l.source.file &&
        o.source.line === l.source.line &&
        o.source.column === l.source.column,
    );
    const [a, b] = [l, r].map((o) => o && (isGenerated(o) ? baseName(o.key.name) : o.key.name));
    if (!r || a === b) continue;
    const [byLeft, byRight] = [renamedBy(l), renamedBy(r)];
    const core =
      byLeft && byRight ? commonCore(a!, b!) : byLeft && a!.includes(b!) ? b! : byRight && b!.includes(a!) ? a! : '';
    if (!core) continue;
    if (byLeft) vote(0, byLeft, a!, core);
    if (byRight) vote(1, byRight, b!, core);
  }
  const winners = (side: Map<string, Map<string, number>>) =>
    new Map(
      [...side].map(([line, counts]) => [line, JSON.parse([...counts].sort((x, y) => y[1] - x[1])[0][0]) as Affix]),
    );
  return [winners(votes[0]), winners(votes[1])];
}

/**
 * The longest common substring of two names, trimmed to start and end with a letter or digit (Kubernetes names
 * do, so a separator belongs to the prefix or suffix): `dev-web`, `web-prod` → `web`.
 */
function commonCore(a: string, b: string): string {
  let best = '';
  const previous: number[] = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : 0;
      if (previous[j] > best.length) best = a.slice(i - previous[j], i);
      diagonal = above;
    }
  }
  return best.replace(/^[^a-z0-9]+|[^a-z0-9]+$/gi, '');
}

function normaliseAll(objects: RenderedObject[], affixes: Map<string, Affix>): Normalised[] {
  const nameOf = (object: RenderedObject) => {
    let name = isGenerated(object) ? baseName(object.key.name) : object.key.name;
    const affix = affixes.get(renamedBy(object) ?? '');
    if (
      affix &&
      name.length > affix.prefix.length + affix.suffix.length &&
      name.startsWith(affix.prefix) &&
      name.endsWith(affix.suffix)
    ) {
      name = name.slice(affix.prefix.length, name.length - affix.suffix.length);
    }
    return isGenerated(object) ? name + HASH : name;
  };
  const names = new Map<string, string>();
  const hashed = new Map<string, string>();
  const namespaces = new Set<string>();
  for (const object of objects) {
    if (!names.has(object.key.name)) names.set(object.key.name, nameOf(object));
    if (isGenerated(object)) hashed.set(object.key.name, baseName(object.key.name) + HASH);
    for (const [pointer, origin] of object.origins) {
      const value = origin.kind === 'namespace' ? valueAt(object.object, pointer) : undefined;
      if (typeof value === 'string') namespaces.add(value);
    }
  }
  const normalised = objects.map((object): Normalised => {
    // Only values the renderer set by design are rewritten (its origins say which). What is compared: names
    // without prefix, suffix and hash, references likewise, the overlay's namespace as a placeholder. What is
    // shown: the real names, a generator's hash in references as `-<hash>` (a changed ConfigMap shows in its data
    // and name rather than in every reference), the namespace as a placeholder.
    const view = (compared: boolean) =>
      rewrite(object.object, '', (pointer, value) => {
        if (typeof value !== 'string') return value;
        const kind = object.origins.get(pointer)?.kind;
        if (kind === 'namespace') return NAMESPACE;
        if (pointer === '/metadata/name') return compared ? nameOf(object) : value;
        if (kind === 'nameReference')
          return namespaces.has(value) ? NAMESPACE : ((compared ? names : hashed).get(value) ?? value);
        return value;
      }) as KubeObject;
    const yaml = (shown: KubeObject) =>
      // stringData as the API server stores it (in data), so the same value written either way compares equal.
      kustomizeYaml(
        maskedObject({ ...object, object: isSecret(object.key) ? foldStringData(shown) : shown }),
        object.exactIntegers,
      );
    const compared = view(true);
    const namespace = compared.metadata.namespace ?? '';
    const key = { ...object.key, namespace, name: compared.metadata.name ?? '' };
    return {
      id: `${key.group}/${key.kind}/${key.namespace}/${key.name}`,
      sortKey: [key.kind, key.name, key.namespace, key.group].join('\0'),
      label: keyLabel({ ...object.key, namespace: namespace === NAMESPACE ? '' : namespace }),
      compareText: yaml(compared),
      text: yaml(view(false)),
    };
  });
  return normalised.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
}

/** A copy of a JSON value with each scalar replaced by `replace(pointer, scalar)`. */
function rewrite(value: unknown, pointer: string, replace: (pointer: string, value: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v, i) => rewrite(v, childPointer(pointer, i), replace));
  if (isMap(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, rewrite(v, childPointer(pointer, k), replace)]),
    );
  return replace(pointer, value);
}
