import { createHash } from 'node:crypto';
import type { FileChange, PromotableItem } from './types';

/** `Promote dev to staging` and one line per item moved. */
export function promotionMessage(source: string, target: string, items: PromotableItem[]): string {
  const images = items.filter((i) => i.kind === 'image').length;
  const others = items.length - images;
  const what = [
    images ? `${images} image${images > 1 ? 's' : ''}` : '',
    others ? `${others} value${others > 1 ? 's' : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `Promote ${source} to ${target}: ${what}\n\n${items.map((i) => `- ${i.label}`).join('\n')}\n`;
}

/**
 * `promote/<source>-to-<target>-<short>`, where `<short>` hashes the resulting file contents: the same promotion
 * twice gives the same branch (and is refused as already done), a different one a new branch.
 */
export function promotionBranch(source: string, target: string, changes: FileChange[]): string {
  const hash = createHash('sha256');
  for (const c of changes) hash.update(c.file).update('\0').update(c.after).update('\0');
  return `promote/${refSafe(source)}-to-${refSafe(target)}-${hash.digest('hex').slice(0, 7)}`;
}

/** Environment names as git allows them in a ref. */
function refSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|[.-]+$|\.\.+/g, '') || 'env';
}
