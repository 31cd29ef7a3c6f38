import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { parseYamlFast } from '../../../src/core/yaml/fastYaml';
import { parseYamlIfFast, parseYamlSlow } from '../../../src/core/yaml/parseYaml';

const AT_START = { lineOffset: 0, firstColumnOffset: 0, columnOffset: 0 };

type Outcome = { fast: 'fast' | 'fell back'; equal: boolean; slowError?: string };

/** Both parsers on one text: the fast one must build the very same trees, or step aside. */
function both(text: string, placement = AT_START): Outcome {
  const fastExact = { seen: false };
  const fast = parseYamlFast(text, 'f.yaml', 'resource', placement, fastExact);
  let slow: unknown;
  const slowExact = { seen: false };
  try {
    slow = parseYamlSlow(text, 'f.yaml', 'resource', placement, slowExact);
  } catch (e) {
    return { fast: fast ? 'fast' : 'fell back', equal: fast === undefined, slowError: (e as Error).message };
  }
  if (fast === undefined) return { fast: 'fell back', equal: true };
  return { fast: 'fast', equal: isDeepStrictEqual(fast, slow) && fastExact.seen === slowExact.seen };
}

/** Texts the fast path must read exactly as `yaml` does (each one is read fast: asserted below). */
const READ_FAST: Record<string, string> = {
  'a Deployment':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        ports:\n        - containerPort: 80\n          protocol: TCP\n',
  'lists indented under their key': 'a:\n  - x\n  - y:\n      z: 1\n    w: 2\n',
  'lists of lists': 'a:\n- - x\n  - y\n- - z\n',
  'scalars of every core type':
    'n1: ~\nn2: null\nn3: Null\nn4: NULL\nn5:\nb1: true\nb2: True\nb3: FALSE\ns1: yes\ns2: off\ns3: y\ni1: 1\ni2: -1\ni3: +1\ni4: 007\ni5: 0x1F\ni6: -0\ns4: 0o17\ns5: 1_000\ns6: 0b101\ns7: 1:30\nf1: 1.5\nf2: .5\nf3: 1.\nf4: 1e3\nf5: -1E-3\nf6: -.inf\nf7: .NaN\nf8: +.Inf\nf9: 1.50\n',
  'integers beyond 2^53':
    'big: 12345678901234567890\nneg: -9007199254740993\nsafe: 9007199254740991\nhex: 0xFFFFFFFFFFFFFFFFFF\n',
  'quoted strings':
    'a: "x: y # z"\nb: \'it\'\'s\'\nc: "tab\\there \\u00e9 \\x41"\ne: \'\'\nf: ""\n"quoted key": 1\n\'single key\': 2\n',
  'plain strings with colons and hashes':
    'url: http://example.com:8080/path?q=1\nnote: a#b\ncomment: value # trailing comment\ndash: -b\nweird: a:b\ncolon: ":"\n',
  'multi-line plain scalars': 'a: first\n  second\n\n  third\nb: x\n',
  'block scalars':
    'lit: |\n  line 1\n    indented\n  line 3\nfold: >\n  folded\n  text\n\n  para\nstrip: |-\n  x\nkeep: |+\n  y\n\nlast: |\n  end\n',
  'block scalar with leading blank lines': 'a: |\n\n  after blank\nb: 1\n',
  'a block scalar as a list item': 'items:\n- |\n  one\n- >-\n  two\n',
  'flow collections':
    'a: []\nb: {}\nc: [x, "y", 1, true, null]\nd: {k: v, n: 1}\ne: [x, {k: v}, [1, 2]]\nf: {k: [1, 2], m: {n: o}}\nh: {a}\ni: {a: }\n',
  'flow collections on their own line': 'a:\n  [x, y]\nb:\n  {k: v}\nc:\n- [x, y]\n- {k: v}\n',
  JSON: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}\n',
  'comments everywhere':
    '# head\napiVersion: v1 # trailing\n# between\nmetadata: # after key\n  # before first key\n  name: c\nlist:\n- # before item\n  a: 1\n-   b: 2\nkey: # comment\n  value\n# tail\n',
  'keys of other types': '1: one\ntrue: yes\nnull: nothing\n1.5: x\n0x10: hex\n.inf: big\n',
  'a tilde key': '~: tilde\n',
  'keys with spaces and odd characters': 'a b: 1\n"a:b": 2\nk.v/w-x_y: 3\n__proto__: 4\nkey   : spaced\n',
  unicode: 'emoji: "🚀 launch"\n名前: 値\nafter: x\nz: é\n',
  'several documents': '# leading comment\n---\na: 1\n---\n---\nb: 2\n---\nc: |\n  text\n---\n',
  'documents of scalars and lists': '---\njust text\n---\n- a\n- b\n---\n42\n',
  'a document marker with a comment': '--- # comment\na: 1\n',
  'deep nesting with four-space indents':
    'a:\n    b:\n        c:\n            - d: 1\n              e:\n                  - f\n',
  'a file without a final newline': 'a: 1\nb: text',
  'only comments': '# nothing here\n# at all\n',
  'empty text': '',
  'a null list item': 'a:\n- ~\n- null\n- x\n',
  'sequence at the same indent as its key': 'spec:\n  ports:\n  - port: 80\n  - port: 443\n  selector:\n    app: x\n',
  'anchors and aliases of scalars': 'a: &x 1\nb: *x\nc: &s  two spaces\nd: *s\n',
  'an anchored map and its alias (home-ops probes)':
    'probes:\n  liveness: &probes\n    enabled: true\n    spec:\n      httpGet:\n        path: /healthz\n        port: &port 8080\n  readiness: *probes\nservice:\n  port: *port\n',
  'anchored list items and aliases in lists': 'l:\n- &i foo\n- *i\n- [*i, &j "q", *j]\n- &m\n  k: v\n- *m\n',
  'an anchor redefined: each alias takes the last one before it': 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n',
  'an alias inside an anchor keeps what it referred to where written': 'a: &y 1\nb: &x [*y]\nc: &y 2\nd: *x\ne: *y\n',
  'an anchor with a comment before its value': 'a: &m # shared\n  k: v\nb: *m\n',
  'an anchored block scalar': 'a: &s |\n  text\n  more\nb: *s\n',
  'anchors per document': 'a: &x 1\nb: *x\n---\nb: &x 2\nc: *x\n',
  'an anchored root': '&r\nk: v\n',
  'an alias in a flow map': 'a: &x 1\nb: {c: *x, d: 2}\n',
};

