#!/usr/bin/env node
// Package size: builds the .vsix as a user installs it (test/e2e/packageVsix.mjs, which also checks its contents)
// and prints its size, unpacked size and largest files, for docs/benchmarks.md ("Package size"). Target (issue #16):
// at most 25 MB. A size, not a speed: the machine's load does not change it.
//   node bench/package/run.mjs
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtension } from '../../test/editor/harness/build.mjs';
import { packageVsix } from '../../test/e2e/packageVsix.mjs';

const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-package-'));
try {
  const vsix = await packageVsix({ stateDir, buildExtension });
  // `unzip -Zl`: one line per entry with its uncompressed size in the fourth column.
  const listing = spawnSync('unzip', ['-Zl', vsix], { encoding: 'utf8' }).stdout.split('\n');
  const files = listing
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 10 && /^-/.test(cols[0]))
    .map((cols) => ({ name: cols[cols.length - 1], size: Number(cols[3]) }))
    .sort((a, b) => b.size - a.size);
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  const size = statSync(vsix).size;
  console.log(
    `.vsix ${mb(size)} (${size.toLocaleString('en')} bytes), target ≤ 25 MB: ${size <= 25e6 ? 'met' : 'MISSED'}`,
  );
  console.log(`unpacked ${mb(files.reduce((s, f) => s + f.size, 0))}, ${files.length} files`);
  for (const f of files.slice(0, 5)) console.log(`  ${f.name} ${mb(f.size)}`);
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
