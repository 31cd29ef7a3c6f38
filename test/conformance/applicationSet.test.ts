import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fastTemplate, goTemplate, goTemplateOptions, TemplateError } from '../../src/core/repo/argoTemplate';
import { builtTestbedBin } from '../testbed/bins';

/**
 * ApplicationSet templates: each template is rendered over its params by our subset (src/core/repo/argoTemplate.ts)
 * and by Go (test bed `appset-oracle`: text/template with the function map Argo CD v3.5.8 builds and fasttemplate as
 * its Render.Replace calls them, test/testbed/appsetOracle/main.go), and the two strings must be equal; an error on
 * one side must be an error on the other. Params come as the generators hand them to Go: JSON numbers are float64.
 */
interface TemplateCase {
  name: string;
  template: string;
  params: Record<string, unknown>;
  goTemplate?: boolean;
  options?: string[];
}

const element = {
  name: 'Web_Frontend.v2',
  env: 'prod',
  region: 'eu-west-1',
  team: '',
  replicas: 3,
  ratio: 0.5,
  big: 1000000,
  huge: 12345678,
  on: true,
  off: false,
  items: ['b', 'a', 'c'],
  empty: [],
  labels: { tier: 'web', app: 'shop' },
  nested: { cluster: { name: 'prod-eu', address: 'https://prod-eu.example.com' }, list: [{ a: 1 }, { a: 2 }] },
  path: { path: 'apps/web', basename: 'web', segments: ['apps', 'web'] },
  // Strings YAML 1.1 reads as other types (go-yaml v2 quotes them), and ones plain YAML cannot hold.
  words: ['on', 'off', 'yes', 'No', 'y', 'N', 'true', 'null', '~', '1', '0777', '1_000', '1:20', '0o17', '0b101'],
  odd: ['2001-12-14', '-', 'a: b', 'tab\t', '<<', "it's", 'a\nb', '.5', '-0x1F', '09', '#x'],
  floats: [0.000001, 1e21, 1e20, 123456.5, 1234567.5, 0.1],
};

const go = (name: string, template: string, options?: string[]): TemplateCase => ({
  name,
  template,
  params: element,
  goTemplate: true,
  options,
});

