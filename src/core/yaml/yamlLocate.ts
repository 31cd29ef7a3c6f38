import { LineCounter, type Node } from 'yaml';
import type { SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';

/** Turns offsets in one parsed file into repo-relative `file:line:col` locations. */
export class FileLocator {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  /** The location of a character offset (line and column 1-based). */
  at(offset: number): SourceLocation {
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  /** The location where a node starts; line 1 column 1 when the node has no range (e.g. an absent value). */
  of(node: Node | null | undefined): SourceLocation {
    return node?.range ? this.at(node.range[0]) : { file: this.file, line: 1, column: 1 };
  }

  /** An error Problem at a node. */
  error(node: Node | null | undefined, message: string): Problem {
    return { severity: 'error', message, location: this.of(node) };
  }

  /** A warning Problem at a node. */
  warning(node: Node | null | undefined, message: string): Problem {
    return { severity: 'warning', message, location: this.of(node) };
  }
}

/**
 * A locator for a document built in memory (an Application an ApplicationSet generates): every node is at one place,
 * the generator entry that produced it.
 */
export class FixedLocator extends FileLocator {
  constructor(private readonly where: SourceLocation) {
    super(where.file, new LineCounter());
  }

  override at(): SourceLocation {
    return this.where;
  }

  override of(): SourceLocation {
    return this.where;
  }
}
