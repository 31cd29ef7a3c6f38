import { type Environment, rendersHere } from '../model/environment';
import { keyLabel } from '../model/resource';
import { renderApplication } from '../render/application';
import type { DirEntry, FileSystem } from '../ports';
import type { RenderOptions, RenderResult } from '../render/types';
import { flattenLeaves } from './flatten';
import { baseName } from './pairObjects';
import { valueAt } from '../yaml/pointer';
import type { FileChange, PromotableItem } from './types';

/** A FileSystem that shows edited contents for some repo files and passes everything else through. */
export class EditedFileSystem implements FileSystem {
  private readonly edited = new Map<string, string>();

  readonly readFileBytes?: (path: string) => Promise<Uint8Array>;
  readonly realPath?: (path: string) => Promise<string>;

  constructor(
    private readonly inner: FileSystem,
    repoRoot: string,
    changes: FileChange[],
  ) {
    for (const c of changes) this.edited.set(repoRoot.replace(/\/+$/, '') + '/' + c.file, c.after);
    const bytes = inner.readFileBytes?.bind(inner);
    if (bytes)
      this.readFileBytes = (path) =>
        this.edited.has(path) ? Promise.resolve(new TextEncoder().encode(this.edited.get(path))) : bytes(path);
    // An edited file is one that exists: where it is, the load restrictor asks the disk.
    this.realPath = inner.realPath?.bind(inner);
  }

  readFile(path: string): Promise<string> {
    const text = this.edited.get(path);
    return text !== undefined ? Promise.resolve(text) : this.inner.readFile(path);
  }

  readDir(path: string): Promise<DirEntry[]> {
    return this.inner.readDir(path);
  }

  stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    return this.edited.has(path) ? Promise.resolve({ isDirectory: false, isFile: true }) : this.inner.stat(path);
  }
}

/**
 * Renders the target again with the edits applied (nothing written) and checks that every promoted value now
 * renders as the source's. Returns what does not, one line each; empty when the edits do exactly what they say.
 */
export async function verifyPromotion(items: PromotableItem[], render: () => Promise<RenderResult>): Promise<string[]> {
  const result = await render();
  const problems: string[] = [];
  for (const item of items) {
    for (const key of item.resources) {
      // Generated names change with their content: find the object by kind and name without the hash.
      const obj = result.objects.find(
        (o) =>
          o.key.group === key.group &&
          o.key.kind === key.kind &&
          o.key.namespace === key.namespace &&
          baseName(o.key.name) === baseName(key.name),
      );
      // By name where lists have names: a patch in the target's overlay may put a list's items in another order.
      const value = obj
        ? (flattenLeaves(obj.object).get(item.logicalPath)?.value ?? valueAt(obj.object, item.path))
        : undefined;
      const shown = item.classification.class === 'secret' ? 'another value (not shown)' : JSON.stringify(value);
      if (value !== item.sourceValue)
        problems.push(
          `${item.label}: ${keyLabel(key)} ${item.where.slice(item.where.indexOf(': ') + 2)} would render as ${shown}`,
        );
    }
  }
  return problems;
}

/**
 * An environment's objects rendered through `fs` (the repo with a promotion's edits): each application of this repo
 * through the one render port, with `ports` (DriftEngine.renderPorts: Helm's engine, the chart source) as the
 * engine's own renders get them. Applications outside this repo are left out, as the edits cannot reach them; so is
 * one that does not render (as the engine leaves it out): its objects then go missing, which the comparison sees.
 * Throws only when no application renders.
 */
export async function renderEnvironmentWith(
  env: Environment,
  fs: FileSystem,
  repoRoot: string,
  ports: Pick<RenderOptions, 'helmEngine' | 'chartSource'> = {},
): Promise<RenderResult> {
  const parts: RenderResult[] = [];
  let failure: unknown;
  for (const app of env.applications) {
    if (!rendersHere(app)) continue;
    try {
      // Helm's engine (and the chart source) as the repo's own renders have them: a Helm application re-renders too.
      parts.push(await renderApplication(app, { fs, repoRoot, ...ports }));
    } catch (e) {
      failure ??= e;
    }
  }
  if (!parts.length && failure !== undefined) throw failure;
  return {
    root: env.path,
    objects: parts.flatMap((p) => p.objects),
    problems: parts.flatMap((p) => p.problems),
    files: [...new Set(parts.flatMap((p) => p.files))],
  };
}

/** What re-rendering every environment with the edits found. */
export interface EnvironmentsCheck {
  /** Environments whose rendered objects change, the target among them (in the order given). */
  changed: string[];
  /** One line per environment that changes though nobody accepted it; empty when the commit may go ahead. */
  unaccepted: string[];
}

/**
 * Renders every environment again with the edits (nothing written) and compares each with its render before: the
 * target may change, and the environments the user accepted (an edit's "also changes"); any other that changes
 * refuses the commit. An environment that no longer renders counts as changed.
 */
export async function verifyEnvironments(
  before: { name: string; objects: RenderResult['objects'] }[],
  accepted: string[],
  renderEdited: (name: string) => Promise<RenderResult>,
): Promise<EnvironmentsCheck> {
  const changed: string[] = [];
  const unaccepted: string[] = [];
  for (const env of before) {
    let after: string[] | undefined;
    try {
      after = fingerprint((await renderEdited(env.name)).objects);
    } catch {
      after = undefined;
    }
    const same = after !== undefined && JSON.stringify(after) === JSON.stringify(fingerprint(env.objects));
    if (same) continue;
    changed.push(env.name);
    if (!accepted.includes(env.name))
      unaccepted.push(`${env.name} would ${after ? 'change too' : 'no longer render'}, and that was not accepted`);
  }
  return { changed, unaccepted };
}

/** The objects as sorted JSON: the same objects in another order are the same environment. */
function fingerprint(objects: RenderResult['objects']): string[] {
  return objects.map((o) => JSON.stringify(o.object)).sort();
}