/** Texts the fast path must leave to `yaml` (or read identically): constructs it does not take on. */
const EITHER: Record<string, string> = {
  'an alias without its anchor': 'a: *x\n',
  'an alias before its anchor': 'a: *x\nb: &x 1\n',
  "an alias to another document's anchor": 'a: &x 1\n---\nb: *x\n',
  'an alias inside its own anchor': 'a: &x\n  b: *x\n',
  'an anchored empty value': 'a: &x\nb: *x\n',
  'an anchor with a tag': 'a: &x !t 1\nb: *x\n',
  'two anchors on one node': 'a: &x &y 1\n',
  'an alias with an anchor': 'a: &x 1\nb: &y *x\n',
  'an anchored key': '&k a: 1\n',
  'an alias as a key': 'a: &x k\n*x : 1\n',
  'an anchor name with other characters': 'a: &x/y 1\nb: *x/y\n',
  'an alias followed by text': 'a: &x 1\nb: *x y\n',
  'an alias bomb': aliasBomb(),
  'merge keys': 'base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n',
  tags: 'a: !!str 123\nb: !custom x\n',
  'explicit keys': '? a\n: 1\n',
  directives: '%YAML 1.2\n---\na: 1\n',
  tabs: 'a:\tb\n',
  'windows line endings': 'a: 1\r\nb: 2\r\n',
  'a byte order mark': '\ufeffa: 1\n',
  NEL: 'a: "x\u0085y"\n',
  'an empty list entry': 'a:\n-\n- x\n',
  'a flow pair': 'a: [k: v]\n',
  'duplicate keys': 'a: 1\na: 2\n',
  'keys that differ only by type': '1: a\n"1": b\n',
  'a complex key': '[a, b]: c\n',
  'a key with a mapping key': '{a: 1}: x\n',
  'shell script with ampersands': 'script: |\n  a && b\n  echo *\n',
  'quoted key ending in colon-space': '"a: b": c\n',
  'long key': 'k' + 'x'.repeat(1100) + ': v\n',
  'a flow sequence with a pair inside': 'a: [x y: z]\n',
  'a list item that continues a scalar': 'a:\n  - x\n    - y\n',
  'a colon and hash without space': 'key:#c\n',
  'a block scalar indentation indicator': 'indicator: |2\n    two extra\nlast: 1\n',
  'a multi-line double-quoted string': 'd: "multi\n  line"\n',
  'a multi-line flow list': 'g: [\n  x,\n  y,\n]\n',
  'a flow list closed at a lower indentation': 'a:\n  b: ["x"\n ]\n',
  'a quoted string continued at a lower indentation': 'a:\n  b: "x\n y"\n',
  'document end markers': 'a: 1\n...\n---\nb: 1\n',
  'a document end marker after a comment': '# c\n...\n---\na: 1\n',
  'an escaped line break before a blank line': '- "s \\\n  \n  --b"\n',
  'an escaped line break before a line of spaces': 'a: "s \\\n    \n  --b"\n',
  'an escaped backslash at the end of a line': 'a: "s \\\\\n\n  --b"\n',
  'a tag right after a JSON key': '{ "a":! false }\n',
  'a long value': 'cert: ' + 'A'.repeat(5000) + '\n',
  'trailing spaces': 'a: b   \nc:    \n',
  'multi-line plain list items': '- first\n  continued\n- second\n',
  'escaped line break in a double-quoted string': 'a: "one \\\n  two"\n',
  escapes: 'a: "\\/ \\\\ \\" \\0 \\a \\e \\N \\_ \\L \\P \\U0001F600"\n',
  'block scalar with an indentation indicator and indented first line': 'a: |2\n    indented\n  base\n',
  'block scalar followed by a comment': 'a: |\n  text\n# comment\nb: 1\n',
  'empty block scalar at the end': 'a: |\n',
  'empty folded block scalar before a key': 'a: >\nb: 1\n',
  'a dash value': 'a: -\nb: - x\n',
  'negative list items': '- -1\n- -x\n',
  'quote inside a key': 'a"b: c\n',
  'folded root document': '--- >\n  folded\n  root\n',
  'a block scalar document': '|\n  block root\n',
  'content on the document marker line': '--- just text\n--- 42\n',
  'aligned list item mappings': 'a:\n-   x: 1\n    y: 2\n',
  'template braces': 'a: {{ x }}\n',
  'spaced empty flow collections': 'a: [ ]\nb: { }\nc: [~, null]\n',
  'multi-line single-quoted string': "a: 'one\n\n  two'\n",
  'a key with no value at the end of a nested map': 'a:\n  b:\nc: 1\n',
  'numbers as strings in flow': 'a: [1, "2", 3.0, 0x10, .inf]\n',
  'a document end marker inside a block scalar': 'a: |\n  ---\n  x\n',
  'a hash inside a quoted string': 'color: "#ff0000"\n',
};

