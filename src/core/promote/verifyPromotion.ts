import { keyLabel } from '../model/resource';
import type { DirEntry, FileSystem } from '../ports';
import type { RenderResult } from '../render/types';
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
    if (bytes) this.readFileBytes = (path) => (this.edited.has(path) ? Promise.resolve(new TextEncoder().encode(this.edited.get(path))) : bytes(path));
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
      const obj = result.objects.find((o) => o.key.group === key.group && o.key.kind === key.kind && o.key.namespace === key.namespace && baseName(o.key.name) === baseName(key.name));
      const value = obj ? valueAt(obj.object, item.path) : undefined;
      if (value !== item.sourceValue) problems.push(`${item.label}: ${keyLabel(key)} ${item.path} would render as ${JSON.stringify(value)}`);
    }
  }
  return problems;
}


