import { strict as assert } from 'node:assert';
import { fastTemplate, goTemplate, goTemplateOptions, sanitizeName } from '../../../src/core/repo/argoTemplate';

describe('ApplicationSet templates (fasttemplate and the Go template subset)', () => {
  it('fasttemplate replaces string params, trims tags and leaves unknown tags as written', () => {
    const params = { cluster: 'prod', 'path.basename': 'guestbook', n: 3 };
    assert.equal(fastTemplate('{{cluster}}-{{ path.basename }}', params), 'prod-guestbook');
    assert.equal(fastTemplate('{{missing}}/{{n}}/{{}}', params), '{{missing}}/{{n}}/{{}}');
    // Argo CD returns text without a `{{...}}` pair as it is; with one, an opening tag left unclosed is an error.
    assert.equal(fastTemplate('a {{cluster', params), 'a {{cluster');
    assert.throws(() => fastTemplate('{{cluster}} {{cluster', params), /cannot find end tag/);
  });

  it('runs fields, pipelines, variables, if/else if/range/with and trim markers as text/template does', () => {
    const data = {
      path: { basename: 'Guest Book', segments: ['apps', 'guestbook'] },
      env: 'prod',
      replicas: 3,
      tags: { a: '1', b: '2' },
    };
    assert.equal(goTemplate('{{.path.basename | normalize}}', data), 'guest-book');
    assert.equal(goTemplate('{{index .path.segments 1}}-{{.env | upper}}', data), 'guestbook-PROD');
    assert.equal(goTemplate('{{ if eq .env "dev" }}d{{ else if eq .env "prod" }}p{{ else }}x{{ end }}', data), 'p');
    assert.equal(goTemplate('x {{- range $k, $v := .tags }} {{$k}}={{$v}}{{ end -}} ', data), 'x a=1 b=2');
    assert.equal(goTemplate('{{with .path}}{{.basename | slugify}}{{end}}', data), 'guest-book');
    assert.equal(goTemplate('{{ $n := add .replicas 1 }}{{ $n }} {{ printf "%s-%d" .env $n }}', data), '4 prod-4');
    assert.equal(goTemplate('{{ default "none" .nothing }} {{ .nothing }}', data), 'none <no value>');
    assert.equal(goTemplate('{{ toJson .tags }}', data), '{"a":"1","b":"2"}');
    assert.equal(goTemplate('{{ (fromYaml "a: [1, 2]").a | toYaml }}', data), '- 1\n- 2');
    assert.equal(goTemplate('{{/* a comment */}}x', data), 'x');
  });

  it('missingkey=error fails on a missing key, as Argo CD with goTemplateOptions: ["missingkey=error"]', () => {
    const options = goTemplateOptions(['missingkey=error']);
    assert.throws(() => goTemplate('{{.nope}}', {}, options), /map has no entry for key "nope"/);
    assert.throws(() => goTemplateOptions(['bogus=1']), /unrecognized option: bogus=1/);
  });

  it('names a function it does not run instead of rendering something else', () => {
    assert.throws(() => goTemplate('{{ env "HOME" }}', {}), /function "env" not supported/);
    assert.throws(() => goTemplate('{{ sha1sum .x }}', { x: 'a' }), /function "sha1sum" not supported/);
  });

  it('normalize is utils.SanitizeName: lower case, [^-a-z0-9.] to -, trimmed of - and .', () => {
    assert.equal(sanitizeName('-My_App.v2-'), 'my-app.v2');
  });
});
