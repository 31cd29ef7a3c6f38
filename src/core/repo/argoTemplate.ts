/**
 * The two template languages of an Argo CD ApplicationSet (argo-cd `applicationset/utils/utils.go` Render.Replace):
 * fasttemplate `{{param}}` (a flat string map; an unknown tag stays as written) and, with `goTemplate: true`, Go's
 * `text/template` with sprig's functions (minus `env`, `expandenv`, `getHostByName`) plus Argo CD's `normalize`,
 * `slugify`, `toYaml`, `fromYaml`, `fromYamlArray`.
 *
 * The Go side is a TypeScript subset, not Go: actions, pipelines, variables, `if`/`else if`/`range`/`with`, trim
 * markers, comments, `missingkey=` options, and the functions in FUNCTIONS. A template that calls anything else fails
 * with `function "NAME" not supported`, which the ApplicationSet reports at its line, so a render never silently
 * differs from Argo CD's. Why not Go's own through the Helm WebAssembly engine: its start (287 ms, then 263 ms for a
 * first render, bench/helm on an idle machine) alone is more than the 500 ms an ApplicationSet's listing may take.
 */
import { parseV2Yaml, stringifyV2Yaml } from '../yaml/goYamlV2';

/** A template that cannot be parsed or run, with Go's wording where Argo CD shows it. */
export class TemplateError extends Error {}

/** fasttemplate as Argo CD uses it: `{{ key }}` replaced by the string param `key`; anything else left as written. */
export function fastTemplate(template: string, params: Readonly<Record<string, unknown>>): string {
  // Render.Replace: text without `{{...}}` on one line (Go's `.*{{.*}}.*`) is returned as it is, unparsed.
  if (!/{{[^\n]*}}/.test(template)) return template;
  let out = '';
  let i = 0;
  for (;;) {
    const start = template.indexOf('{{', i);
    if (start < 0) break;
    const end = template.indexOf('}}', start + 2);
    // fasttemplate: an opening tag without a closing one is an error Argo CD returns ("invalid template").
    if (end < 0) throw new TemplateError(`invalid template: cannot find end tag "}}" in ${JSON.stringify(template)}`);
    out += template.slice(i, start);
    const tag = template.slice(start + 2, end);
    const value = params[tag.trim()];
    out += tag.trim() !== '' && typeof value === 'string' ? value : `{{${tag}}}`;
    i = end + 2;
  }
  return out + template.slice(i);
}

/** `goTemplateOptions` Argo CD passes to text/template's Option (only `missingkey=` exists). */
export interface GoTemplateOptions {
  missingKey: 'default' | 'zero' | 'error';
}

/** Reads `goTemplateOptions`; an unknown option is an error as in Go (`unrecognized option`). */
export function goTemplateOptions(options: readonly string[]): GoTemplateOptions {
  const out: GoTemplateOptions = { missingKey: 'default' };
  for (const option of options) {
    const m = /^missingkey=(default|invalid|zero|error)$/.exec(option);
    if (!m) throw new TemplateError(`unrecognized option: ${option}`);
    out.missingKey = m[1] === 'invalid' ? 'default' : (m[1] as GoTemplateOptions['missingKey']);
  }
  return out;
}

/** Runs a Go template over `data` as Argo CD's Render.Replace does with `goTemplate: true`. */
export function goTemplate(
  template: string,
  data: unknown,
  options: GoTemplateOptions = { missingKey: 'default' },
): string {
  if (!template.includes('{{')) return template;
  const nodes = new Parser(template).parseAll();
  const run = new Runner(data, options);
  return run.exec(nodes, data, new Map([['$', data]]));
}

// ---- parsing ----------------------------------------------------------------------------------------------------

type Arg =
  | { t: 'field'; base: 'dot' | string; path: string[] } // `.a.b`, `$x.a`, `$`
  | { t: 'lit'; value: unknown }
  | { t: 'ident'; name: string }
  | { t: 'pipe'; pipe: Pipeline; path?: string[] }; // `(pipeline).a.b`

interface Command {
  args: Arg[];
}

interface Pipeline {
  decl?: { names: string[]; assign: boolean };
  cmds: Command[];
}

