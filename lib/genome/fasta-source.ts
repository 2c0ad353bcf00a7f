// Opens a genome file (plain FASTA, gzip/bgzip FASTA, or UCSC .2bit) as a stream of FASTA bytes.
// gzip: node's zlib, which decodes multi-member gzip (so bgzip) sequentially; it runs on libuv's threadpool, so
// inflating overlaps with parsing on the main thread. @gmod/bgzf-filehandle and @gmod/indexedfasta read regions
// through .gzi/.fai indexes; a full pass needs no index, and NCBI's .fna.gz and UCSC's hg38.fa.gz are plain gzip,
// which they cannot read. .2bit: @gmod/twobit.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { StageInputError } from "../../core/errors.js";

export type GenomeFileFormat = "fasta" | "gzip" | "2bit";

const CHUNK = 1 << 20;
const TWOBIT_MAGIC = [0x1a412743, 0x4327411a];

export async function detectFormat(path: string): Promise<GenomeFileFormat> {
  const fh = await open(path, "r");
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return "gzip";
    if (bytesRead === 4 && TWOBIT_MAGIC.includes(b.readUInt32LE(0))) return "2bit";
    return "fasta";
  } finally {
    await fh.close();
  }
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Called with the bytes of the file read so far (compressed bytes for gzip) and the file size. */
  onProgress?: (done: number, total: number) => void;
}

/** Yields the file's FASTA bytes in chunks of about 1 MiB. A chunk is only valid until the next one is requested. */
export async function* fastaBytes(path: string, opts: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  const format = await detectFormat(path);
  const size = (await stat(path)).size;
  if (format === "2bit") {
    yield* twoBitAsFasta(path, size, opts);
    return;
  }
  if (format === "fasta") {
    yield* fileChunks(path, size, opts);
    return;
  }
  const file = createReadStream(path, { highWaterMark: CHUNK, signal: opts.signal });
  let read = 0;
  file.on("data", (d) => {
    read += d.length;
    opts.onProgress?.(read, size);
  });
  const source = file.pipe(createGunzip({ chunkSize: CHUNK, highWaterMark: 8 * CHUNK } as never));
  file.on("error", (e) => source.destroy(e));
  try {
    for await (const chunk of source) yield chunk as Buffer;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.name === "AbortError") throw e;
    if (err.code === "Z_BUF_ERROR" || err.code === "Z_DATA_ERROR" || /zlib|unexpected end/i.test(err.message))
      throw new StageInputError(`${path}: truncated or corrupt gzip data after ${read} compressed bytes (${err.message})`);
    throw e;
  } finally {
    file.destroy();
  }
}

/**
 * Plain files: two reused 1 MiB buffers, the next read already running while the consumer parses the current chunk
 * (so reading allocates nothing and overlaps parsing). The consumer must be done with a chunk before asking for the
 * next, as the FASTA parser is.
 */
export async function* fileChunks(path: string, size: number, opts: ReadOptions = {}): AsyncGenerator<Buffer> {
  const fh = await open(path, "r");
  const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let position = 0;
  const readInto = (buf: Buffer) => {
    const p = fh.read(buf, 0, CHUNK, position).then((r) => r.bytesRead);
    position += CHUNK;
    return p;
  };
  let pending = readInto(bufs[0]);
  pending.catch(() => {}); // awaited below; avoids an unhandled rejection if the consumer stops early
  let done = 0;
  try {
    for (let k = 0; ; k ^= 1) {
      opts.signal?.throwIfAborted();
      const n = await pending;
      if (n === 0) return;
      pending = readInto(bufs[k ^ 1]);
      pending.catch(() => {});
      done += n;
      opts.onProgress?.(done, size);
      yield bufs[k].subarray(0, n);
    }
  } finally {
    await pending.catch(() => 0);
    await fh.close();
  }
}

async function* twoBitAsFasta(path: string, size: number, opts: ReadOptions): AsyncGenerator<Uint8Array> {
  // Loaded on demand: importing @gmod/twobit costs ~40 ms of startup that FASTA inputs do not need.
  const { TwoBitFile } = await import("@gmod/twobit");
  const tb = new TwoBitFile({ path });
  let names: string[];
  try {
    names = await tb.getSequenceNames();
  } catch (e) {
    throw new StageInputError(`${path}: unreadable .2bit file (${(e as Error).message})`);
  }
  // A damaged header makes the reader allocate absurd arrays ("Invalid typed array length: 250964804483"): say what it is.
  const corrupt = (e: unknown) =>
    e instanceof StageInputError || (e as Error).name === "AbortError" ? e : new StageInputError(`${path}: corrupt .2bit file (${(e as Error).message})`);
  const sizes = await tb.getSequenceSizes().catch((e) => Promise.reject(corrupt(e)));
  for (const name of names) {
    // Two bits per base: no record can hold more bases than four per byte of the whole file.
    if (!(sizes[name] >= 0 && sizes[name] <= 4 * size))
      throw new StageInputError(`${path}: corrupt .2bit file: record '${name}' claims ${sizes[name]} bases, but the file has only ${size} bytes`);
  }
  const total = names.reduce((a, n) => a + sizes[n], 0);
  let done = 0;
  for (const name of names) {
    yield Buffer.from(`>${name}\n`, "latin1");
    for (let s = 0; s < sizes[name]; s += CHUNK) {
      opts.signal?.throwIfAborted();
      const seq = (await tb.getSequence(name, s, Math.min(sizes[name], s + CHUNK)).catch((e) => Promise.reject(corrupt(e)))) ?? "";
      done += seq.length;
      opts.onProgress?.(Math.round((done / Math.max(1, total)) * size), size);
      yield Buffer.from(seq, "latin1");
    }
    yield Buffer.from("\n", "latin1");
  }
}
