/**
 * Flux's variable syntax for `postBuild` substitution, as github.com/fluxcd/pkg/envsubst (v1.8.0) parses and
 * evaluates it: `${var}`, the default forms `${var:=x}` `${var:-x}` `${var=x}` `${var-x}` (all of which, in Flux, mean
 * "x when var is empty"), bash's string functions (`${var^^}`, `${var:1:2}`, `${var/a/b}`, `${var#pre}`, `${#var}`...)
 * and the `$$` escape (`$${var}` is the text `${var}`). A `$` not followed by `{` is text.
 *
 * Kept as close to the Go scanner as possible, quirks included (a default may hold further `${...}`; `\\` and `\/`
 * escape only inside `${...}`), since every difference is a value Flux applies and we would not. Positions are
 * UTF-16 units where Go counts bytes: the same for ASCII, which is what variable names and defaults are in practice.
 */

/** A syntax error: Flux fails the Kustomization's whole build with it (`variable substitution failed: ...`). */
export class SubstitutionSyntaxError extends Error {}

type Node =
  | { type: 'text'; value: string }
  | { type: 'func'; param: string; name: string; args: Node[] }
  | { type: 'list'; nodes: Node[] };

const EMPTY: Node = { type: 'text', value: '' };

type Accept = (r: string, i: number) => boolean;

const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;
const ESCAPE_DOLLAR = 1;
const ESCAPE_BACKSLASH = 2;

const enum Token {
  Illegal,
  EOF,
  Ident,
  Lbrack,
  Rbrack,
}

// ASCII first: the Unicode classes hold only A-Z, a-z and 0-9 of it, and nearly every name is ASCII.
const isLetter = (r: string) => (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r > '\x7f' && /^\p{L}$/u.test(r));
const isDigit = (r: string) => (r >= '0' && r <= '9') || (r > '\x7f' && /^\p{Nd}$/u.test(r));
const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => isLetter(r) || isDigit(r) || r === '_';
const acceptColon: Accept = (r) => r === ':';
const acceptOneHash: Accept = (r, i) => r === '#' && i === 1;
const acceptNotClosing: Accept = (r) => r !== '}';
const acceptHashFunc: Accept = (r, i) => r === '#' && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === '%' && i < 3;
const acceptDefaultFunc: Accept = (r, i) =>
  (i === 1 && r === ':') || (i === 2 && (r === '=' || r === '-' || r === '?' || r === '+'));
const acceptReplaceFunc: Accept = (r, i) =>
  (i === 1 && r === '/') || (i === 2 && (r === '/' || r === '#' || r === '%'));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === '=';
const acceptOneColon: Accept = (r, i) => i === 1 && r === ':';
const rejectColonClose: Accept = (r) => r !== ':' && r !== '}';
const acceptSlash: Accept = (r) => r === '/';
const acceptNotSlash: Accept = (r) => r !== '/';
const acceptCasingFunc: Accept = (r, i) => (r === ',' || r === '^') && i < 3;

/** The Go scanner: reads runes, `skip` drops an escape character from the buffer itself. */
class Scanner {
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = acceptRune;

  constructor(public buf: string) {}

  read(): string {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return '';
    }
    const r = String.fromCodePoint(this.buf.codePointAt(this.pos)!);
    this.width = r.length;
    this.pos += this.width;
    return r;
  }

  unread(): void {
    this.pos -= this.width;
  }

  skip(): void {
    this.buf = this.buf.slice(0, this.pos - 1) + this.buf.slice(this.pos);
  }

  peek(): string {
    const r = this.read();
    this.unread();
    return r;
  }

  text(): string {
    return this.buf.slice(this.start, this.pos);
  }

  scan(): Token {
    this.start = this.pos;
    const r = this.read();
    if (r === '') return Token.EOF;
    if (this.scanLbrack(r)) return Token.Lbrack;
    if (this.scanRbrack(r)) return Token.Rbrack;
    if (this.scanIdent(r)) return Token.Ident;
    return Token.Illegal;
  }

  private scanIdent(r: string): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(r)) this.skip();
    else if (!this.accept(r, this.pos - this.start)) return false;
    for (;;) {
      const c = this.read();
      if (c === '') {
        this.unread();
        break;
      }
      if (this.scanLbrack(c)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(c)) {
        this.skip();
        continue;
      }
      if (!this.accept(c, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(r: string): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === '$') {
      if (this.read() === '{') return true;
      this.unread();
    }
    return false;
  }

  private scanRbrack(r: string): boolean {
    return (this.mode & SCAN_RBRACK) !== 0 && r === '}';
  }

  private scanEscaped(r: string): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === '$' && (this.escapeChars & ESCAPE_DOLLAR) !== 0 && this.peek() === '$') return true;
    if (r === '\\' && (this.escapeChars & ESCAPE_BACKSLASH) !== 0) {
      const next = this.peek();
      return next === '/' || next === '\\';
    }
    return false;
  }
}