type TNode =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipeline }
  | { t: 'if' | 'with'; pipe: Pipeline; then: TNode[]; else?: TNode[] }
  | { t: 'range'; pipe: Pipeline; then: TNode[]; else?: TNode[] }
  | { t: 'break' | 'continue' };

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseAll(): TNode[] {
    const { nodes, end } = this.parseList();
    if (end) throw new TemplateError(`unexpected {{${end}}}`);
    return nodes;
  }

  /** Nodes up to an `{{end}}`/`{{else ...}}` (returned as `end`) or the end of the text. */
  private parseList(): { nodes: TNode[]; end?: string; elsePipe?: string } {
    const nodes: TNode[] = [];
    for (;;) {
      const open = this.src.indexOf('{{', this.pos);
      if (open < 0) {
        if (this.pos < this.src.length) nodes.push({ t: 'text', text: this.src.slice(this.pos) });
        this.pos = this.src.length;
        return { nodes };
      }
      let text = this.src.slice(this.pos, open);
      let inner = open + 2;
      if (this.src.startsWith('- ', inner) || this.src.startsWith('-\t', inner) || this.src.startsWith('-\n', inner)) {
        text = text.replace(/[ \t\r\n]+$/, '');
        inner += 1;
      }
      if (text) nodes.push({ t: 'text', text });
      const close = this.findClose(inner);
      let body = this.src.slice(inner, close);
      this.pos = close + 2;
      if (/[ \t\r\n]-$/.test(body)) {
        body = body.slice(0, -1);
        const rest = /^[ \t\r\n]*/.exec(this.src.slice(this.pos))![0];
        this.pos += rest.length;
      }
      body = body.trim();
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new TemplateError('unclosed comment');
        continue;
      }
      const word = /^[a-z]+/.exec(body)?.[0] ?? '';
      if (word === 'end') return { nodes, end: 'end' };
      if (word === 'else') return { nodes, end: 'else', elsePipe: body.slice(4).trim() };
      if (word === 'if' || word === 'with' || word === 'range') {
        nodes.push(this.parseBlock(word, body.slice(word.length).trim()));
        continue;
      }
      if (word === 'break' || word === 'continue') {
        nodes.push({ t: word });
        continue;
      }
      if (word === 'define' || word === 'template' || word === 'block')
        throw new TemplateError(`{{${word}}} not supported`);
      nodes.push({ t: 'action', pipe: parsePipeline(body) });
    }
  }

  private parseBlock(kind: 'if' | 'with' | 'range', pipeText: string): TNode {
    const pipe = parsePipeline(pipeText);
    const first = this.parseList();
    if (!first.end) throw new TemplateError(`unexpected EOF: {{${kind}}} without {{end}}`);
    const node: Extract<TNode, { t: 'if' | 'with' | 'range' }> = { t: kind, pipe, then: first.nodes };
    if (first.end === 'else') {
      const elsePipe = first.elsePipe ?? '';
      // `{{else if X}}` / `{{else with X}}`: a nested block that shares the outer one's {{end}}.
      const chained = /^(if|with)\b/.exec(elsePipe);
      if (chained) {
        node.else = [this.parseBlock(chained[1] as 'if' | 'with', elsePipe.slice(chained[1].length).trim())];
      } else {
        const second = this.parseList();
        if (second.end !== 'end') throw new TemplateError(`unexpected EOF: {{${kind}}} without {{end}}`);
        node.else = second.nodes;
      }
    }
    return node;
  }

  /** The `}}` closing an action that starts at `from`, skipping quoted strings. */
  private findClose(from: number): number {
    let i = from;
    while (i < this.src.length) {
      const c = this.src[i];
      if (c === '"' || c === '`' || c === "'") {
        const end = c === '"' ? skipQuoted(this.src, i) : this.src.indexOf(c, i + 1);
        if (end < 0) break;
        i = end + 1;
        continue;
      }
      if (c === '}' && this.src[i + 1] === '}') return i;
      i++;
    }
    throw new TemplateError('unclosed action');
  }
}

