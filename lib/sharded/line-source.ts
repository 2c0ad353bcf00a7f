// Lines as byte ranges of a reused buffer (no string per line): the fast path of stages that scan or route whole
// segments. WindowLines (window-lines.ts) is the implementation; parallel encoding takes any source of this shape.
export interface LineSource {
  /** Advances to the next line; false at the end. */
  next(): boolean;
  /** The current line is line[lineStart, lineEnd) (no newline, no trailing \r), valid until the next next(). */
  readonly line: Buffer;
  readonly lineStart: number;
  readonly lineEnd: number;
  close(): void;
}
