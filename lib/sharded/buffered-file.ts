// Append-only file writer: fills 4 MiB buffers synchronously and writes full ones on libuv's threadpool, so disk
// writes overlap with the caller's parsing (measured on FASTA → fragments → segments, 220 Mbp: see bench/genome.ts).
// Segments are small (hundreds of bytes): batching also avoids a stream write and a promise per segment.
// Memory: the caller awaits drain() between input chunks, which bounds the buffers in flight.
// Each buffer is hashed as it is handed over, so the engine need not read the file back for the manifest
// (written-digests.ts). No fdatasync here: the store syncs the whole output before publishing it, and by then the
// kernel has written most of it back (measured on a 5.9 GB token shard: syncing every 64 MiB while writing made the
// stage 5 s slower, syncing once at publish cost 0.5 s).
import { createHash } from "node:crypto";
import { close, openSync, write } from "node:fs";
import { recordWrittenDigest } from "./written-digests.js";

export class BufferedFile {
  private readonly fd: number;
  private buf: Buffer;
  private used = 0;
  private readonly queue: Array<{ buf: Buffer; len: number }> = [];
  private readonly free: Buffer[] = [];
  private writing = false;
  private error?: Error;
  private waiters: Array<() => void> = [];
  private readonly hash = createHash("sha256");
  /** Bytes written so far (buffered included). */
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly bufferSize = 4 << 20,
  ) {
    this.fd = openSync(path, "w");
    this.buf = Buffer.allocUnsafe(bufferSize);
  }

  write(src: Uint8Array, start = 0, end = src.length): void {
    while (start < end) {
      const n = Math.min(end - start, this.buf.length - this.used);
      this.buf.set(src.subarray(start, start + n), this.used);
      this.used += n;
      this.bytes += n;
      start += n;
      if (this.used === this.buf.length) this.flush();
    }
  }

  writeByte(b: number): void {
    this.buf[this.used++] = b;
    this.bytes++;
    if (this.used === this.buf.length) this.flush();
  }

  writeString(s: string): void {
    const b = Buffer.from(s, "latin1");
    this.write(b, 0, b.length);
  }

  /** Hands the current buffer to the writer thread. */
  flush(): void {
    if (this.used === 0) return;
    this.hash.update(this.buf.subarray(0, this.used));
    this.queue.push({ buf: this.buf, len: this.used });
    this.buf = this.free.pop() ?? Buffer.allocUnsafe(this.bufferSize);
    this.used = 0;
    this.pump();
  }

  /** Resolves once at most `maxQueued` full buffers wait to be written. */
  async drain(maxQueued = 2): Promise<void> {
    while (this.queue.length > maxQueued && !this.error) await new Promise<void>((r) => this.waiters.push(r));
    if (this.error) throw this.error;
  }

  async close(): Promise<void> {
    this.flush();
    await this.drain(0);
    while (this.writing) await new Promise<void>((r) => this.waiters.push(r));
    await new Promise<void>((res, rej) => close(this.fd, (e) => (e ? rej(e) : res())));
    if (this.error) throw this.error;
    recordWrittenDigest(this.path, this.hash.digest("hex"));
  }

  private pump(): void {
    if (this.writing || this.error) return;
    const job = this.queue[0];
    if (!job) return;
    this.writing = true;
    const step = (off: number) =>
      write(this.fd, job.buf, off, job.len - off, null, (err, n) => {
        if (err) this.error = err;
        else if (off + n < job.len) return step(off + n);
        this.writing = false;
        this.queue.shift();
        if (this.free.length < 4) this.free.push(job.buf); // reused: a fresh 4 MiB buffer costs page faults
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
        this.pump();
      });
    step(0);
  }
}
