/**
 * The repo files `lintRepository` reads: each read and parsed once (several checks and environments look at the
 * same file), and the spans findings point at, from the `yaml` library's node ranges.
 */
import { isMap, isScalar, LineCounter, parseAllDocuments, type Node } from 'yaml';
import type { SourceLocation } from '../model/location';
import type { FileSystem } from '../ports';
import { RecordingFileSystem } from '../recordingFileSystem';
import { nodesStartingAt, offsetAt, type YamlFile } from '../yaml/yamlText';
import { joinPath } from '../repo/config';
import { MAX_YAML_DEPTH, tooDeepAt } from '../yaml/yamlDepth';
import type { LintRange } from './finding';

/** A YAML file as lint sees it: parsed, malformed (with the span of the first error) or absent. */
export type LintedYaml =
  | { status: 'parsed'; yaml: YamlFile }
  | { status: 'malformed'; text: string; message: string; range: LintRange }
  | { status: 'unreadable' };

/** Reads and parses repo files once per lint run; paths are repo-relative. */
export class LintFiles {
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private readonly parsed = new Map<string, Promise<LintedYaml>>();
  private readonly fs: RecordingFileSystem;

  constructor(
    fs: FileSystem,
    private readonly repoRoot: string,
  ) {
    this.fs = new RecordingFileSystem(fs, repoRoot);
  }

  /** Every repo-relative file read (that existed). */
  get read(): string[] {
    return this.fs.filesRead();
  }

  /** The file's text; undefined when it cannot be read. */
  text(file: string): Promise<string | undefined> {
    let text = this.texts.get(file);
    if (!text) {
      text = this.fs.readFile(joinPath(this.repoRoot, file)).catch(() => undefined);
      this.texts.set(file, text);
    }
    return text;
  }

  /** The file parsed as (multi-document) YAML. */
  yaml(file: string): Promise<LintedYaml> {
    let parsed = this.parsed.get(file);
    if (!parsed) {
      parsed = this.text(file).then((text) =>
        text === undefined ? { status: 'unreadable' } : parseLinted(file, text),
      );
      this.parsed.set(file, parsed);
    }
    return parsed;
  }

  /**
   * The span to underline for a location the renderer reported (a YAML node's start): the first key of a map that
   * starts there (a document, a list entry), else the scalar value of a key that starts there (or the key), else the
   * scalar; inside embedded text (an inline patch), where no node of the file starts, the rest of the line. Line 0
   * (file-level problems) is the file's first position.
   */
  async rangeAt(at: SourceLocation): Promise<LintRange> {
    if (at.line < 1) return { file: at.file, line: 1, column: 1, endLine: 1, endColumn: 1 };
    const parsed = await this.yaml(at.file);
    if (parsed.status === 'parsed') {
      const found = nodesStartingAt(parsed.yaml, offsetAt(parsed.yaml, at.line, at.column));
      // A map starting here (a document, a list entry) is marked by its first key; a key alone by its value.
      const startsMap = found.some((f) => isMap(f.node));
      const key = found.find((f) => f.pair && f.pair.key === f.node);
      if (key)
        return nodeRange(parsed.yaml, !startsMap && isScalar(key.pair!.value) ? (key.pair!.value as Node) : key.node);
      const scalar = found.find((f) => isScalar(f.node));
      if (scalar) return nodeRange(parsed.yaml, scalar.node);
    }
    const text =
      parsed.status === 'parsed' ? parsed.yaml.text : parsed.status === 'malformed' ? parsed.text : undefined;
    return restOfLine(at, text);
  }

  /**
   * The span of key `key` at a location the renderer reported for its value (the renderer marks a scalar by its
   * key and a block map by its first line): what a finding about a field underlines. `rangeAt`'s span when no such
   * key is there (embedded text).
   */
  async keyRangeAt(at: SourceLocation, key: string): Promise<LintRange> {
    const parsed = at.line < 1 ? undefined : await this.yaml(at.file);
    if (parsed?.status === 'parsed') {
      const named = (f: { pair?: { key: unknown } }) => isScalar(f.pair?.key) && String(f.pair.key.value) === key;
      const found = nodesStartingAt(parsed.yaml, offsetAt(parsed.yaml, at.line, at.column));
      const pair =
        found.find((f) => named(f) && f.pair!.key === f.node) ??
        found.find((f) => named(f) && f.pair!.value === f.node);
      if (pair) return nodeRange(parsed.yaml, pair.pair!.key as Node);
    }
    return this.rangeAt(at);
  }
}

/** Parses YAML text; the first syntax error (duplicate keys included, as go-yaml refuses them) makes it malformed. */
export function parseLinted(file: string, text: string): LintedYaml {
  const lines = new LineCounter();
  const tooDeep = tooDeepAt(text);
  if (tooDeep !== undefined) {
    // The parser would overflow its stack first: malformed at the bracket that goes too deep, as go-yaml says.
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < tooDeep; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    return {
      status: 'malformed',
      text,
      message: `nested deeper than ${MAX_YAML_DEPTH} levels (exceeded max depth of ${MAX_YAML_DEPTH})`,
      range: spanOf(file, lines, tooDeep, tooDeep + 1),
    };
  }
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const error = list.flatMap((d) => d.errors)[0];
  if (!error) return { status: 'parsed', yaml: { file, text, docs: list, lines } };
  const start = Math.min(error.pos[0], text.length);
  const end = Math.min(error.pos[1], text.length);
  // A zero-width error position still marks one character, unless it sits at a line break or the end of the text.
  const stop =
    end > start ? end : start < text.length && text[start] !== '\n' && text[start] !== '\r' ? start + 1 : start;
  return { status: 'malformed', text, message: error.message.split('\n')[0], range: spanOf(file, lines, start, stop) };
}

/** The span of a node's value (from its first character to the end of its value, comments excluded). */
export function nodeRange(yaml: YamlFile, node: Node): LintRange {
  const [start, end] = node.range ?? [0, 0];
  return spanOf(yaml.file, yaml.lines, start, end);
}

function spanOf(file: string, lines: LineCounter, start: number, end: number): LintRange {
  const a = lines.linePos(start);
  const b = lines.linePos(end);
  return { file, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/** From the column to the line's last non-blank character (the whole line from its first character if column is 0). */
function restOfLine(at: SourceLocation, text: string | undefined): LintRange {
  const line = text?.split('\n')[at.line - 1]?.replace(/\r$/, '').trimEnd() ?? '';
  const column = at.column > 0 ? at.column : line.length - line.trimStart().length + 1;
  return { file: at.file, line: at.line, column, endLine: at.line, endColumn: Math.max(column, line.length + 1) };
}
