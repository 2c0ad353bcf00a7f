// Reads a file's lines as byte ranges of large chunks (no string per line): the fast path for stages that route whole
// lines (genome/split). Reads are synchronous 4 MiB chunks: the caller is a stage's own process, and its writes
// (BufferedFile) run on the threadpool meanwhile.
import { closeSync, openSync, readSync } from "node:fs";

export class LineScanner {
  private readonly fd: number;
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private eof = false;
  /** The current line: buf[lineStart, lineEnd) (no newline, no trailing \r). Valid until the next next(). */
  line: Buffer = Buffer.alloc(0);
  lineStart = 0;
  lineEnd = 0;

  constructor(readonly path: string, private readonly chunk = 4 << 20) {
    this.fd = openSync(path, "r");
    this.buf = Buffer.allocUnsafe(chunk);
  }

  /** Advances to the next line; false at the end of the file. */
  next(): boolean {
    for (;;) {
      const nl = this.buf.indexOf(10, this.start);
      if (nl >= 0 && nl < this.end) {
        this.set(this.start, nl);
        this.start = nl + 1;
        return true;
      }
      if (this.eof) {
        if (this.start < this.end) {
          this.set(this.start, this.end); // a last line without a newline
          this.start = this.end;
          return true;
        }
        return false;
      }
      this.fill();
    }
  }

  private set(s: number, e: number): void {
    if (e > s && this.buf[e - 1] === 13) e--;
    this.line = this.buf;
    this.lineStart = s;
    this.lineEnd = e;
  }

  /** Moves the unread tail to the front (growing the buffer for a line longer than it) and reads more. */
  private fill(): void {
    const rest = this.end - this.start;
    if (rest === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else if (this.start > 0) this.buf.copy(this.buf, 0, this.start, this.end);
    this.start = 0;
    this.end = rest;
    const n = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
    if (n === 0) this.eof = true;
    this.end += n;
  }

  close(): void {
    closeSync(this.fd);
  }
}