class Parser {
  private readonly s: Scanner;

  constructor(text: string) {
    this.s = new Scanner(text);
  }

  parseAny(): Node {
    const s = this.s;
    s.accept = acceptRune;
    s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
    s.escapeChars = ESCAPE_DOLLAR;
    switch (s.scan()) {
      case Token.Ident: {
        const left: Node = { type: 'text', value: s.text() };
        const right = this.parseAny();
        return right === EMPTY ? left : { type: 'list', nodes: [left, right] };
      }
      case Token.EOF:
        return EMPTY;
      case Token.Lbrack: {
        const left = this.parseFunc();
        const right = this.parseAny();
        return right === EMPTY ? left : { type: 'list', nodes: [left, right] };
      }
      default:
        throw new SubstitutionSyntaxError('bad substitution');
    }
  }

  private parseFunc(): Node {
    const s = this.s;
    s.escapeChars = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;
    if (s.peek() === '#') return this.parseLenFunc();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new SubstitutionSyntaxError('unable to parse variable name');
    const name = s.text();
    switch (s.peek()) {
      case ':':
        return this.parseDefaultOrSubstr(name);
      case '=':
        return this.parseDefaultFunc(name);
      case ',':
      case '^':
        return this.parseCasingFunc(name);
      case '/':
        return this.parseReplaceFunc(name);
      case '#':
        return this.parseRemoveFunc(name, acceptHashFunc);
      case '%':
        return this.parseRemoveFunc(name, acceptPercentFunc);
    }
    s.accept = acceptIdent;
    s.mode = SCAN_RBRACK;
    if (s.scan() !== Token.Rbrack) throw new SubstitutionSyntaxError('missing closing brace');
    return { type: 'func', param: name, name: '', args: [] };
  }

  private parseParam(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    switch (s.scan()) {
      case Token.Lbrack:
        return this.parseFunc();
      case Token.Ident:
      case Token.Rbrack:
        return { type: 'text', value: s.text() };
      default:
        throw new SubstitutionSyntaxError('unable to parse substitution within function');
    }
  }

  private parseDefaultOrSubstr(name: string): Node {
    const s = this.s;
    s.read();
    const r = s.peek();
    s.unread();
    return r === '=' || r === '-' || r === '?' || r === '+' ? this.parseDefaultFunc(name) : this.parseSubstrFunc(name);
  }

  private funcName(accept: Accept, error = 'bad substitution'): string {
    const s = this.s;
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new SubstitutionSyntaxError(error);
    return s.text();
  }