/** Malformed texts: `yaml` rejects them, so the fast path must not accept them. */
const MALFORMED: Record<string, string> = {
  'compact nested mapping': 'a: b: c\n',
  'bad indentation': 'a:\n  b: 1\n c: 2\n',
  'list then key': '- a\nb: c\n',
  'unclosed quote': 'a: "x\nb: 1\n',
  'unclosed flow': 'a: [x, y\nb: 1\n',
  'reserved start': 'a: @x\n',
  'backtick start': 'a: `x`\n',
  'key on two lines': 'a\nb: c\n',
  'trailing content after a document': 'a: 1\n--- b: c: d\n',
  'mapping after a scalar': 'a: x\n  b: y\n',
  'block scalar with bad indentation indicator': 'a: |0\n  x\n',
  'comment without a space': 'a: "x"#c\n',
  'comment without a space after a flow list': 'a: [x]#c\n',
  'text after a quoted string': 'a: "x" y\n',
  'text after a single-quoted string': "a: 'x'y\n",
  'text after a flow mapping': 'a: {b: c} d\n',
  'a list on the document marker line': 'a: 1\n--- - b\n',
  'a root block scalar with a more-indented blank line': '|\n  \n# x\n',
};

describe('fast YAML reading (js-yaml with positions) builds what `yaml` builds', () => {
  for (const [name, text] of Object.entries(READ_FAST)) {
    it(`reads ${name} fast and identically`, () => {
      const outcome = both(text);
      assert.equal(outcome.slowError, undefined, 'the reference parser accepts it');
      assert.equal(outcome.fast, 'fast', 'the fast path takes it');
      assert.ok(outcome.equal, 'same trees, origins, string positions and exact integers');
    });
  }

  for (const [name, text] of Object.entries(EITHER)) {
    it(`leaves ${name} to yaml, or reads it identically`, () => {
      const outcome = both(text);
      assert.ok(outcome.equal, `fast path ${outcome.fast} and differs (${outcome.slowError ?? 'no error'})`);
    });
  }

  for (const [name, text] of Object.entries(MALFORMED)) {
    it(`does not accept malformed YAML: ${name}`, () => {
      const outcome = both(text);
      assert.ok(outcome.slowError, 'yaml rejects it');
      assert.equal(outcome.fast, 'fell back', "the fast path steps aside, so the error is yaml's");
    });
  }

  it('reads quoted strings over several lines fast where yaml accepts their indentation, and leaves the rest to yaml', () => {
    const pad = (n: number) => ' '.repeat(n);
    const shapes: Array<(k: number, c: number) => string> = [
      (k, c) => `${pad(k)}key: "a\n${pad(c)}b"\n`,
      (k, c) => `top:\n${pad(k)}- "a \\\n${pad(c)}b"\n`,
      (k, c) => `top:\n${pad(k)}- key: 'a\n\n${pad(c)}b'\n`,
      (k, c) => `top:\n${pad(k)}- x: 1\n${pad(k + 2)}key: "a\n${pad(c)}b"\n`,
      (k, c) => `top:\n${pad(k)}key:\n${pad(k + 2)}"a\n${pad(c)}b"\n`,
    ];
    let fast = 0;
    let rejected = 0;
    for (const shape of shapes) {
      for (const k of [0, 2, 4]) {
        for (let c = 0; c <= 8; c++) {
          const text = shape(k, c);
          const outcome = both(text);
          assert.ok(outcome.equal, JSON.stringify(text));
          if (outcome.slowError) rejected++;
          else {
            assert.equal(outcome.fast, 'fast', JSON.stringify(text));
            fast++;
          }
        }
      }
    }
    assert.ok(fast >= 70 && rejected >= 50, `${fast} read fast, ${rejected} rejected by yaml`);
  });

  it('keeps the offsets of YAML embedded in a file (an inline patch)', () => {
    const placement = { lineOffset: 7, firstColumnOffset: 10, columnOffset: 4 };
    const outcome = both(
      'kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  note: |\n    text\n',
      placement,
    );
    assert.deepEqual(outcome, { fast: 'fast', equal: true });
    const [doc] = parseYamlFast(
      'kind: Deployment\nspec:\n  replicas: 3\n',
      'k.yaml',
      'strategicMergePatch',
      placement,
    )!;
    assert.equal(doc.kind, 'map');
    const spec = doc.kind === 'map' ? doc.entries.get('spec') : undefined;
    const replicas = spec?.kind === 'map' ? spec.entries.get('replicas') : undefined;
    assert.deepEqual(replicas?.origin, { file: 'k.yaml', line: 10, column: 7, kind: 'strategicMergePatch' });
  });

  it('reads 1,200 generated and mangled texts as yaml does, or leaves them to it', function () {
    // Each text is parsed twice (about 2 ms of CPU): the bound only guards against a hang, since a loaded machine
    // gave 3,000 texts more than 30 s of wall time.
    this.timeout(120_000);
    const random = seeded(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const corpus = yamlFiles(resolve(__dirname, '..', '..', '..', 'examples')).map((f) => readFileSync(f, 'utf8'));
    const failures: string[] = [];
    let fast = 0;
    for (let i = 0; i < 1200; i++) {
      const text = i % 2 ? mangle(pick(corpus), random) : mangle(generatedYaml(random), random);
      const outcome = both(text);
      if (!outcome.equal) failures.push(JSON.stringify(text));
      if (outcome.fast === 'fast') fast++;
    }
    assert.deepEqual(failures.slice(0, 5), []);
    assert.ok(fast > 600, `${fast} of 1200 read fast`);
  });

  it('reads 400 generated texts with anchors and aliases (half of them mangled) as yaml does, or leaves them to it', function () {
    this.timeout(120_000);
    const random = seeded(20261206);
    const failures: string[] = [];
    let fast = 0;
    let aliased = 0;
    for (let i = 0; i < 400; i++) {
      const text = mangle(generatedYaml(random, { shared: true }), random);
      if (/\*a\d/.test(text)) aliased++;
      const outcome = both(text);
      if (!outcome.equal) failures.push(JSON.stringify(text));
      if (outcome.fast === 'fast') fast++;
    }
    assert.deepEqual(failures.slice(0, 5), []);
    assert.ok(aliased > 200, `${aliased} of 400 texts hold an alias`);
    // Mangled texts and flow collections over several lines (as yaml prints deep flow maps) go to yaml.
    assert.ok(fast > 130, `${fast} of 400 read fast`);
  });

  it('reads every YAML file of the examples, the conformance cases and the test fixtures as yaml does', () => {
    const root = resolve(__dirname, '..', '..', '..');
    const files = [
      ...yamlFiles(join(root, 'examples')),
      ...yamlFiles(join(root, 'test', 'conformance', 'cases')),
      ...yamlFiles(join(root, 'test', 'unit')),
    ];
    let fast = 0;
    const differing: string[] = [];
    for (const file of files) {
      const outcome = both(readFileSync(file, 'utf8'));
      if (!outcome.equal) differing.push(file);
      if (outcome.fast === 'fast') fast++;
    }
    assert.deepEqual(differing, []);
    assert.ok(files.length > 300, `${files.length} files`);
    // Nearly all real files take the fast path; the rest use anchors, tags, tabs, CR or are malformed on purpose.
    assert.ok(fast / files.length > 0.9, `${fast} of ${files.length} read fast`);
  });
});

/** Four levels of ten aliases each: 11,110 nodes from aliases, more than go-yaml (and parseYaml) allow. */
function aliasBomb(): string {
  const ten = (x: string) => `[${Array(10).fill(x).join(', ')}]`;
  return `a: &a ${ten('x')}\nb: &b ${ten('*a')}\nc: &c ${ten('*b')}\nd: &d ${ten('*c')}\n`;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** A small seeded generator (mulberry32), so a failure reproduces. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARACTERS = 'abcXYZ019 :#-\'"{}[],&*!|>%@`?~.\n\\é🚀_/='.split('');
const WORDS = [
  'true',
  'no',
  'null',
  '~',
  '1',
  '-1',
  '0x1F',
  '0o7',
  '1.5',
  '.inf',
  '1e3',
  '12345678901234567890',
  '',
  ' ',
  '-',
  'a: b',
  '# c',
  '---',
  '...',
  'yes',
  '@x',
  '%x',
];
const STYLES = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;

/**
 * One or two documents of random data, printed by `yaml` in a random style. `shared`: some collections appear more
 * than once, which `yaml` prints as an anchor and aliases.
 */
function generatedYaml(random: () => number, options: { shared?: boolean } = {}): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const made: object[] = [];
  const keep = <T extends object>(x: T): T => {
    made.push(x);
    return x;
  };
  const text = (): string =>
    random() < 0.4 ? pick(WORDS) : Array.from({ length: Math.floor(random() * 8) }, () => pick(CHARACTERS)).join('');
  const value = (depth: number): unknown => {
    const r = random();
    if (options.shared && made.length && random() < 0.35) return pick(made);
    if (depth > 3 || r < 0.45)
      return pick([
        text,
        () => Math.floor(random() * 1000) - 500,
        () => random() * 10,
        () => random() < 0.5,
        () => null,
      ])();
    if (r < 0.75)
      return keep(
        Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text() || 'k', value(depth + 1)])),
      );
    return keep(Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)));
  };
  // A map of several keys, so that collections made early can come back later in the document.
  const sharedRoot = () =>
    Object.fromEntries(Array.from({ length: 3 + Math.floor(random() * 4) }, (_, i) => [`k${i}`, value(1)]));
  const documents = Array.from({ length: 1 + Math.floor(random() * 2) }, () =>
    stringify(options.shared ? sharedRoot() : value(0), {
      defaultStringType: pick(STYLES),
      collectionStyle: pick(['any', 'block', 'flow'] as const),
      indent: pick([2, 4]),
      indentSeq: random() < 0.5,
      lineWidth: pick([0, 20, 80]),
    }),
  );
  return documents.join(pick(['---\n', '\n---\n']));
}