const cases: TemplateCase[] = [
  // Go's printing of the values generators hand over.
  go('a string, an integer-valued float, a fraction', '{{ .name }} {{ .replicas }} {{ .ratio }}'),
  go('large numbers print as Go prints a float64', '{{ .big }} {{ .huge }}'),
  go(
    'booleans, lists and maps print as Go prints them',
    '{{ .on }} {{ .off }} {{ .items }} {{ .empty }} {{ .labels }}',
  ),
  go('a nested map and a list of maps', '{{ .nested.cluster }} {{ .nested.list }}'),
  // missingkey options.
  go('missing key: default prints <no value>', '[{{ .missing }}]'),
  go('missing key of a nested map: default prints <no value>', '[{{ .labels.missing }}]'),
  go('missingkey=zero on a map of interfaces prints <no value> too', '[{{ .missing }}]', ['missingkey=zero']),
  go('missingkey=error fails', '{{ .missing }}', ['missingkey=error']),
  go('missingkey=error on a nested key fails', '{{ .labels.missing }}', ['missingkey=error']),
  go('a field of a missing map fails even by default', '{{ .missing.field }}'),
  go('default over a missing key', '{{ .missing | default "d" }} {{ default "platform" .team }}'),
  // Argo CD's own functions.
  go('normalize', '{{ normalize .name }} {{ .region | normalize }}'),
  go(
    'slugify with defaults, a size, no smart truncation',
    '{{ slugify .name }} {{ slugify 8 true .name }} {{ slugify 8 false .name }}',
  ),
  go('toYaml of a map, a list and a nested map', '{{ toYaml .labels }}|{{ toYaml .items }}|{{ toYaml .nested }}'),
  go('toYaml of numbers', '{{ toYaml .replicas }}|{{ toYaml .ratio }}|{{ toYaml .big }}'),
  go('fromYaml and fromYamlArray', '{{ (fromYaml "a: 1\\nb: [x]").b }} {{ index (fromYamlArray "[p, q]") 1 }}'),
  go('toYaml quotes YAML 1.1 booleans, nulls and numbers written as strings', '{{ toYaml .words }}'),
  go('toYaml of strings plain YAML cannot hold, and timestamps', '{{ toYaml .odd }}'),
  go('toYaml of YAML 1.1 words as keys', '{{ toYaml (dict "on" "off" "yes" .on "k" "y" "n" (list "no")) }}'),
  go('toYaml of floats (go-yaml %g after encoding/json)', '{{ toYaml .floats }}'),
  go(
    'fromYaml reads YAML 1.1 booleans as keys and values',
    '{{ toJson (fromYaml "n: 3\\nv: yes\\ny: on\\nOFF: 1\\nw: No") }}',
  ),
  go(
    'fromYaml reads YAML 1.1 numbers; base-60 and timestamps stay strings',
    '{{ toJson (fromYaml "a: 0777\\nb: 0x1F\\nc: 1_000\\nd: 1:20\\ne: .5\\nf: ~\\ng: 2001-12-14\\ni: 0o17\\nj: 0b101\\nk: 1e3\\nl: 09\\nm: 1e400\\nn: ._5") }}',
  ),
  go(
    'fromYamlArray reads YAML 1.1 scalars',
    '{{ toJson (fromYamlArray "[yes, no, on, off, y, n, 0777, 1_000, 1:20, Null]") }}',
  ),
  go(
    'fromYaml: merge keys, a repeated key, the first document',
    '{{ toJson (fromYaml "a: &x {p: 1}\\nb:\\n  <<: *x\\n  q: 2\\nc: 1\\nc: 2\\n---\\nd: 3") }}',
  ),
  go('fromYaml: numbers and booleans as keys become strings', '{{ toJson (fromYaml "1: a\\n2.5: b\\ntrue: c") }}'),
  go('fromYaml of a list fails', '{{ fromYaml "- a" }}'),
  go('fromYamlArray of a map fails', '{{ fromYamlArray "a: 1" }}'),
  go('fromYaml of an infinite value fails', '{{ fromYaml "a: .inf" }}'),
  go('fromYaml of empty text is an empty map', '{{ toJson (fromYaml "") }} {{ toJson (fromYamlArray "") }}'),
  go('a YAML 1.1 round trip', '{{ toYaml (fromYaml "k: yes\\nv: \\"yes\\"\\no: 010") }}'),
  // sprig.
  go(
    'lower, upper, title, replace',
    '{{ lower .name }} {{ upper .env }} {{ title .env }} {{ replace "-" "." .region }}',
  ),
  go('trunc, positive and negative', '{{ trunc 6 .region }} {{ trunc -4 .region }} {{ trunc 50 .env }}'),
  go(
    'substr, trimPrefix, trimSuffix, trim',
    '{{ substr 0 2 .region }} {{ trimPrefix "eu-" .region }} {{ trimSuffix "-1" .region }} [{{ trim "  x " }}]',
  ),
  go('printf verbs', '{{ printf "%s/%s-%03d" .env .region 7 }} {{ printf "%v %d %q" .items 12 .env }}'),
  go("printf of a float64 with %d is Go's error text", '{{ printf "%d" .replicas }}'),
  go(
    'index of a list and a map',
    '{{ index .items 0 }} {{ index .labels "tier" }} {{ index .nested "cluster" "name" }}',
  ),
  go('index out of range fails', '{{ index .items 5 }}'),
  go(
    'join, sortAlpha, first, last, rest, initial',
    '{{ join "," (sortAlpha .items) }} {{ first .items }} {{ last .items }} {{ rest .items }} {{ initial .items }}',
  ),
  go('splitList, split', '{{ splitList "-" .region }} {{ (split "-" .region)._1 }}'),
  go('quote, squote, cat', '{{ quote .env }} {{ squote .env }} {{ cat .env .region }}'),
  go(
    'hasPrefix, hasSuffix, contains',
    '{{ hasPrefix "eu" .region }} {{ hasSuffix "1" .region }} {{ contains "west" .region }}',
  ),
  go(
    'ternary, empty, coalesce',
    '{{ ternary "y" "n" .on }} {{ empty .team }} {{ empty .items }} {{ coalesce .team .env }}',
  ),
  go(
    'dict, get, hasKey, keys, values',
    '{{ (dict "a" .env "b" 2).a }} {{ get .labels "app" }} {{ hasKey .labels "tier" }} {{ keys .labels | sortAlpha }} {{ values (dict "k" "v") }}',
  ),
  go(
    'toJson, toPrettyJson, toRawJson',
    '{{ toJson .labels }} {{ toJson .nested }} {{ toRawJson "<a>" }} {{ toJson "<a>" }}',
  ),
  go('b64enc, b64dec', '{{ b64enc .env }} {{ b64dec "cHJvZA==" }}'),
  go(
    'regexMatch, regexReplaceAll, regexFind',
    '{{ regexMatch "^eu" .region }} {{ regexReplaceAll "[0-9]+" .region "N" }} {{ regexFind "[a-z]+" .region }}',
  ),
  go(
    'arithmetic over float64 params and int literals',
    '{{ add 1 2 }} {{ add .replicas 1 }} {{ mul .replicas 2 }} {{ sub 10 .replicas }} {{ div 7 2 }} {{ mod 7 3 }} {{ max 1 5 3 }} {{ min 4 2 }}',
  ),
  go('int and toString', '{{ int .replicas }} {{ toString .replicas }} {{ toString .on }}'),
  go('kebabcase, snakecase', '{{ kebabcase "WebFrontend" }} {{ snakecase "WebFrontend" }}'),
  go('indent and nindent', '{{ indent 2 "a\\nb" }}|{{ nindent 4 "x" }}'),
  go(
    'list, append, concat, has, uniq, reverse, compact',
    '{{ list 1 "a" }} {{ append .items "d" }} {{ concat .items (list "z") }} {{ has "a" .items }} {{ uniq (list "a" "a" "b") }} {{ reverse .items }} {{ compact (list "" "x") }}',
  ),
  go(
    'merge, mergeOverwrite, pick, omit',
    '{{ merge (dict "a" 1) (dict "a" 2 "b" 3) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2) }} {{ pick .labels "tier" }} {{ omit .labels "tier" }}',
  ),
  // Actions.
  go('if, else if, else', '{{ if eq .env "dev" }}d{{ else if eq .env "prod" }}p{{ else }}o{{ end }}'),
  go(
    'comparisons and logic',
    '{{ and .on .off }} {{ or .team .env }} {{ not .on }} {{ eq .replicas 3.0 }} {{ lt .ratio 1.0 }} {{ ne .env "dev" }}',
  ),
  go('eq of a float64 and an int literal is an error in Go', '{{ eq .replicas 3 }}'),
  go('eq of two ints from len and a literal, ne of strings', '{{ eq (len .items) 3 }} {{ ne .env "dev" }}'),
  go('lt of a float64 and an int literal is an error in Go', '{{ lt .replicas 5 }}'),
  go('ints from sprig arithmetic print as ints', '{{ add 999999 1 }} {{ mul 1000 1000 }} {{ len .items }}'),
  go('printf %d of an int, %5s, %-4s| and %.2f', '{{ printf "%d|%5s|%-4s|%.2f" (len .items) .env .env .ratio }}'),
  go('small and negative float64 values', '{{ 0.0001 }} {{ 0.00001 }} {{ -2.5 }} {{ 123456.0 }}'),
  go(
    'range over a list with $i, $v; over a map in key order',
    '{{ range $i, $v := .items }}{{ $i }}={{ $v }};{{ end }}|{{ range $k, $v := .labels }}{{ $k }}:{{ $v }},{{ end }}',
  ),
  go(
    'range with else, break and continue',
    '{{ range .empty }}x{{ else }}none{{ end }} {{ range .items }}{{ if eq . "a" }}{{ continue }}{{ end }}{{ if eq . "c" }}{{ break }}{{ end }}{{ . }}{{ end }}',
  ),
  go(
    'with, else, variables and trim markers',
    '{{- with .team }}team {{ . }}{{ else }}no team{{ end -}} {{ $n := .env }} {{- $n }}',
  ),
  go('len of a list, a map, a string', '{{ len .items }} {{ len .labels }} {{ len .env }}'),
  go(
    'a parenthesised pipeline and a field of its result',
    '{{ (index .nested.list 1).a }} {{ (dict "x" (upper .env)).x }}',
  ),
  go('comments', 'a{{/* not printed */}}b{{- /* trimmed */ -}} c'),
  go('an unknown function fails to parse', '{{ nosuchfunction .env }}'),
  go('env is not there (Argo CD removes it)', '{{ env "HOME" }}'),
  go('an unclosed action fails to parse', '{{ .env '),
  go(
    'path params as the git generator gives them',
    '{{ .path.path }} {{ .path.basename }} {{ index .path.segments 1 }} {{ join "/" .path.segments }}',
  ),
  // fasttemplate.
  {
    name: 'fasttemplate: string params replaced, spaces in tags trimmed',
    template: '{{name}}-{{ env }}',
    params: element,
  },
  {
    name: 'fasttemplate: an unknown tag and a non-string param stay as written',
    template: '{{missing}} {{replicas}} {{ }}',
    params: element,
  },
  {
    name: 'fasttemplate: dotted keys as flattened params',
    template: '{{path.basename}} {{values.ns}}',
    params: { 'path.basename': 'web', 'values.ns': 'shop' },
  },
  { name: 'fasttemplate: an opening tag without its end', template: 'a {{name', params: element },
  { name: 'fasttemplate: an unclosed tag after a closed one', template: '{{name}} {{env', params: element },
  { name: 'fasttemplate: a tag pair across lines is not a template', template: '{{name\n}} {{env', params: element },
  { name: 'fasttemplate: text without tags, and a lone closing tag', template: 'plain }} text', params: element },
];

