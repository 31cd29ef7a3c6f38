/** Appends one row to a section's table in docs/benchmarks.md, creating the section (heading and intro) on first use. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BENCHMARKS = join(__dirname, '..', 'docs', 'benchmarks.md');

export function recordRow(heading: string, intro: string, row: string): void {
  writeFileSync(BENCHMARKS, withRow(readFileSync(BENCHMARKS, 'utf8'), heading, intro, row));
}

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|').length;

/**
 * `text` with `row` added under `heading`. `intro` ends with the table's header rows. The row goes after the last
 * table of the section with as many columns as it has (prose after a table stays after it, and a table of another
 * shape written into the section by hand, an A/B comparison say, is not the bench's), else after the section's last
 * table row. The section ends at the next heading or at an HTML marker line (`<!-- … -->`: another bench's section
 * that it rewrites whole, which would drop a row put inside it).
 */
export function withRow(text: string, heading: string, intro: string, row: string): string {
  if (!text.includes(`${heading}\n`)) text = `${text.replace(/\n*$/, '\n')}\n${heading}\n\n${intro}`;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l === heading);
  let end = at + 1;
  while (end < lines.length && !lines[end].startsWith('## ') && !lines[end].startsWith('<!-- ')) end++;
  // The line after each table's last row, for tables of the row's shape (a header, then a `| --- |` line).
  let afterSameShape: number | undefined;
  for (let i = at + 1; i < end - 1; i++) {
    if (!lines[i].startsWith('|') || !/^\|\s*:?-{3}/.test(lines[i + 1]) || lines[i - 1].startsWith('|')) continue;
    let last = i + 1;
    while (last + 1 < end && lines[last + 1].startsWith('|')) last++;
    if (cells(lines[i]) === cells(row)) afterSameShape = last + 1;
    i = last;
  }
  let lastRow = end;
  while (lastRow > at && !lines[lastRow - 1].startsWith('|')) lastRow--;
  if (lastRow === at) while (end > at && lines[end - 1] === '') end--;
  lines.splice(afterSameShape ?? (lastRow > at ? lastRow : end), 0, row);
  return lines.join('\n').replace(/\n*$/, '\n');
}