/** Up to four random edits (delete, insert a character or a YAML-significant piece); none half the time. */
function mangle(text: string, random: () => number): string {
  if (random() < 0.5) return text;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  for (let n = Math.floor(random() * 5); n > 0; n--) {
    const at = Math.floor(random() * (text.length + 1));
    const r = random();
    if (r < 0.33) text = text.slice(0, at) + text.slice(at + 1);
    else if (r < 0.66) text = text.slice(0, at) + pick(CHARACTERS) + text.slice(at);
    else
      text =
        text.slice(0, at) +
        pick(['  ', '\n', '- ', ': ', '\n  ', '"', "'", '[', '{', '|\n  ', '>-\n ']) +
        text.slice(at);
  }
  return text;
}

describe('parseYamlIfFast (discovery reads kustomization files with it)', () => {
  it('gives the trees parseYaml gives for a plain kustomization, with the places of its list items', () => {
    const text = 'namespace: shop\nresources:\n  - ../base\n  - cm.yaml\n';
    const fast = parseYamlIfFast(text, 'k.yaml', 'resource');
    assert.deepEqual(fast, parseYamlSlow(text, 'k.yaml', 'resource'));
    const items = fast?.[0].kind === 'map' ? fast[0].entries.get('resources') : undefined;
    assert.deepEqual(items?.kind === 'seq' ? items.items.map((i) => [i.origin.line, i.origin.column]) : [], [
      [3, 5],
      [4, 5],
    ]);
  });

  it('leaves to its caller what go-yaml refuses or the fast reader does not read', () => {
    assert.equal(parseYamlIfFast('a: "\u0007"\n', 'k.yaml', 'resource'), undefined);
    assert.equal(parseYamlIfFast('['.repeat(10_001), 'k.yaml', 'resource'), undefined);
    assert.equal(parseYamlIfFast('a: [\n', 'k.yaml', 'resource'), undefined);
    assert.equal(parseYamlIfFast('a:\n\tb: 1\n', 'k.yaml', 'resource'), undefined);
  });
});
