/**
 * A chart archive (`helm package`'s `.tgz`) unpacked in memory, as Helm's loader reads one (pkg/chart/loader/archive.go):
 * gzip, then tar; every file under the chart's top folder, that folder stripped off; directories and links skipped;
 * a path that is absolute or climbs out refused; Helm's limits on the decompressed size (100 MiB in all, 5 MiB per
 * file). A small tar reader of our own: the tar readers in node_modules (tar-stream, tar-fs) come only with the dev
 * tools, not with the product, and the part Helm's archives use (ustar, PAX and GNU long names) is short.
 */
import { gunzipSync } from 'node:zlib';
import type { HelmChartFile } from '../core/ports';

/** Helm's MaxDecompressedChartSize and MaxDecompressedFileSize. */
export const MAX_CHART_BYTES = 100 * 1024 * 1024;
export const MAX_CHART_FILE_BYTES = 5 * 1024 * 1024;

/** The chart's files (names relative to its folder); throws with a readable reason when the archive is not a chart. */
export function unpackChart(tgz: Uint8Array): HelmChartFile[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: MAX_CHART_BYTES });
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `the chart is larger than ${MAX_CHART_BYTES / 1024 / 1024} MiB unpacked`
        : `not a gzip archive (${(e as Error).message})`,
    );
  }
  const files: HelmChartFile[] = [];
  for (const entry of readTar(tar)) {
    if (entry.type !== 'file') continue;
    const parts = entry.name.split('/').filter((p) => p !== '' && p !== '.');
    if (entry.name.startsWith('/') || parts.includes('..'))
      throw new Error(`the chart archive holds a path outside the chart: ${JSON.stringify(entry.name)}`);
    // Helm strips the first folder (the chart's name); a file at the top has none to strip and is left out.
    if (parts.length < 2) continue;
    if (entry.data.length > MAX_CHART_FILE_BYTES)
      throw new Error(`${parts.slice(1).join('/')} is larger than ${MAX_CHART_FILE_BYTES / 1024 / 1024} MiB`);
    files.push({ name: parts.slice(1).join('/'), data: entry.data });
  }
  if (!files.some((f) => f.name === 'Chart.yaml')) throw new Error('the archive holds no Chart.yaml');
  return files;
}

interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'other';
  data: Uint8Array;
}

/** The entries of a tar stream: ustar and GNU headers, PAX `path` and GNU `L` long names. */
export function readTar(tar: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header.subarray(124, 136));
    if (size === undefined) throw new Error(`a tar header at byte ${offset} has no readable size`);
    const typeflag = String.fromCharCode(header[156] || 0x30);
    const body = offset + 512;
    if (body + size > tar.length) throw new Error('the tar archive ends inside a file');
    const data = tar.subarray(body, body + size);
    offset = body + Math.ceil(size / 512) * 512;
    if (typeflag === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (typeflag === 'L') {
      longName = cString(data);
      continue;
    }
    if (typeflag === 'g') continue;
    let name = cString(header.subarray(0, 100));
    const magic = cString(header.subarray(257, 263));
    if (magic === 'ustar') {
      const prefix = cString(header.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    if (longName !== undefined) name = longName;
    longName = undefined;
    out.push({
      name,
      type: typeflag === '0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : 'other',
      data,
    });
  }
  return out;
}

function octal(field: Uint8Array): number | undefined {
  const text = cString(field).trim();
  if (!/^[0-7]+$/.test(text)) return text === '' ? 0 : undefined;
  return parseInt(text, 8);
}

function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

/** A PAX extended header's `path` record (`LEN path=VALUE\n`, LEN counting bytes). */
function paxPath(data: Uint8Array): string | undefined {
  const bytes = Buffer.from(data);
  let path: string | undefined;
  let i = 0;
  while (i < bytes.length) {
    const space = bytes.indexOf(0x20, i);
    if (space === -1) break;
    const length = parseInt(bytes.subarray(i, space).toString('latin1'), 10);
    if (!(length > 0) || i + length > bytes.length) break;
    const record = bytes.subarray(space + 1, i + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    i += length;
  }
  return path;
}