function skipQuoted(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

type Token = { k: 'str' | 'num' | 'field' | 'var' | 'ident' | 'op'; v: string; glued?: boolean };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const end = skipQuoted(text, i);
      if (end < 0) throw new TemplateError('unterminated quoted string');
      out.push({ k: 'str', v: JSON.parse(text.slice(i, end + 1)) as string });
      i = end + 1;
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new TemplateError('unterminated raw quoted string');
      out.push({ k: 'str', v: text.slice(i + 1, end) });
      i = end + 1;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      out.push({ k: 'num', v: String(text.codePointAt(i + 1)) });
      i = end + 1;
    } else if (text.startsWith(':=', i)) {
      out.push({ k: 'op', v: ':=' });
      i += 2;
    } else if ('|(),='.includes(c)) {
      out.push({ k: 'op', v: c });
      i++;
    } else {
      const m = /^[^\s|(),=]+/.exec(text.slice(i))![0];
      if (/^[-+]?\d/.test(m)) out.push({ k: 'num', v: m });
      else if (m.startsWith('.')) out.push({ k: 'field', v: m, glued: text[i - 1] === ')' });
      else if (m.startsWith('$')) out.push({ k: 'var', v: m });
      else out.push({ k: 'ident', v: m });
      i += m.length;
    }
  }
  return out;
}

function parsePipeline(text: string): Pipeline {
  const tokens = tokenize(text);
  let i = 0;
  const pipeline = (stop: string | undefined): Pipeline => {
    const pipe: Pipeline = { cmds: [] };
    // `$x := ...`, `$i, $e := ...`, `$x = ...`
    const look = tokens.slice(i, i + 4);
    if (look[0]?.k === 'var' && look[1]?.k === 'op' && (look[1].v === ':=' || look[1].v === '=')) {
      pipe.decl = { names: [look[0].v], assign: look[1].v === '=' };
      i += 2;
    } else if (look[0]?.k === 'var' && look[1]?.v === ',' && look[2]?.k === 'var' && look[3]?.v === ':=') {
      pipe.decl = { names: [look[0].v, look[2].v], assign: false };
      i += 4;
    }
    let cmd: Command = { args: [] };
    while (i < tokens.length) {
      const tok = tokens[i];
      if (tok.k === 'op' && tok.v === stop) break;
      i++;
      if (tok.k === 'op' && tok.v === '|') {
        if (!cmd.args.length) throw new TemplateError('missing command before |');
        pipe.cmds.push(cmd);
        cmd = { args: [] };
      } else if (tok.k === 'op' && tok.v === '(') {
        const inner = pipeline(')');
        if (tokens[i]?.v !== ')') throw new TemplateError('unclosed left paren');
        i++;
        const arg: Arg = { t: 'pipe', pipe: inner };
        // `(expr).field`
        if (tokens[i]?.k === 'field' && tokens[i].glued) arg.path = tokens[i++].v.split('.').slice(1).filter(Boolean);
        cmd.args.push(arg);
      } else if (tok.k === 'str') cmd.args.push({ t: 'lit', value: tok.v });
      else if (tok.k === 'num') cmd.args.push({ t: 'lit', value: goLiteral(tok.v) });
      else if (tok.k === 'field')
        cmd.args.push({ t: 'field', base: 'dot', path: tok.v.split('.').slice(1).filter(Boolean) });
      else if (tok.k === 'var') {
        const [name, ...path] = tok.v.split('.');
        cmd.args.push({ t: 'field', base: name, path });
      } else if (tok.k === 'ident') {
        if (tok.v === 'true' || tok.v === 'false') cmd.args.push({ t: 'lit', value: tok.v === 'true' });
        else if (tok.v === 'nil') cmd.args.push({ t: 'lit', value: null });
        else cmd.args.push({ t: 'ident', name: tok.v });
      } else throw new TemplateError(`unexpected "${tok.v}" in command`);
    }
    if (cmd.args.length) pipe.cmds.push(cmd);
    if (!pipe.cmds.length) throw new TemplateError('missing value for command');
    return pipe;
  };
  const pipe = pipeline(undefined);
  if (i < tokens.length) throw new TemplateError(`unexpected "${tokens[i].v}" in operand`);
  return pipe;
}

// ---- running ----------------------------------------------------------------------------------------------------

/** Go's "no value": a missing map key under missingkey=default, printed `<no value>`. */
const NO_VALUE = Symbol('no value');

class BreakSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

class Runner {
  constructor(
    readonly root: unknown,
    readonly options: GoTemplateOptions,
  ) {}