/** Our subset's result: the text, or the error. */
function ours(c: TemplateCase): { out?: string; error?: string } {
  try {
    return {
      out: c.goTemplate
        ? goTemplate(c.template, c.params, goTemplateOptions(c.options ?? []))
        : fastTemplate(c.template, c.params),
    };
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { error: e.message };
  }
}

describe('ApplicationSet templates: our subset equals Go as Argo CD runs it (appset-oracle)', function () {
  let oracle: string | undefined;
  let results: { out?: string; error?: string }[] = [];

  before(function () {
    oracle = builtTestbedBin('appset-oracle');
    if (!oracle) {
      console.log(
        '      skipped: appset-oracle is not built (`bash scripts/setup-testbed.sh appset-oracle` builds it; `npm test` does)',
      );
      this.skip();
    }
    // One process for every case: a JSON request a line.
    const input = cases
      .map((c) =>
        JSON.stringify({
          template: c.template,
          params: c.params,
          goTemplate: c.goTemplate === true,
          options: c.options ?? [],
        }),
      )
      .join('\n');
    results = execFileSync(oracle, [], { input, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { out?: string; error?: string });
    assert.equal(results.length, cases.length);
  });

  cases.forEach((c, i) => {
    it(c.name, () => {
      const go = results[i];
      const mine = ours(c);
      if (go.error !== undefined)
        assert.ok(mine.error !== undefined, `Go fails (${go.error}); ours printed ${JSON.stringify(mine.out)}`);
      else {
        assert.equal(mine.error, undefined, `ours fails (${mine.error}); Go printed ${JSON.stringify(go.out)}`);
        assert.equal(mine.out, go.out);
      }
    });
  });
});
