// Streams rows of token ids into tokens.bin / index.bin (and labels.bin). Rows are appended synchronously into large
// buffers that are written on libuv's threadpool (lib/sharded/buffered-file.ts) while encoding goes on; the caller
// awaits drain() now and then, which bounds the buffers in flight, so memory stays bounded whatever the corpus size.
// Bytes are a pure function of the rows: deterministic.
import { mkdir } from "node:fs/promises";
import { endianness } from "node:os";
import { join } from "node:path";
import { writeArtifactMeta } from "../sharded/artifact-meta.js";
import { BufferedFile } from "../sharded/buffered-file.js";
import { INDEX_FILE, LABELS_FILE, TOKENS_FILE, type TokenDtype, type TokenIds, type TokenShardsMeta } from "./token-shards-format.js";

const STAGE_IDS = 1 << 16; // ids converted to the on-disk dtype in batches of this many

export class TokenShardsWriter {
  private tokens!: BufferedFile;
  private index!: BufferedFile;
  private labels?: BufferedFile;
  private offset = 0;
  /** Row ids in their on-disk dtype, waiting to be copied into the tokens file's buffer. */
  private readonly staged: Uint16Array | Uint32Array;
  private stagedLen = 0;
  /** Row offsets as uint64 LE, written as two uint32 halves: no BigInt per row. */
  private readonly offsets = new Uint32Array(2 * 4096);
  private offsetsLen = 0;
  count = 0;

  constructor(
    private readonly dir: string,
    private readonly dtype: TokenDtype,
    private readonly withLabels = false,
  ) {
    if (endianness() !== "LE") throw new Error("token shards are little-endian; this machine is big-endian");
    this.staged = dtype === "uint16" ? new Uint16Array(STAGE_IDS) : new Uint32Array(STAGE_IDS);
  }

  async open(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    this.tokens = new BufferedFile(join(this.dir, TOKENS_FILE));
    this.index = new BufferedFile(join(this.dir, INDEX_FILE), 1 << 20);
    if (this.withLabels) this.labels = new BufferedFile(join(this.dir, LABELS_FILE), 1 << 20);
    this.pushOffset();
    return this;
  }

  get totalTokens(): number {
    return this.offset;
  }

  /** Appends one row, ids[start, end) (copied; the caller may reuse the array). Call drain() between batches of rows. */
  writeRow(ids: Uint32Array, label?: number, start = 0, end = ids.length): void {
    let i = start;
    while (i < end) {
      const n = Math.min(end - i, this.staged.length - this.stagedLen);
      const staged = this.staged;
      // narrows to uint16 when that is the dtype; a loop for short rows (set(subarray()) allocates a view)
      if (n < 256) for (let j = 0, s = this.stagedLen; j < n; j++) staged[s + j] = ids[i + j];
      else staged.set(ids.subarray(i, i + n), this.stagedLen);
      this.stagedLen += n;
      i += n;
      if (this.stagedLen === staged.length) this.flushStaged();
    }
    this.offset += end - start;
    this.count++;
    this.pushOffset();
    if (this.labels) this.labels.write(new Uint8Array(Int32Array.of(label ?? -1).buffer));
  }

  /**
   * Appends ids[start, end), already in the on-disk dtype, as rows of `lengths[i]` ids each (or of `lengths` ids each):
   * one copy into the file's buffer, no staging. Rows without labels only.
   */
  writeRows(ids: TokenIds, start: number, end: number, lengths: ArrayLike<number> | number): void {
    const size = this.staged.BYTES_PER_ELEMENT;
    if (ids.BYTES_PER_ELEMENT !== size) throw new Error(`token shards: ${ids.BYTES_PER_ELEMENT * 8}-bit ids given to a ${this.dtype} writer`);
    if (this.labels) throw new Error("token shards: writeRows() has no labels; use writeRow()");
    this.flushStaged(); // keeps the order of ids given to writeRow() before
    this.tokens.write(new Uint8Array(ids.buffer, ids.byteOffset + start * size, (end - start) * size));
    const at = this.offset;
    if (typeof lengths === "number") {
      for (let o = start + lengths; o <= end; o += lengths) this.endRow(lengths);
    } else for (let i = 0; i < lengths.length; i++) this.endRow(lengths[i]);
    if (this.offset - at !== end - start) throw new Error(`token shards: rows of ${this.offset - at} ids given with ${end - start} ids`);
  }

  private endRow(length: number): void {
    this.offset += length;
    this.count++;
    this.pushOffset();
  }

  private pushOffset(): void {
    const lo = this.offset >>> 0;
    this.offsets[this.offsetsLen++] = lo;
    this.offsets[this.offsetsLen++] = (this.offset - lo) / 0x100000000;
    if (this.offsetsLen === this.offsets.length) this.flushOffsets();
  }

  private flushStaged(): void {
    const s = this.staged;
    this.tokens.write(new Uint8Array(s.buffer, s.byteOffset, this.stagedLen * s.BYTES_PER_ELEMENT));
    this.stagedLen = 0;
  }

  private flushOffsets(): void {
    this.index.write(new Uint8Array(this.offsets.buffer, 0, this.offsetsLen * 4));
    this.offsetsLen = 0;
  }

  /** Backpressure: resolves when few buffers wait to be written (up to 4 of tokens: 16 MiB that ride out a slow write). */
  async drain(): Promise<void> {
    await this.tokens.drain(4);
    await this.index.drain();
    await this.labels?.drain();
  }

  async close(meta: TokenShardsMeta): Promise<void> {
    this.flushStaged();
    this.flushOffsets();
    await this.tokens.close();
    await this.index.close();
    await this.labels?.close();
    await writeArtifactMeta(this.dir, meta);
  }
}