  exec(nodes: TNode[], dot: unknown, vars: Map<string, unknown>): string {
    let out = '';
    for (const node of nodes) {
      if (node.t === 'text') out += node.text;
      else if (node.t === 'action') {
        const value = this.pipe(node.pipe, dot, vars);
        if (!node.pipe.decl) out += printValue(value);
      } else if (node.t === 'if' || node.t === 'with') {
        const scope = new Map(vars);
        const value = this.pipe(node.pipe, dot, scope);
        if (truthy(value)) out += this.exec(node.then, node.t === 'with' ? value : dot, scope);
        else if (node.else) out += this.exec(node.else, dot, scope);
      } else if (node.t === 'range') out += this.range(node, dot, vars);
      else throw new BreakSignal(node.t);
    }
    return out;
  }

  private range(node: Extract<TNode, { t: 'range' }>, dot: unknown, vars: Map<string, unknown>): string {
    const scope = new Map(vars);
    const decl = node.pipe.decl;
    const value = this.pipe({ cmds: node.pipe.cmds }, dot, scope);
    let entries: [unknown, unknown][];
    if (Array.isArray(value)) entries = value.map((v, i) => [BigInt(i), v]);
    else if (isObject(value))
      entries = Object.keys(value)
        .sort()
        .map((k) => [k, value[k]]);
    else if (typeof value === 'bigint')
      entries = Array.from({ length: Number(value) }, (_, i) => [BigInt(i), BigInt(i)]);
    else if (value === null || value === undefined || value === NO_VALUE) entries = [];
    else throw new TemplateError(`range can't iterate over ${printValue(value)}`);
    if (!entries.length) return node.else ? this.exec(node.else, dot, scope) : '';
    let out = '';
    for (const [k, v] of entries) {
      const inner = new Map(scope);
      if (decl?.names.length === 1) inner.set(decl.names[0], v);
      if (decl?.names.length === 2) {
        inner.set(decl.names[0], k);
        inner.set(decl.names[1], v);
      }
      try {
        out += this.exec(node.then, v, inner);
      } catch (e) {
        if (!(e instanceof BreakSignal)) throw e;
        if (e.kind === 'break') break;
      }
    }
    return out;
  }

  pipe(pipe: Pipeline, dot: unknown, vars: Map<string, unknown>): unknown {
    let value: unknown = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, vars, first ? [] : [value]);
      first = false;
    }
    if (pipe.decl) {
      const name = pipe.decl.names[0];
      if (pipe.decl.assign && !vars.has(name)) throw new TemplateError(`undefined variable: ${name}`);
      vars.set(name, value);
    }
    return value;
  }

  private command(cmd: Command, dot: unknown, vars: Map<string, unknown>, piped: unknown[]): unknown {
    const [head, ...rest] = cmd.args;
    if (head.t === 'ident') {
      const fn = FUNCTIONS[head.name];
      if (!fn) throw new TemplateError(`function "${head.name}" not supported`);
      const args = [...rest.map((a) => this.arg(a, dot, vars)), ...piped];
      return fn(...args.map((a) => (a === NO_VALUE ? undefined : a)));
    }
    if (rest.length || piped.length) {
      if (head.t === 'field' && (rest.length || piped.length))
        throw new TemplateError(
          `can't give argument to non-function ${head.base === 'dot' ? '.' : head.base}${head.path.join('.')}`,
        );
    }
    return this.arg(head, dot, vars);
  }

  private arg(arg: Arg, dot: unknown, vars: Map<string, unknown>): unknown {
    if (arg.t === 'lit') return arg.value;
    if (arg.t === 'pipe') {
      const value = this.pipe(arg.pipe, dot, vars);
      return arg.path ? this.walk(value, arg.path) : value;
    }
    if (arg.t === 'ident') {
      const fn = FUNCTIONS[arg.name];
      if (!fn) throw new TemplateError(`function "${arg.name}" not supported`);
      return fn();
    }
    let value: unknown;
    if (arg.base === 'dot') value = dot;
    else if (vars.has(arg.base)) value = vars.get(arg.base);
    else throw new TemplateError(`undefined variable "${arg.base}"`);
    return this.walk(value, arg.path);
  }

  private walk(start: unknown, path: readonly string[]): unknown {
    let value = start;
    for (const key of path) {
      if (isObject(value)) {
        if (Object.prototype.hasOwnProperty.call(value, key)) value = value[key];
        else if (this.options.missingKey === 'error') throw new TemplateError(`map has no entry for key "${key}"`);
        else value = NO_VALUE;
      } else if (value === NO_VALUE) {
        // A field of a missing key is no value too (missingkey=error failed at the key already).
      } else if (value === null || value === undefined)
        throw new TemplateError(`nil pointer evaluating interface {}.${key}`);
      else throw new TemplateError(`can't evaluate field ${key} in type ${goType(value)}`);
    }
    return value;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'interface {}';
}

