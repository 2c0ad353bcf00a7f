// Reads the lines of a file that start inside given byte windows, in order (a window's first partial line is skipped,
// its last line is read whole even past its end): the reader of bounded samples (lib/segments/bounded-sample.ts) and
// of segments artifacts that select byte ranges of shared shards (segments format 2, genome/split). The LineSource
// shape (next(), line[lineStart, lineEnd), close()), plus each line's file offsets. Windows that follow one another
// closely are served from the same buffer.
import { closeSync, openSync, readSync } from "node:fs";
import type { LineSource } from "./line-source.js";

/** Bytes read past the last window for the line that crosses its end: enough for most lines in one read. */
const TAIL_READ = 1 << 16;

/** A byte range [offset, offset + bytes) of a file; bytes may be Infinity (to the end of the file). */
export interface ByteWindow {
  offset: number;
  bytes: number;
}

export class WindowLines implements LineSource {
  private readonly fd: number;
  private buf: Buffer;
  /** File offset of buf[0]. */
  private bufPos = 0;
  private start = 0;
  private end = 0;
  private eof = false;
  private w = -1;
  private windowEnd = 0;
  /** The end of the last window: reads stop TAIL_READ past it, not a whole buffer past it. */
  private readonly readEnd: number;
  /** The current line: line[lineStart, lineEnd) (no newline, no trailing \r). Valid until the next next(). */
  line: Buffer;
  lineStart = 0;
  lineEnd = 0;
  /** File offset of the current line's first byte, and of the byte after its newline. */
  lineOffset = 0;
  nextOffset = 0;

  constructor(
    readonly path: string,
    private readonly windows: readonly ByteWindow[],
    /** Bytes read at a time, or a buffer to read into (a caller reading many windows one after the other reuses one). */
    chunk: number | Buffer = 1 << 16,
  ) {
    this.readEnd = windows.reduce((m, w) => Math.max(m, w.offset + w.bytes), 0);
    this.fd = openSync(path, "r");
    this.buf = this.line = typeof chunk === "number" ? Buffer.allocUnsafe(chunk) : chunk;
  }

  /** Advances to the next line; false after the last window. */
  next(): boolean {
    for (;;) {
      if (this.w >= 0 && this.bufPos + this.start < this.windowEnd && this.available()) {
        const nl = this.find();
        const e = nl >= 0 ? nl : this.end; // a last line without a newline
        this.lineOffset = this.bufPos + this.start;
        this.lineStart = this.start;
        this.lineEnd = e > this.start && this.buf[e - 1] === 13 ? e - 1 : e;
        this.line = this.buf;
        this.start = nl >= 0 ? nl + 1 : this.end;
        this.nextOffset = this.bufPos + this.start;
        return true;
      }
      if (++this.w >= this.windows.length) return false;
      const { offset, bytes } = this.windows[this.w];
      this.windowEnd = offset + bytes;
      if (offset === 0) this.seek(0);
      else {
        // the first line that begins at or after offset: after the newline at or after offset - 1
        this.seek(offset - 1);
        if (!this.available()) continue;
        const nl = this.find();
        this.start = nl >= 0 ? nl + 1 : this.end;
      }
    }
  }

  /** Whether unread bytes remain at `start` (reading more when the buffer is used up). */
  private available(): boolean {
    if (this.start < this.end) return true;
    if (this.eof) return false;
    this.fill();
    return this.start < this.end;
  }

  /** The index of the newline ending the line at `start`, reading on (growing the buffer) until found; -1 at EOF. */
  private find(): number {
    for (;;) {
      const nl = this.buf.indexOf(10, this.start);
      if (nl >= 0 && nl < this.end) return nl;
      if (this.eof) return -1;
      this.fill();
    }
  }

  /** Positions at file offset pos: within the buffered bytes when they hold it, else with an empty buffer there. */
  private seek(pos: number): void {
    if (pos >= this.bufPos && pos <= this.bufPos + this.end) {
      this.start = pos - this.bufPos;
      return;
    }
    this.bufPos = pos;
    this.start = this.end = 0;
    this.eof = false;
  }

  /** Moves the unread tail to the front (growing the buffer for a long line) and reads more. */
  private fill(): void {
    const rest = this.end - this.start;
    if (rest === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else if (this.start > 0) this.buf.copy(this.buf, 0, this.start, this.end);
    this.bufPos += this.start;
    this.start = 0;
    this.end = rest;
    const pos = this.bufPos + this.end;
    const n = readSync(this.fd, this.buf, this.end, Math.min(this.buf.length - this.end, Math.max(this.readEnd - pos, TAIL_READ)), pos);
    if (n === 0) this.eof = true;
    this.end += n;
  }

  close(): void {
    closeSync(this.fd);
  }
}
