import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readTar, unpackChart } from '../../../src/node/chartArchive';

/** A ustar entry: header (name, size, type) and its data padded to 512 bytes. */
function entry(name: string, data: string, type = '0', prefix = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(Buffer.byteLength(data).toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
  header.write(type, 156, 1, 'latin1');
  header.write('ustar\0', 257, 6, 'latin1');
  header.write(prefix, 345, 155, 'utf8');
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
  body.write(data, 0, 'utf8');
  return Buffer.concat([header, body]);
}

const pax = (path: string) => {
  const record = (n: number) => `${n} path=${path}\n`;
  let length = record(0).length;
  while (record(length).length !== length) length = record(length).length;
  return record(length);
};

const tgz = (...entries: Buffer[]) => gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));

describe('chart archives (helm package .tgz) unpacked in memory', () => {
  it("strips the chart's folder, skips folders and links, reads ustar prefixes, PAX and GNU long names", () => {
    const long = `web/templates/${'x'.repeat(120)}.yaml`;
    const files = unpackChart(
      tgz(
        entry('web/', '', '5'),
        entry('web/Chart.yaml', 'name: web\n'),
        entry('templates/a.yaml', 'a: 1\n', '0', 'web'),
        entry('././@PaxHeader', pax(long), 'x'),
        entry('truncated', 'kind: Long\n'),
        entry('././@LongLink', 'web/charts/' + 'y'.repeat(110) + '.tgz', 'L'),
        entry('short', 'sub'),
        entry('web/link', '', '2'),
      ),
    );
    assert.deepEqual(
      files.map((f) => [f.name, Buffer.from(f.data).toString()]),
      [
        ['Chart.yaml', 'name: web\n'],
        ['templates/a.yaml', 'a: 1\n'],
        [long.slice('web/'.length), 'kind: Long\n'],
        [`charts/${'y'.repeat(110)}.tgz`, 'sub'],
      ],
    );
  });

  it('refuses what is not a chart, or reaches outside it', () => {
    assert.throws(() => unpackChart(Buffer.from('not gzip')), /not a gzip archive/);
    assert.throws(() => unpackChart(tgz(entry('web/values.yaml', 'a: 1'))), /no Chart\.yaml/);
    assert.throws(
      () => unpackChart(tgz(entry('web/Chart.yaml', 'name: web'), entry('web/../../etc/x', 'x'))),
      /outside the chart/,
    );
    assert.throws(() => readTar(Buffer.concat([entry('web/Chart.yaml', 'name: web').subarray(0, 515)])), /ends inside/);
  });
});
