import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WasmHelmEngine } from '../../../src/node/helmEngine';

const request = {
  files: [{ name: 'Chart.yaml', data: Buffer.from('apiVersion: v2\nname: x\nversion: 1.0.0\n') }],
  values: {},
  releaseName: 'r',
  namespace: 'n',
};

describe('WasmHelmEngine (without a built engine)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-engine-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every render with an "unavailable" result naming the missing file when the engine is not built', async () => {
    const engine = new WasmHelmEngine({ dir });
    assert.equal(engine.available(), false);
    const result = await engine.render(request);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.stage === 'unavailable');
    assert.match(!result.ok ? result.message : '', /Helm engine is not built \(.*helm\.wasm\.gz is missing\)/);
  });

  it('reports an engine file that is not WebAssembly as a start failure, and renders nothing', async () => {
    writeFileSync(join(dir, 'helm.wasm.gz'), gzipSync(Buffer.from('not wasm')));
    writeFileSync(join(dir, 'wasm_exec.js'), 'globalThis.Go = class { constructor() { this.importObject = {}; } };\n');
    const engine = new WasmHelmEngine({ dir });
    try {
      const result = await engine.render(request);
      assert.ok(!result.ok && result.stage === 'unavailable');
      assert.match(!result.ok ? result.message : '', /the Helm engine could not start: .*WebAssembly/i);
    } finally {
      engine.dispose();
    }
  });
});
