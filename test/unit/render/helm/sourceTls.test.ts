import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../src/core/model/resource';
import { sourceTls } from '../../../../src/core/render/helm/sourceCredentials';

/** Flux sources' TLS settings as source-controller v1.7 reads them (fluxcd/pkg/runtime secrets.TLSConfigFromSecret). */
describe("a Flux source's TLS settings (certSecretRef, secretRef's deprecated keys, OCIRepository insecure)", () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secrets: Record<string, KubeObject> = {
    full: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'full' },
      data: { 'ca.crt': b64('CA'), 'tls.crt': b64('CERT'), 'tls.key': b64('KEY') },
    },
    legacy: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'legacy' },
      stringData: { caFile: 'OLD-CA', certFile: 'OLD-CERT', keyFile: 'OLD-KEY', username: 'u', password: 'p' },
    },
    // The standard key wins over its deprecated one.
    both: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'both' },
      stringData: { 'ca.crt': 'NEW-CA', caFile: 'OLD-CA' },
    },
    half: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'half' }, stringData: { 'tls.crt': 'CERT' } },
    none: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'none' },
      stringData: { username: 'u', password: 'p' },
    },
    sealed: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sealed' },
      stringData: { 'tls.crt': 'ENC[AES256_GCM,x]' },
      sops: {},
    } as KubeObject,
  };
  const find = (_ns: string, name: string) => secrets[name];
  const source = (kind: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind,
    metadata: { name: 'src', namespace: 'flux-system' },
    spec,
  });
  const tls = (kind: string, spec: Record<string, unknown>) => sourceTls(source(kind, spec), 'flux-system', find);

  it('certSecretRef: ca.crt, tls.crt, tls.key (else caFile, certFile, keyFile), the CA beside the system roots', () => {
    assert.deepEqual(tls('HelmRepository', { certSecretRef: { name: 'full' }, secretRef: { name: 'legacy' } }), {
      type: 'tls',
      from: 'Secret flux-system/full (HelmRepository flux-system/src spec.certSecretRef)',
      addSystemCAs: true,
      caPem: 'CA',
      certPem: 'CERT',
      keyPem: 'KEY',
    });
    assert.equal((tls('OCIRepository', { certSecretRef: { name: 'both' } }) as { caPem?: string }).caPem, 'NEW-CA');
    assert.equal(
      (tls('OCIRepository', { certSecretRef: { name: 'legacy' } }) as { certPem?: string }).certPem,
      'OLD-CERT',
    );
  });

  it("a HelmRepository's secretRef gives TLS only without certSecretRef, and only a complete set (deprecated)", () => {
    assert.deepEqual(tls('HelmRepository', { secretRef: { name: 'legacy' } }), {
      type: 'tls',
      from: 'Secret flux-system/legacy (HelmRepository flux-system/src spec.secretRef, deprecated TLS keys)',
      addSystemCAs: true,
      caPem: 'OLD-CA',
      certPem: 'OLD-CERT',
      keyPem: 'OLD-KEY',
    });
    assert.equal(tls('HelmRepository', { secretRef: { name: 'half' } }), undefined);
    assert.equal(tls('HelmRepository', { secretRef: { name: 'none' } }), undefined);
    // An OCIRepository's secretRef is a pull secret: no TLS there.
    assert.equal(tls('OCIRepository', { secretRef: { name: 'legacy' } }), undefined);
  });

  it('an incomplete or SOPS-encrypted certSecretRef is the state; one not in the render lets the user config answer', () => {
    assert.deepEqual(tls('HelmRepository', { certSecretRef: { name: 'half' } }), {
      type: 'unusable',
      from: 'Secret flux-system/half (HelmRepository flux-system/src spec.certSecretRef)',
      reason: 'Secret flux-system/half (HelmRepository flux-system/src spec.certSecretRef) has tls.crt but no tls.key',
    });
    assert.match(
      String((tls('HelmRepository', { certSecretRef: { name: 'none' } }) as { reason: string }).reason),
      /has no ca\.crt and no tls\.crt\/tls\.key$/,
    );
    assert.match(
      String((tls('HelmRepository', { certSecretRef: { name: 'sealed' } }) as { reason: string }).reason),
      /^TLS settings are encrypted \(SOPS\)/,
    );
    assert.equal(tls('HelmRepository', { certSecretRef: { name: 'absent' } })?.type, 'elsewhere');
    // With where the render holds the Secret, its file and line are named.
    assert.equal(
      sourceTls(source('HelmRepository', { certSecretRef: { name: 'half' } }), 'flux-system', find, () => ({
        file: 'infra/sources.yaml',
        line: 12,
        column: 1,
      }))?.from,
      'Secret flux-system/half at infra/sources.yaml:12 (HelmRepository flux-system/src spec.certSecretRef)',
    );
  });

  it("insecure: an OCIRepository's without certSecretRef skips verifying; a HelmRepository's is plain HTTP (not TLS)", () => {
    assert.deepEqual(tls('OCIRepository', { insecure: true }), {
      type: 'tls',
      from: 'OCIRepository flux-system/src spec.insecure',
      insecureSkipVerify: true,
    });
    assert.equal(
      (tls('OCIRepository', { insecure: true, certSecretRef: { name: 'full' } }) as { insecureSkipVerify?: boolean })
        .insecureSkipVerify,
      undefined,
    );
    assert.equal(tls('HelmRepository', { type: 'oci', insecure: true }), undefined);
  });
});
