import { strict as assert } from 'node:assert';
import { KnownPaths } from '../../../src/core/authoring/lintPaths';
import { lintFiles, lintShown, show } from './lintFixtures';

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('lint: malformed-yaml', () => {
  it('points at the parse error of a kustomization file', async () => {
    assert.deepEqual(await lintShown({ 'app/kustomization.yaml': 'resources: []\nnamespace: a\nnamespace: b\n' }), [
      'app/kustomization.yaml:3:1-3:2 error malformed-yaml: malformed YAML: Map keys must be unique',
    ]);
  });

  it('an error at the end of the text is a zero-width span there', async () => {
    assert.deepEqual(await lintShown({ 'app/kustomization.yaml': 'resources: [a.yaml\n' }), [
      'app/kustomization.yaml:2:1-2:1 error malformed-yaml: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('checks the YAML files a kustomization lists, once, even when the render fails on the same line', async () => {
    const files = {
      'app/kustomization.yaml': 'resources:\n  - a.yaml\n',
      'app/a.yaml': 'kind: ConfigMap\nmetadata:\n  name: a\n\tlabels: {}\n',
    };
    assert.deepEqual(await lintShown(files, ['app']), [
      'app/a.yaml:4:1-4:2 error malformed-yaml: malformed YAML: Tabs are not allowed as indentation',
    ]);
  });

  it('leaves alone YAML files no kustomization lists, and files that parse', async () => {
    assert.deepEqual(
      await lintShown(
        {
          'app/kustomization.yaml': 'resources:\n  - a.yaml\n',
          'app/a.yaml': configMap('a'),
          'notes/draft.yaml': 'key: [unclosed\n',
        },
        ['app'],
      ),
      [],
    );
  });
});

describe('lint: missing-path', () => {
  const kustomization = [
    'resources:',
    '  - here.yaml',
    '  - gone.yaml',
    '  - https://github.com/acme/config//base?ref=v1',
    'bases:',
    '  - ../nobase',
    'components:',
    '  - ../nocomponent',
    'patches:',
    '  - path: nopatch.yaml',
    'patchesStrategicMerge:',
    '  - nopsm.yaml',
    'patchesJson6902:',
    '  - path: nojson.yaml',
    '    target: {kind: ConfigMap}',
    'configMapGenerator:',
    '  - name: c',
    '    files:',
    '      - key=nofile.txt',
    '    envs:',
    '      - noenv.env',
    'secretGenerator:',
    '  - name: s',
    '    env: nolegacy.env',
    'configurations:',
    '  - noconfig.yaml',
    'replacements:',
    '  - path: norepl.yaml',
    '',
  ].join('\n');

  it('reports every local path that names nothing, on its scalar; remote references are not checked', async () => {
    assert.deepEqual(await lintShown({ 'app/kustomization.yaml': kustomization, 'app/here.yaml': configMap('here') }), [
      "app/kustomization.yaml:3:5-3:14 error missing-path: resource 'gone.yaml' not found",
      "app/kustomization.yaml:5:1-5:6 warning deprecated-field: 'bases' is deprecated. Use resources, which takes the same entries.",
      "app/kustomization.yaml:6:5-6:14 error missing-path: base '../nobase' not found",
      "app/kustomization.yaml:8:5-8:19 error missing-path: component '../nocomponent' not found",
      "app/kustomization.yaml:10:11-10:23 error missing-path: patch file 'nopatch.yaml' not found",
      "app/kustomization.yaml:11:1-11:22 warning deprecated-field: 'patchesStrategicMerge' is deprecated. Use patches: a file becomes a path: entry and an inline patch a patch: entry.",
      "app/kustomization.yaml:12:5-12:15 error missing-path: patch file 'nopsm.yaml' not found",
      "app/kustomization.yaml:13:1-13:16 warning deprecated-field: 'patchesJson6902' is deprecated. Use patches, which takes the same target and path or patch.",
      "app/kustomization.yaml:14:11-14:22 error missing-path: patch file 'nojson.yaml' not found",
      "app/kustomization.yaml:19:9-19:23 error missing-path: file 'nofile.txt' not found",
      "app/kustomization.yaml:21:9-21:18 error missing-path: env file 'noenv.env' not found",
      "app/kustomization.yaml:24:10-24:22 error missing-path: env file 'nolegacy.env' not found",
      "app/kustomization.yaml:26:5-26:18 error missing-path: configurations file 'noconfig.yaml' not found",
      "app/kustomization.yaml:28:11-28:22 error missing-path: replacements file 'norepl.yaml' not found",
    ]);
  });

  it('is silent when every path exists', async () => {
    const files: Record<string, string> = {
      'app/kustomization.yaml': kustomization,
      'app/here.yaml': configMap('here'),
      'app/gone.yaml': configMap('gone'),
    };
    for (const f of ['nobase/kustomization.yaml', 'nocomponent/kustomization.yaml']) files[f] = 'resources: []\n';
    for (const f of [
      'nopatch.yaml',
      'nopsm.yaml',
      'nojson.yaml',
      'nofile.txt',
      'noenv.env',
      'nolegacy.env',
      'noconfig.yaml',
      'norepl.yaml',
    ])
      files[`app/${f}`] = '{}\n';
    const shown = await lintShown(files);
    assert.deepEqual(
      shown.filter((s) => s.includes('missing-path')),
      [],
    );
    assert.equal(shown.length, 3); // the three deprecated fields
  });

  it('suggests a near name that exists (a typo or a case slip), as the text that replaces the span', async () => {
    const files = {
      'app/kustomization.yaml':
        'resources:\n  - "deploymnt.yaml"\n  - Service.yaml\n  - nothing-like-it.yaml\nconfigMapGenerator:\n  - name: cfg\n    files:\n      - app.conf=confg/app.conf\n',
      'app/deployment.yaml': configMap('d'),
      'app/service.yaml': configMap('s'),
      'app/config/app.conf': 'x=1\n',
      'app/confg/app.cnf': 'x=1\n',
    };
    const findings = (await lintFiles(files)).findings.filter((f) => f.code === 'missing-path');
    assert.deepEqual(
      findings.map((f) => [f.message, f.suggestion]),
      [
        ["resource 'deploymnt.yaml' not found (did you mean 'deployment.yaml'?)", '"deployment.yaml"'],
        ["resource 'Service.yaml' not found (did you mean 'service.yaml'?)", 'service.yaml'],
        ["resource 'nothing-like-it.yaml' not found", undefined],
        ["file 'confg/app.conf' not found (did you mean 'confg/app.cnf'?)", 'app.conf=confg/app.cnf'],
      ],
    );
  });

  it('a path the render also fails on is reported once, as the static finding', async () => {
    assert.deepEqual(await lintShown({ 'app/kustomization.yaml': 'resources:\n  - gone.yaml\n' }, ['app']), [
      "app/kustomization.yaml:2:5-2:14 error missing-path: resource 'gone.yaml' not found",
    ]);
  });
});

describe('lint: path-outside-repo', () => {
  it('reports a path that leaves the repo root (and not the render error on the same line)', async () => {
    const files = {
      'envs/dev/kustomization.yaml': 'resources:\n  - ../../../outside\n  - ../../base\n',
      'base/kustomization.yaml': 'resources: []\n',
    };
    assert.deepEqual(await lintShown(files, ['envs/dev']), [
      "envs/dev/kustomization.yaml:2:5-2:21 error path-outside-repo: resource '../../../outside' is outside the repository: kustomize's load restrictor refuses to read it",
    ]);
  });

  it('accepts paths that climb but stay inside the repo', async () => {
    assert.deepEqual(
      await lintShown(
        { 'envs/dev/kustomization.yaml': 'resources:\n  - ../../base\n', 'base/kustomization.yaml': 'resources: []\n' },
        ['envs/dev'],
      ),
      [],
    );
  });
});

describe('lint: unknown-field', () => {
  it('reports unknown top-level fields with the closest known one; field names match case-insensitively', async () => {
    const report = await lintFiles(
      {
        'app/kustomization.yaml': 'resorces:\n  - a.yaml\nnameprefix: x-\nfrobnicate: true\nNamespace: y\n',
        'app/a.yaml': configMap('a'),
      },
      ['app'],
    );
    assert.deepEqual(show(report.findings), [
      "app/kustomization.yaml:1:1-1:9 error unknown-field: unknown kustomization field 'resorces' (did you mean 'resources'?)",
      "app/kustomization.yaml:4:1-4:11 error unknown-field: unknown kustomization field 'frobnicate'",
    ]);
    assert.deepEqual(
      report.findings.map((f) => f.suggestion),
      ['resources', undefined],
    );
  });
});

describe('lint: deprecated-field', () => {
  it('reports each deprecated field on its key, naming the field and its replacement', async () => {
    const report = await lintFiles({
      'app/kustomization.yaml':
        'bases:\n  - ../base\ncommonLabels:\n  team: a\npatchesStrategicMerge: []\npatchesJson6902: []\nimageTags: []\nvars: []\nresources: []\nlabels: []\n',
      'base/kustomization.yaml': 'resources: []\n',
    });
    assert.deepEqual(show(report.findings), [
      "app/kustomization.yaml:1:1-1:6 warning deprecated-field: 'bases' is deprecated. Use resources, which takes the same entries.",
      "app/kustomization.yaml:3:1-3:13 warning deprecated-field: 'commonLabels' is deprecated. Use a labels entry with includeSelectors: true, which sets the same labels, selectors and pod templates.",
      "app/kustomization.yaml:5:1-5:22 warning deprecated-field: 'patchesStrategicMerge' is deprecated. Use patches: a file becomes a path: entry and an inline patch a patch: entry.",
      "app/kustomization.yaml:6:1-6:16 warning deprecated-field: 'patchesJson6902' is deprecated. Use patches, which takes the same target and path or patch.",
      "app/kustomization.yaml:7:1-7:10 warning deprecated-field: 'imageTags' is deprecated. Use images, which takes the same entries.",
      "app/kustomization.yaml:8:1-8:5 warning deprecated-field: 'vars' is deprecated. Use replacements, which copy a field of one object into fields of others.",
    ]);
    // vars has no mechanical rewrite: no field for the quick fix.
    assert.deepEqual(
      report.findings.map((f) => f.field),
      ['bases', 'commonLabels', 'patchesStrategicMerge', 'patchesJson6902', 'imageTags', undefined],
    );
  });

  it('names the canonical field when the key is spelled in another case', async () => {
    const report = await lintFiles({ 'app/kustomization.yaml': 'Bases: []\n' });
    assert.deepEqual(show(report.findings), [
      "app/kustomization.yaml:1:1-1:6 warning deprecated-field: 'bases' is deprecated. Use resources, which takes the same entries.",
    ]);
    assert.equal(report.findings[0].field, 'bases');
  });
});

describe('lint: duplicate-resource (listed twice)', () => {
  it('warns on the repeat, related to the first entry; distinct entries are fine', async () => {
    const report = await lintFiles(
      {
        'app/kustomization.yaml': 'resources:\n  - a.yaml\n  - ./a.yaml\n  - b.yaml\n',
        'app/a.yaml': '',
        'app/b.yaml': configMap('b'),
      },
      ['app'],
    );
    assert.deepEqual(show(report.findings), [
      "app/kustomization.yaml:3:5-3:13 warning duplicate-resource: './a.yaml' is listed twice in resources (first at line 2)",
    ]);
    assert.deepEqual(report.findings[0].related, [
      { location: { file: 'app/kustomization.yaml', line: 2, column: 5 }, message: "first listed here as 'a.yaml'" },
    ]);
  });

  it('is an error when the render fails on the same entry (a directory listed twice)', async () => {
    const files = {
      'app/kustomization.yaml': 'resources:\n  - ../base\n  - ../base/\n',
      'base/kustomization.yaml': 'resources:\n  - cm.yaml\n',
      'base/cm.yaml': configMap('c'),
    };
    assert.deepEqual(await lintShown(files, ['app']), [
      "app/kustomization.yaml:3:5-3:13 error duplicate-resource: '../base/' is listed twice in resources (first at line 2)",
    ]);
  });
});

describe('lint: plaintext-secret', () => {
  const secrets = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: db',
    'data:',
    '  password: aHVudGVyMg==',
    'stringData:',
    '  user: admin',
    '  token: s3cret',
    '---',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: empty',
    'data: {}',
    '',
  ].join('\n');

  it('warns on the data/stringData key of Secrets anywhere in the repo, never showing a value', async () => {
    const report = await lintFiles({ 'secrets/db.yaml': secrets });
    assert.deepEqual(show(report.findings), [
      "secrets/db.yaml:5:1-5:5 warning plaintext-secret: Secret 'db' keeps 1 value in data (base64 is an encoding, not encryption): anyone who can read the repo can read it; encrypt the file with SOPS, or use Sealed Secrets or External Secrets",
      "secrets/db.yaml:7:1-7:11 warning plaintext-secret: Secret 'db' keeps 2 values in stringData: anyone who can read the repo can read them; encrypt the file with SOPS, or use Sealed Secrets or External Secrets",
    ]);
    for (const value of ['aHVudGVyMg==', 'hunter2', 'admin', 's3cret'])
      assert.ok(!JSON.stringify(report).includes(value), value);
  });

  it('also checks files a kustomization lists outside the walk (a dot-folder)', async () => {
    assert.deepEqual(
      await lintShown({
        'app/kustomization.yaml': 'resources:\n  - .private/s.yaml\n',
        'app/.private/s.yaml': 'kind: Secret\nmetadata:\n  name: s\nstringData:\n  k: v\n',
      }),
      [
        "app/.private/s.yaml:4:1-4:11 warning plaintext-secret: Secret 's' keeps 1 value in stringData: anyone who can read the repo can read it; encrypt the file with SOPS, or use Sealed Secrets or External Secrets",
      ],
    );
  });

  it('skips SOPS-encrypted files, SealedSecrets and other kinds', async () => {
    assert.deepEqual(
      await lintShown({
        'secrets/sops.yaml':
          'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ENC[AES256_GCM,data:abc]\nsops:\n  version: 3.9.0\n',
        'secrets/sealed.yaml':
          'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK\n',
        'config/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  secretName: x\n',
        'secrets/store.yaml': 'kind: SecretStore\nmetadata:\n  name: s\ndata:\n  a: b\n',
      }),
      [],
    );
  });
});

describe('lint: plaintext-secret and secret-store references', () => {
  const secret = (field: string, values: Record<string, string>) =>
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n${field}:\n${Object.entries(values)
      .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
      .join('\n')}\n`;
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('does not flag values that point into a secret store', async () => {
    assert.deepEqual(
      await lintShown({
        'a/onepassword.yaml': secret('stringData', { token: 'op://infra/db/password', url: 'op://infra/db/url' }),
        'a/vault.yaml': secret('stringData', {
          password: 'vault:secret/data/db#password',
          key: 'ref+vault://secret/db#/key',
        }),
        'a/vals.yaml': secret('stringData', { aws: 'ref+awssecrets://prod/db#password' }),
        'a/avp.yaml': secret('stringData', { password: '<path:secret/data/db#password>' }),
        'a/sops-values.yaml': secret('stringData', { password: 'ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]' }),
        'a/base64-ref.yaml': secret('data', { token: b64('op://infra/db/password') }),
        'a/sops-file.yaml':
          secret('stringData', { password: 'ENC[AES256_GCM,data:abc]' }) + 'sops:\n  version: 3.9.0\n',
        'a/sealed.yaml':
          'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK\n  template:\n    type: Opaque\n',
        'a/external.yaml':
          'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db\nspec:\n  target:\n    template:\n      data:\n        password: "{{ .password }}"\n  data:\n    - secretKey: password\n      remoteRef:\n        key: db\n',
      }),
      [],
    );
  });

  it('still flags a Secret that mixes references with plain values, counting only the plain ones', async () => {
    assert.deepEqual(
      await lintShown({
        'a/mixed.yaml': secret('stringData', {
          token: 'op://infra/db/password',
          user: 'admin',
          note: 'see op:// docs',
        }),
      }),
      [
        "a/mixed.yaml:5:1-5:11 warning plaintext-secret: Secret 'app' keeps 2 values in stringData: anyone who can read the repo can read them; encrypt the file with SOPS, or use Sealed Secrets or External Secrets",
      ],
    );
    assert.equal((await lintShown({ 'a/plain64.yaml': secret('data', { password: b64('hunter2') }) })).length, 1);
  });
});

describe('lint: KnownPaths (what the renders read needs no stat)', () => {
  it('knows the files read and every folder above them', () => {
    const known = new KnownPaths([
      'apps/web/kustomization.yaml',
      'apps/web/deploy.yaml',
      'apps/api/kustomization.yaml',
    ]);
    assert.deepEqual(
      ['apps/web/deploy.yaml', 'apps/web', 'apps', '', 'apps/web/deploy', 'apps/db', 'apps/web/deploy.yaml/x'].map(
        (p) => known.stat(p),
      ),
      [
        { isDirectory: false, isFile: true },
        { isDirectory: true, isFile: false },
        { isDirectory: true, isFile: false },
        { isDirectory: true, isFile: false },
        undefined,
        undefined,
        undefined,
      ],
    );
    assert.deepEqual([known.has('apps/api/kustomization.yaml'), known.has('apps/api')], [true, false]);
  });
});

describe('lint: codes the repo disabled', () => {
  it('reports nothing of a disabled code and everything else', async () => {
    const files = { 'app/kustomization.yaml': 'bases:\n  - ../base\nnamePrefx: x-\n' };
    assert.deepEqual((await lintFiles(files)).findings.map((f) => f.code).sort(), [
      'deprecated-field',
      'missing-path',
      'unknown-field',
    ]);
    assert.deepEqual(
      (await lintFiles(files, [], { disabled: ['deprecated-field', 'missing-path'] })).findings.map((f) => f.code),
      ['unknown-field'],
    );
  });
});
