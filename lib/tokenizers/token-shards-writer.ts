// Streams rows of token ids into tokens.bin / index.bin (and labels.bin) through fixed-size buffers, so memory
// stays bounded whatever the corpus size. Bytes are a pure function of the rows: deterministic.
import { open, writeFile, mkdir, type FileHandle } from "node:fs/promises";
import { endianness } from "node:os";
import { join } from "node:path";
import { INDEX_FILE, LABELS_FILE, META_FILE, TOKENS_FILE, type TokenDtype, type TokenShardsMeta } from "./token-shards-format.js";

const FLUSH_BYTES = 1 << 20;

class BufferedFile {
  private buf = Buffer.alloc(FLUSH_BYTES * 2);
  private used = 0;
  constructor(private readonly fh: FileHandle) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (this.used + bytes.length > this.buf.length) await this.flush();
    if (bytes.length > this.buf.length) {
      await this.fh.write(bytes);
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
    if (this.used >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.used) await this.fh.write(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh.close();
  }
}

export class TokenShardsWriter {
  private tokens!: BufferedFile;
  private index!: BufferedFile;
  private labels?: BufferedFile;
  private offset = 0;
  count = 0;

  constructor(private readonly dir: string, private readonly dtype: TokenDtype, private readonly withLabels = false) {
    if (endianness() !== "LE") throw new Error("token shards are little-endian; this machine is big-endian");
  }

  async open(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    this.tokens = new BufferedFile(await open(join(this.dir, TOKENS_FILE), "w"));
    this.index = new BufferedFile(await open(join(this.dir, INDEX_FILE), "w"));
    if (this.withLabels) this.labels = new BufferedFile(await open(join(this.dir, LABELS_FILE), "w"));
    await this.writeOffset();
    return this;
  }

  get totalTokens(): number {
    return this.offset;
  }

  async writeRow(ids: Uint32Array, label?: number): Promise<void> {
    const typed = this.dtype === "uint16" ? Uint16Array.from(ids) : ids;
    await this.tokens.write(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    this.offset += ids.length;
    this.count++;
    await this.writeOffset();
    if (this.labels) await this.labels.write(new Uint8Array(Int32Array.of(label ?? -1).buffer));
  }

  private async writeOffset(): Promise<void> {
    await this.index.write(new Uint8Array(BigUint64Array.of(BigInt(this.offset)).buffer));
  }

  async close(meta: TokenShardsMeta): Promise<void> {
    await this.tokens.close();
    await this.index.close();
    await this.labels?.close();
    await writeFile(join(this.dir, META_FILE), JSON.stringify(meta, null, 2) + "\n");
  }
}