function truthy(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === 0n || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** A value as Go's fmt prints it in a template (`%v`). */
export function printValue(v: unknown): string {
  if (v === NO_VALUE || v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (isObject(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${printValue(v[k])}`)
      .join(' ')}]`;
  return String(v);
}

/**
 * A float64 as %v prints it (strconv 'g', shortest): the exponent form from 1e+06 up and below 1e-04, as Go
 * prints a generator's number (every JSON number reaches the template as float64).
 */
function goNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, exponent] = Math.abs(n).toExponential().split('e');
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(n);
  return `${n < 0 ? '-' : ''}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** A number literal of a template: an integer is a Go int (a bigint here), anything else a float64. */
function goLiteral(text: string): unknown {
  if (/^[-+]?\d+$/.test(text)) return BigInt(text);
  if (/^[-+]?0[xX][0-9a-fA-F]+$/.test(text)) return BigInt(text.replace(/^\+/, ''));
  return Number(text);
}

/** Go's int for what sprig's arithmetic returns (int64). */
function goInt(v: number): bigint {
  return BigInt(Math.trunc(Number.isFinite(v) ? v : 0));
}

// ---- functions --------------------------------------------------------------------------------------------------

type Fn = (...args: unknown[]) => unknown;

function str(v: unknown): string {
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : printValue(v);
}

/** Argo CD's `normalize` (utils.SanitizeName). */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-a-z0-9.]/g, '-')
    .slice(0, 253)
    .replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * Argo CD's `slugify` (utils.SlugifyName): `[maxSize [smartTruncate]] name`, defaults 50 and true, gosimple/slug's
 * Make over the sanitized name: a cut at maxSize without smart truncation, characters outside `[a-zA-Z0-9-_]` to `-`,
 * dashes squeezed, `-` and `_` trimmed, then a smart cut at the last `-` at or before maxSize.
 */
function slugify(...args: unknown[]): string {
  const name = str(args[args.length - 1]);
  const maxSize = args.length >= 2 ? Number(args[0]) : 50;
  const smartTruncate = args.length >= 3 ? truthy(args[1]) : true;
  let s = sanitizeName(name).trim().toLowerCase();
  if (!smartTruncate && s.length >= maxSize) s = s.slice(0, maxSize);
  s = s
    .replace(/[^a-zA-Z0-9-_]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  if (maxSize > 0 && smartTruncate && s.length > maxSize) {
    const cut = s.lastIndexOf('-', maxSize);
    s = cut >= 0 ? s.slice(0, cut) : s.slice(0, maxSize);
  }
  return s;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError(`incompatible types for comparison: ${goType(a)} and ${goType(b)}`);
}

/** Go's eq of two basic values: an int and a float64 (a literal 3 and a generator's 3) are an error, not unequal. */
function goEqual(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  if (numeric(a) && numeric(b) && typeof a !== typeof b)
    throw new TemplateError(`incompatible types for comparison: ${goType(a)} and ${goType(b)}`);
  return a === b || (a == null && b == null);
}

/** Go's encoding/json: map keys sorted, `<`, `>` and `&` escaped unless raw, ints and float64s as Go writes them. */
function goJson(v: unknown, indent = '', escapeHtml = true): string {
  const write = (x: unknown, pad: string): string => {
    if (x === undefined || x === null || x === NO_VALUE) return 'null';
    if (typeof x === 'bigint') return String(x);
    if (typeof x === 'number') return Number.isFinite(x) ? JSON.stringify(x) : 'null';
    if (typeof x === 'string' || typeof x === 'boolean') {
      const text = JSON.stringify(x);
      return escapeHtml
        ? text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        : text;
    }
    const inner = pad + indent;
    const sep = indent ? `,\n${inner}` : ',';
    const open = (o: string, c: string, items: string[]) =>
      items.length ? (indent ? `${o}\n${inner}${items.join(sep)}\n${pad}${c}` : `${o}${items.join(sep)}${c}`) : o + c;
    if (Array.isArray(x))
      return open(
        '[',
        ']',
        x.map((i) => write(i, inner)),
      );
    if (isObject(x))
      return open(
        '{',
        '}',
        Object.keys(x)
          .sort()
          .map((k) => `${write(k, inner)}:${indent ? ' ' : ''}${write(x[k], inner)}`),
      );
    return JSON.stringify(String(x));
  };
  return write(v, '');
}

/** Plain data for YAML: ints (bigints) kept exact, map keys sorted (sigs.k8s.io/yaml writes through encoding/json). */
function jsonShaped(v: unknown): unknown {
  if (v === NO_VALUE) return null;
  if (Array.isArray(v)) return v.map(jsonShaped);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, jsonShaped(v[k])]),
    );
  return v;
}

/**
 * A float64 as sigs.k8s.io/yaml writes it: encoding/json's text read back by go-yaml v2, so an integral value that
 * fits 64 bits prints as an integer and any other as go-yaml's float (`%g`: `1e+21`, `1e-06`).
 */
function yamlNumber(n: number): string {
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 64) return BigInt(n).toString();
  return goNumber(n);
}

/**
 * Argo CD's toYaml: sigs.k8s.io/yaml (keys sorted, a list under a key not indented, YAML 1.1 strings such as `on`
 * and `yes` quoted), the last newline cut.
 */
function toYaml(v: unknown): string {
  if (v === undefined || v === null || v === NO_VALUE) return 'null';
  return stringifyV2Yaml(jsonShaped(v), yamlNumber).replace(/\n$/, '');
}

/** Argo CD's fromYaml and fromYamlArray: sigs.k8s.io/yaml.Unmarshal (YAML 1.1, the first document) into a map or a list. */
function fromYaml(text: unknown, want: 'map' | 'list'): unknown {
  let v: unknown;
  try {
    v = parseV2Yaml(str(text));
  } catch (e) {
    throw new TemplateError(`error calling ${want === 'map' ? 'fromYaml' : 'fromYamlArray'}: ${(e as Error).message}`);
  }
  if (v === null || v === undefined) return want === 'map' ? {} : [];
  if (want === 'map' ? isObject(v) : Array.isArray(v)) return v;
  throw new TemplateError(
    `error calling ${want === 'map' ? 'fromYaml' : 'fromYamlArray'}: json: cannot unmarshal ${Array.isArray(v) ? 'array' : isObject(v) ? 'object' : typeof v} into Go value of type ${want === 'map' ? 'map[string]interface {}' : '[]interface {}'}`,
  );
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  throw new TemplateError(`cannot use ${goType(v)} as a list`);
}

/** The sprig functions (and Go's builtins) this subset runs; anything else is `function "NAME" not supported`. */
const FUNCTIONS: Record<string, Fn> = {
  // Go builtins
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  not: (a) => !truthy(a),
  len: (a) =>
    goInt(
      typeof a === 'string'
        ? new TextEncoder().encode(a).length
        : Array.isArray(a)
          ? a.length
          : isObject(a)
            ? Object.keys(a).length
            : 0,
    ),
  index: (a, ...keys) => {
    let v = a;
    for (const k of keys) {
      if (Array.isArray(v) || typeof v === 'string') {
        const i = Number(k);
        if (!Number.isInteger(i) || i < 0 || i >= v.length)
          throw new TemplateError(`error calling index: index out of range: ${str(k)}`);
        v = typeof v === 'string' ? goInt(new TextEncoder().encode(v)[i]) : v[i];
      } else v = isObject(v) ? v[String(k)] : undefined;
    }
    return v;
  },
  print: (...a) => a.map(str).join(''),
  println: (...a) => `${a.map(str).join(' ')}\n`,
  printf: (format, ...a) => sprintf(str(format), a),
  eq: (a, ...b) => b.some((x) => goEqual(a, x)),
  ne: (a, b) => !goEqual(a, b),
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  // sprig: strings
  default: (d, v) => (truthy(v) ? v : d),
  empty: (v) => !truthy(v),
  coalesce: (...a) => a.find(truthy),
  ternary: (a, b, c) => (truthy(c) ? a : b),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  title: (s) => str(s).replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  trim: (s) => str(s).trim(),
  trimAll: (c, s) => str(s).replace(new RegExp(`^[${escapeClass(str(c))}]+|[${escapeClass(str(c))}]+$`, 'g'), ''),
  trimPrefix: (p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  trimSuffix: (p, s) => (str(p) && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s)),
  hasPrefix: (p, s) => str(s).startsWith(str(p)),
  hasSuffix: (p, s) => str(s).endsWith(str(p)),
  contains: (p, s) => str(s).includes(str(p)),
  replace: (a, b, s) => str(s).split(str(a)).join(str(b)),
  repeat: (n, s) => str(s).repeat(Number(n)),
  substr: (a, b, s) => {
    const t = str(s);
    const start = Number(a);
    const end = Number(b);
    if (start < 0) return t.slice(0, end);
    if (end < 0 || end > t.length) return t.slice(start);
    return t.slice(start, end);
  },
  trunc: (n, s) => {
    const t = str(s);
    const c = Number(n);
    return c >= 0 ? t.slice(0, c) : t.slice(Math.max(0, t.length + c));
  },
  quote: (...a) =>
    a
      .filter((x) => x !== undefined && x !== null)
      .map((x) => JSON.stringify(str(x)))
      .join(' '),
  squote: (...a) =>
    a
      .filter((x) => x !== undefined && x !== null)
      .map((x) => `'${str(x)}'`)
      .join(' '),
  cat: (...a) =>
    a
      .filter((x) => x !== undefined && x !== null)
      .map(str)
      .join(' '),
  indent: (n, s) => str(s).replace(/^/gm, ' '.repeat(Number(n))),
  nindent: (n, s) => `\n${str(s).replace(/^/gm, ' '.repeat(Number(n)))}`,
  kebabcase: (s) =>
    str(s)
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .replace(/[\s_]+/g, '-')
      .toLowerCase(),
  snakecase: (s) =>
    str(s)
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[\s-]+/g, '_')
      .toLowerCase(),
  split: (sep, s) =>
    Object.fromEntries(
      str(s)
        .split(str(sep))
        .map((p, i) => [`_${i}`, p]),
    ),
  splitList: (sep, s) => str(s).split(str(sep)),
  join: (sep, l) => list(l).map(str).join(str(sep)),
  toString: (v: unknown) => str(v),
  toStrings: (l) => list(l).map(str),
  int: (v) => goInt(Number(v) || 0),
  int64: (v) => goInt(Number(v) || 0),
  float64: (v) => Number(v) || 0,
  atoi: (v) => goInt(Number(v) || 0),
  add: (...a) => goInt(a.reduce<number>((x, y) => x + Math.trunc(Number(y)), 0)),
  add1: (a) => goInt(Math.trunc(Number(a)) + 1),
  sub: (a, b) => goInt(Math.trunc(Number(a)) - Math.trunc(Number(b))),
  mul: (...a) => goInt(a.reduce<number>((x, y) => x * Math.trunc(Number(y)), 1)),
  div: (a, b) => goInt(Math.trunc(Number(a)) / Math.trunc(Number(b))),
  mod: (a, b) => goInt(Math.trunc(Number(a)) % Math.trunc(Number(b))),
  max: (...a) => goInt(Math.max(...a.map((x) => Math.trunc(Number(x))))),
  min: (...a) => goInt(Math.min(...a.map((x) => Math.trunc(Number(x))))),
  b64enc: (s) => base64(str(s)),
  b64dec: (s) => unbase64(str(s)),
  regexMatch: (re, s) => new RegExp(str(re)).test(str(s)),
  regexReplaceAll: (re, s, r) => str(s).replace(new RegExp(str(re), 'g'), str(r).replace(/\$\{?(\d+)\}?/g, '$$$1')),
  regexFind: (re, s) => new RegExp(str(re)).exec(str(s))?.[0] ?? '',
  // sprig: lists and dicts
  list: (...a) => a,
  first: (l) => list(l)[0],
  last: (l) => list(l)[list(l).length - 1],
  rest: (l) => list(l).slice(1),
  initial: (l) => list(l).slice(0, -1),
  append: (l, v) => [...list(l), v],
  concat: (...ls) => ls.flatMap(list),
  has: (v, l) => list(l).includes(v),
  uniq: (l) => [...new Set(list(l))],
  sortAlpha: (l) => list(l).map(str).sort(),
  reverse: (l) => [...list(l)].reverse(),
  compact: (l) => list(l).filter(truthy),
  dict: (...a) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < a.length; i += 2) out[str(a[i])] = a[i + 1] ?? '';
    return out;
  },
  get: (d, k) => (isObject(d) && Object.prototype.hasOwnProperty.call(d, str(k)) ? d[str(k)] : ''),
  set: (d, k, v) => {
    if (isObject(d)) d[str(k)] = v;
    return d;
  },
  unset: (d, k) => {
    if (isObject(d)) delete d[str(k)];
    return d;
  },
  hasKey: (d, k) => isObject(d) && Object.prototype.hasOwnProperty.call(d, str(k)),
  keys: (...ds) => ds.flatMap((d) => (isObject(d) ? Object.keys(d) : [])),
  values: (d) => (isObject(d) ? Object.values(d) : []),
  pick: (d, ...ks) =>
    isObject(d)
      ? Object.fromEntries(
          ks
            .map(str)
            .filter((k) => k in d)
            .map((k) => [k, d[k]]),
        )
      : {},
  omit: (d, ...ks) =>
    isObject(d) ? Object.fromEntries(Object.entries(d).filter(([k]) => !ks.map(str).includes(k))) : {},
  merge: (dst, ...srcs) => mergeInto(dst, srcs, false),
  mergeOverwrite: (dst, ...srcs) => mergeInto(dst, srcs, true),
  deepCopy: (v) => structuredClone(v),
  // encodings, Argo CD's own
  toJson: (v) => goJson(v),
  toPrettyJson: (v) => goJson(v, '  '),
  toRawJson: (v) => goJson(v, '', false),
  fromJson: (s) => JSON.parse(str(s)) as unknown,
  toYaml,
  fromYaml: (s) => fromYaml(s, 'map'),
  fromYamlArray: (s) => fromYaml(s, 'list'),
  normalize: (s) => sanitizeName(str(s)),
  slugify,
};

function escapeClass(s: string): string {
  return s.replace(/[\]\\^-]/g, '\\$&');
}

function mergeInto(dst: unknown, srcs: unknown[], overwrite: boolean): unknown {
  if (!isObject(dst)) return dst;
  for (const src of srcs) {
    if (!isObject(src)) continue;
    for (const [k, v] of Object.entries(src)) {
      if (isObject(dst[k]) && isObject(v)) mergeInto(dst[k], [v], overwrite);
      else if (overwrite || !(k in dst) || !truthy(dst[k])) dst[k] = v;
    }
  }
  return dst;
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function unbase64(s: string): string {
  try {
    const bin = atob(s);
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch (e) {
    return (e as Error).message;
  }
}

/** Go's fmt verbs a template uses: %s %v %d %q %t %x %f %%, with flags `-` and `0` and a width. */
function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(
    /%([-+# 0]*)(\d*)(?:\.(\d+))?([svdqtfx%])/g,
    (_m, flags: string, width: string, precision: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const a = args[i++];
      if (a === undefined) return `%!${verb}(MISSING)`;
      let text: string;
      if (verb === 'q') text = JSON.stringify(str(a));
      else if (verb === 'd') text = typeof a === 'bigint' ? String(a) : `%!d(${goType(a)}=${printValue(a)})`;
      else if (verb === 'f')
        text =
          typeof a === 'number'
            ? a.toFixed(precision === undefined ? 6 : Number(precision))
            : `%!f(${goType(a)}=${printValue(a)})`;
      else if (verb === 'x')
        text =
          typeof a === 'bigint'
            ? a.toString(16)
            : typeof a === 'number'
              ? `%!x(float64=${printValue(a)})`
              : [...new TextEncoder().encode(str(a))].map((b) => b.toString(16).padStart(2, '0')).join('');
      else text = printValue(a);
      const w = Number(width || 0);
      if (text.length >= w) return text;
      if (flags.includes('-')) return text.padEnd(w);
      if (flags.includes('0') && (verb === 'd' || verb === 'f') && !text.startsWith('%!')) {
        const sign = text.startsWith('-') ? '-' : '';
        return sign + text.slice(sign.length).padStart(w - sign.length, '0');
      }
      return text.padStart(w);
    },
  );
}