  private parseSubstrFunc(param: string): Node {
    const s = this.s;
    const node = { type: 'func' as const, param, name: this.funcName(acceptOneColon), args: [] as Node[] };
    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));
    s.accept = acceptColon;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    const t = s.scan();
    if (t === Token.Rbrack) return node;
    if (t !== Token.Ident) throw new SubstitutionSyntaxError('bad substitution');
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseRemoveFunc(param: string, accept: Accept): Node {
    const node = { type: 'func' as const, param, name: this.funcName(accept), args: [] as Node[] };
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseReplaceFunc(param: string): Node {
    const s = this.s;
    const node = { type: 'func' as const, param, name: this.funcName(acceptReplaceFunc), args: [] as Node[] };
    node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    s.accept = acceptSlash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw new SubstitutionSyntaxError('bad substitution');
    if (s.peek() === '}') {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  private parseDefaultFunc(param: string): Node {
    const s = this.s;
    const node = {
      type: 'func' as const,
      param,
      name: this.funcName(s.peek() === '=' ? acceptOneEqual : acceptDefaultFunc, 'unable to parse default function'),
      args: [] as Node[],
    };
    for (;;) {
      if (s.peek() === '}') {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }

  private parseCasingFunc(param: string): Node {
    const node = { type: 'func' as const, param, name: this.funcName(acceptCasingFunc), args: [] };
    this.consumeRbrack();
    return node;
  }

  private parseLenFunc(): Node {
    const name = this.funcName(acceptOneHash);
    const param = this.funcName(acceptIdent);
    this.consumeRbrack();
    return { type: 'func', param, name, args: [] };
  }

  private consumeRbrack(): void {
    this.s.mode = SCAN_RBRACK;
    if (this.s.scan() !== Token.Rbrack) throw new SubstitutionSyntaxError('bad substitution');
  }
}

/**
 * Looks a variable up: its value, or undefined when it is not set. Flux's default (non-strict) mode treats an unset
 * variable as the empty string, so `${UNSET}` becomes '' and `${UNSET:=x}` becomes 'x'.
 */
export type Lookup = (name: string) => string | undefined;

/** What evaluating a text did: the result and the variables it read (in order, once each). */
export interface Evaluation {
  text: string;
  variables: string[];
}

/** Parses and evaluates `text` as Flux does (envsubst.Eval with kustomize-controller's non-strict mapping). */
export function evaluate(text: string, lookup: Lookup, options: { strict?: boolean } = {}): Evaluation {
  const root = new Parser(text).parseAny();
  const variables: string[] = [];
  const out = evalNode(
    root,
    (name) => {
      if (!variables.includes(name)) variables.push(name);
      return lookup(name);
    },
    options.strict ?? false,
  );
  return { text: out, variables };
}

/** Whether `text` may hold a substitution at all (a cheap test before parsing). */
export function mayReference(text: string): boolean {
  return text.includes('$');
}

const DEFAULT_OPS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

function evalNode(node: Node, lookup: Lookup, strict: boolean): string {
  switch (node.type) {
    case 'text':
      return node.value;
    case 'list':
      return node.nodes.map((n) => evalNode(n, lookup, strict)).join('');
    case 'func': {
      const args = node.args.map((a) => evalNode(a, lookup, strict));
      const found = lookup(node.param);
      if (strict && found === undefined && !DEFAULT_OPS.has(node.name))
        throw new SubstitutionSyntaxError(`variable not set (strict mode): "${node.param}"`);
      return funcFor(node.name, args.length)(found ?? '', args);
    }
  }
}

type Fn = (s: string, args: string[]) => string;

function funcFor(name: string, argCount: number): Fn {
  switch (name) {
    case ',':
      return (s) => (s ? firstRune(s).toLowerCase() + s.slice(firstRune(s).length) : s);
    case ',,':
      return (s) => s.toLowerCase();
    case '^':
      return (s) => (s ? firstRune(s).toUpperCase() + s.slice(firstRune(s).length) : s);
    case '^^':
      return (s) => s.toUpperCase();
    case '#':
      return argCount === 0 ? (s) => String(byteLength(s)) : (s, a) => trimShortest(s, a[0]);
    case '##':
      return (s, a) => (a.length ? trimLongest(s, a[0]) : s);
    case '%':
      return (s, a) => (a.length ? reverse(trimShortest(reverse(s), reverse(a[0]))) : s);
    case '%%':
      return (s, a) => (a.length ? reverse(trimLongest(reverse(s), reverse(a[0]))) : s);
    case ':':
      return substring;
    case '/#':
      return (s, a) => (a.length === 2 && s.startsWith(a[0]) ? a[1] + s.slice(a[0].length) : s);
    case '/%':
      return (s, a) => (a.length === 2 && s.endsWith(a[0]) ? s.slice(0, s.length - a[0].length) + a[1] : s);
    case '/':
      return (s, a) => (a.length === 0 ? s : s.replace(a[0], a[1] ?? ''));
    case '//':
      return (s, a) => (a.length === 0 ? s : s.split(a[0]).join(a[1] ?? ''));
    default:
      // `=`, `:=`, `:-`, `-`, `:?`, `:+`, `+`, `?` and a bare `${var}`: Flux maps them all to "the default when empty".
      return (s, a) => (s.length === 0 && a.length > 0 ? a.join('') : s);
  }
}

function firstRune(s: string): string {
  return String.fromCodePoint(s.codePointAt(0)!);
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function reverse(s: string): string {
  return [...s].reverse().join('');
}

function goAtoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

function substring(s: string, args: string[]): string {
  if (args.length === 0) return s;
  let pos = goAtoi(args[0]);
  if (pos === undefined) return s;
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? s.slice(pos) : '';
  const length = goAtoi(args[1]);
  if (length === undefined) return s;
  if (length < 0) {
    const end = s.length + length;
    return end < pos ? '' : s.slice(pos, end);
  }
  if (pos + length >= s.length) return pos < s.length ? s.slice(pos) : '';
  return s.slice(pos, pos + length);
}

function trimShortest(s: string, pattern: string): string {
  let shortest = '';
  for (let i = 0; i < s.length; i++) {
    const m = globMatch(pattern, s.slice(0, s.length - i));
    if (m === undefined) return s;
    if (m) shortest = s.slice(0, s.length - i);
  }
  return shortest ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, pattern: string): string {
  for (let i = 0; i < s.length; i++) {
    const m = globMatch(pattern, s.slice(0, s.length - i));
    if (m === undefined) return s;
    if (m) return s.slice(s.length - i);
  }
  return s;
}

/** envsubst/path.Match: a shell pattern against all of `name`; undefined for a malformed pattern. A trailing `*` matches everything (slashes too). */
export function globMatch(pattern: string, name: string): boolean | undefined {
  outer: while (pattern.length > 0) {
    let star = false;
    while (pattern.startsWith('*')) {
      pattern = pattern.slice(1);
      star = true;
    }
    let inRange = false;
    let i = 0;
    for (; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '\\') {
        if (i + 1 < pattern.length) i++;
      } else if (c === '[') inRange = true;
      else if (c === ']') inRange = false;
      else if (c === '*' && !inRange) break;
    }
    const chunk = pattern.slice(0, i);
    pattern = pattern.slice(i);
    if (star && chunk === '') return true;
    const first = matchChunk(chunk, name);
    if (first.ok && (first.rest.length === 0 || pattern.length > 0)) {
      name = first.rest;
      continue;
    }
    if (first.bad) return undefined;
    if (star) {
      for (let j = 0; j < name.length; j++) {
        const m = matchChunk(chunk, name.slice(j + 1));
        if (m.ok) {
          if (pattern.length === 0 && m.rest.length > 0) continue;
          name = m.rest;
          continue outer;
        }
        if (m.bad) return undefined;
      }
    }
    return false;
  }
  return name.length === 0;
}

function matchChunk(chunk: string, s: string): { ok: boolean; rest: string; bad?: true } {
  while (chunk.length > 0) {
    if (s.length === 0) return { ok: false, rest: s };
    const c = chunk[0];
    if (c === '[') {
      const r = firstRune(s);
      s = s.slice(r.length);
      chunk = chunk.slice(1);
      let notNegated = true;
      if (chunk.startsWith('^')) {
        notNegated = false;
        chunk = chunk.slice(1);
      }
      let match = false;
      let ranges = 0;
      for (;;) {
        if (chunk.startsWith(']') && ranges > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = escaped(chunk);
        if (!lo) return { ok: false, rest: s, bad: true };
        chunk = lo.rest;
        let hi = lo.r;
        if (chunk[0] === '-') {
          const h = escaped(chunk.slice(1));
          if (!h) return { ok: false, rest: s, bad: true };
          hi = h.r;
          chunk = h.rest;
        }
        if (lo.r <= r && r <= hi) match = true;
        ranges++;
      }
      if (match !== notNegated) return { ok: false, rest: s };
    } else if (c === '?') {
      s = s.slice(firstRune(s).length);
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return { ok: false, rest: s, bad: true };
      }
      if (chunk[0] !== s[0]) return { ok: false, rest: s };
      s = s.slice(1);
      chunk = chunk.slice(1);
    }
  }
  return { ok: true, rest: s };
}

function escaped(chunk: string): { r: string; rest: string } | undefined {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') return undefined;
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return undefined;
  }
  const r = firstRune(chunk);
  return { r, rest: chunk.slice(r.length) };
}
