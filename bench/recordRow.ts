/** Appends one row to a section's table in docs/benchmarks.md, creating the section (heading and intro) on first use. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BENCHMARKS = join(__dirname, '..', 'docs', 'benchmarks.md');

/**
 * `intro` ends with the table's header rows; the row goes after the section's last table row (prose after the table
 * stays after it). The section ends at the next heading or at an HTML marker line (`<!-- … -->`: another bench's
 * section that it rewrites whole, which would drop a row put inside it).
 */
export function recordRow(heading: string, intro: string, row: string): void {
  let text = readFileSync(BENCHMARKS, 'utf8');
  if (!text.includes(`${heading}\n`)) text = `${text.replace(/\n*$/, '\n')}\n${heading}\n\n${intro}`;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l === heading);
  let end = at + 1;
  while (end < lines.length && !lines[end].startsWith('## ') && !lines[end].startsWith('<!-- ')) end++;
  let lastRow = end;
  while (lastRow > at && !lines[lastRow - 1].startsWith('|')) lastRow--;
  if (lastRow === at) while (end > at && lines[end - 1] === '') end--;
  lines.splice(lastRow > at ? lastRow : end, 0, row);
  writeFileSync(BENCHMARKS, lines.join('\n').replace(/\n*$/, '\n'));
}
