/**
 * Render results per kustomization root, kept while the files each render read keep their content (the reads and
 * listings a RecordingFileSystem took down during that render).
 */
import type { RenderResult } from '../render/types';

interface Entry {
  result: RenderResult;
  /** The content each file had when rendered (undefined = it did not exist). */
  inputs: Map<string, string | undefined>;
  listings: Map<string, Set<string>>;
}

/**
 * Render results per kustomization root, valid as long as the files the render read keep their content.
 * A changed file invalidates only the roots that read it, and only when its content really changed (an editor
 * save without edits, a touch, or a branch switch that restores the same bytes re-renders nothing).
 */
export class RenderCache {
  private readonly entries = new Map<string, Entry>();

  get(root: string): RenderResult | undefined {
    return this.entries.get(root)?.result;
  }

  set(
    root: string,
    result: RenderResult,
    reads: Map<string, string | undefined>,
    listings = new Map<string, Set<string>>(),
  ): void {
    const inputs = new Map(reads);
    // The renderer's own list may name files it read another way (it never should, but a stale cache is worse).
    for (const f of result.files) if (!inputs.has(f)) inputs.set(f, reads.get(f));
    this.entries.set(root, { result, inputs, listings: new Map(listings) });
  }

  /** What the kept render of `root` read: each file's text (undefined: missing) and each listed folder's files. */
  inputsOf(
    root: string,
  ):
    { files: ReadonlyMap<string, string | undefined>; listings: ReadonlyMap<string, ReadonlySet<string>> } | undefined {
    const e = this.entries.get(root);
    return e && { files: e.inputs, listings: e.listings };
  }

  /** Roots whose render read `file` (repo-relative). */
  rootsReading(file: string): string[] {
    return [...this.entries].filter(([, e]) => e.inputs.has(file)).map(([root]) => root);
  }

  /**
   * Drops the roots whose recorded content of `file` differs from `content` (undefined = the file is gone) and
   * returns them.
   */
  invalidate(file: string, content: string | undefined): string[] {
    const stale: string[] = [];
    const slash = file.lastIndexOf('/');
    const dir = slash < 0 ? '' : file.slice(0, slash);
    const name = file.slice(slash + 1);
    // A deleted folder comes as one change for the folder: everything read under it is gone too.
    const under = content === undefined ? file.replace(/\/+$/, '') + '/' : undefined;
    for (const [root, e] of this.entries) {
      const listed = e.listings.get(dir);
      const appearedOrVanished = listed !== undefined && listed.has(name) !== (content !== undefined);
      const folderGone = under !== undefined && [...e.inputs.keys()].some((f) => f.startsWith(under));
      if ((e.inputs.has(file) && e.inputs.get(file) !== content) || appearedOrVanished || folderGone) {
        this.entries.delete(root);
        stale.push(root);
      }
    }
    return stale;
  }

  /** Drops the render of `root`, if kept. */
  delete(root: string): void {
    this.entries.delete(root);
  }

  clear(): void {
    this.entries.clear();
  }
}
