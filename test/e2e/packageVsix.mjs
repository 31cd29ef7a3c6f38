// Packages the extension as a .vsix the way a user installs it, from a staging folder holding exactly what
// .vscodeignore ships (so a half-finished CLI elsewhere in the tree cannot break the UI test's build).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../editor/harness/codeServer.mjs';

/** Builds dist/extension.js (production), stages the package and runs `vsce package`; returns the .vsix path. */
export async function packageVsix({ stateDir, buildExtension }) {
  await buildExtension({ production: true });
  const stage = join(stateDir, 'vsix-stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  // Already built above; vsce would otherwise run the full build (extension + CLI).
  delete manifest.scripts;
  delete manifest.devDependencies;
  delete manifest.dependencies;
  delete manifest.bin;
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  // dist/helm: Helm's engine (helm.wasm.gz, wasm_exec.js), when the build made it (Go on PATH).
  for (const f of [
    'dist/extension.js',
    'dist/activation.js',
    'dist/vscode',
    'dist/helm',
    'media',
    'syntaxes',
    // package.json points the YAML extension at the config's JSON Schema; the README links into docs/.
    'schemas',
    'docs',
    // vsce applies it in the stage too: source maps and README images stay out of the package.
    '.vscodeignore',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
  ]) {
    if (existsSync(join(repoRoot, f))) cpSync(join(repoRoot, f), join(stage, f), { recursive: true });
  }
  const vsix = join(stateDir, `gitops-drift-${manifest.version}.vsix`);
  const r = spawnSync(
    'npx',
    [
      '--yes',
      '@vscode/vsce@3',
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      // README links are relative; the manifest names no repository yet.
      ...(manifest.repository
        ? []
        : [
            '--baseContentUrl',
            'https://github.com/gitops-drift/gitops-drift/blob/main',
            '--baseImagesUrl',
            'https://github.com/gitops-drift/gitops-drift/raw/main',
          ]),
      '-o',
      vsix,
    ],
    {
      cwd: stage,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  assertPackageContents(vsixEntries(vsix));
  return vsix;
}

/** The file names inside a .vsix (a zip), as `unzip -Z1` lists them. */
export function vsixEntries(vsix) {
  const r = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unzip -Z1 ${vsix} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** Fails when the package lacks a file the manifest points at, or ships what .vscodeignore keeps out. */
export function assertPackageContents(entries) {
  const required = [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/activation.js',
    'extension/schemas/gitops-drift.schema.json',
  ];
  const missing = required.filter((e) => !entries.includes(e));
  const unwanted = entries.filter((e) => e.endsWith('.map') || e.startsWith('extension/docs/images/'));
  if (missing.length || unwanted.length)
    throw new Error(
      `.vsix contents: missing ${missing.join(', ') || 'nothing'}; unwanted ${unwanted.join(', ') || 'nothing'}`,
    );
}
