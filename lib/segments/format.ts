// The segments artifact: a directory of text shards, one DNA segment per line, plus meta.json.
// Chosen for streaming in TS, trivial reading in Python (`for line in open(p)`), and 1 byte per base.
//
//   meta.json          {"format":"dnaflow.segments/1","count":N,"bases":B,"shards":[{"file","count","bases"}],...}
//   part-00000.seq     "ACGT...\n" per segment (uppercase A/C/G/T/N; lowercase only if soft-masking was kept)
//   part-00000.bed     optional, line i = origin of segment i in the .seq beside it, BED6:
//                      "record\tstart\tend\t.\t0\tstrand\n" (0-based, half-open; strand "-" = reverse complement).
//                      Present for every shard (shards[i].origins names it) or for none.
import { createReadStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { JsonValue } from "../../core/json.js";
import { writeArtifactMeta } from "../sharded/artifact-meta.js";
import type { LineScanner } from "../sharded/line-scanner.js";
import { readArtifactMeta, shardScanners } from "../sharded/reader.js";
import { ShardRotation } from "../sharded/shard-rotation.js";

export const SEGMENTS_FORMAT = "dnaflow.segments/1";

export interface SegmentShardInfo {
  file: string;
  count: number;
  bases: number;
  /** BED6 file with one origin per segment, when the producer recorded origins. */
  origins?: string;
}

export interface SegmentsMeta {
  format: typeof SEGMENTS_FORMAT;
  count: number;
  bases: number;
  shards: SegmentShardInfo[];
  /** Free-form provenance written by the producing stage (params, source stats). */
  info?: Record<string, JsonValue>;
}

/** Where a segment comes from: record name, 0-based half-open [start, end) in the record, strand. */
export interface SegmentOrigin {
  record: string;
  start: number;
  end: number;
  strand: "+" | "-";
}

/** Writes segments into shards of at most `shardBases` bases each; call close() to write meta.json. */
export class SegmentsWriter {
  private readonly shards: ShardRotation<SegmentShardInfo, "seq" | "bed">;
  private withOrigins?: boolean;

  constructor(private readonly dir: string, shardBases = 64 << 20) {
    this.shards = new ShardRotation(dir, shardBases, (base) => {
      const info: SegmentShardInfo = { file: `${base}.seq`, count: 0, bases: 0 };
      if (this.withOrigins) info.origins = `${base}.bed`;
      return { info, files: { seq: info.file, bed: info.origins }, bufferSizes: { bed: 1 << 20 } };
    });
  }

  async open(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    return this;
  }

  async write(segment: string, origin?: SegmentOrigin): Promise<void> {
    const b = Buffer.from(segment, "latin1");
    this.append(b, 0, b.length, origin);
    await this.drain();
  }

  /** Synchronous fast path: writes bytes[start, end) as one segment. */
  append(bytes: Uint8Array, start: number, end: number, origin?: SegmentOrigin): void {
    this.writeSequence(bytes, start, end, origin !== undefined);
    if (origin) this.shards.files.bed!.writeString(`${origin.record}\t${origin.start}\t${origin.end}\t.\t0\t${origin.strand}\n`);
  }

  /**
   * Appends one segment and its origin as raw lines (BED6 bytes without the newline, as another SegmentsWriter wrote
   * them): routing segments between artifacts without decoding them.
   */
  appendRaw(seq: Uint8Array, seqStart: number, seqEnd: number, bed?: { bytes: Uint8Array; start: number; end: number }): void {
    this.writeSequence(seq, seqStart, seqEnd, bed !== undefined);
    if (bed) {
      const f = this.shards.files.bed!;
      f.write(bed.bytes, bed.start, bed.end);
      f.writeByte(10);
    }
  }

  /** The sequence line of one segment, in the current shard (a new one once it holds shardBases). */
  private writeSequence(bytes: Uint8Array, start: number, end: number, hasOrigin: boolean): void {
    this.withOrigins ??= hasOrigin;
    if (this.withOrigins !== hasOrigin) throw new Error("segments: give an origin for every segment or for none");
    const info = this.shards.current();
    info.count++;
    info.bases += end - start;
    const seq = this.shards.files.seq!;
    seq.write(bytes, start, end);
    seq.writeByte(10);
  }

  /** Backpressure for append(): resolves when the bytes in flight are few again. */
  async drain(): Promise<void> {
    await this.shards.drain();
  }

  async close(info?: Record<string, JsonValue>): Promise<SegmentsMeta> {
    const { count, bases } = await this.shards.close();
    const meta: SegmentsMeta = { format: SEGMENTS_FORMAT, count, bases, shards: this.shards.shards, ...(info ? { info } : {}) };
    await writeArtifactMeta(this.dir, meta);
    return meta;
  }
}

export async function readSegmentsMeta(dir: string): Promise<SegmentsMeta> {
  return readArtifactMeta<SegmentsMeta>(dir, [SEGMENTS_FORMAT], "segments");
}

/** The shards' sequence lines as bytes, one LineScanner per shard (the fast path of stages that scan every segment). */
export function segmentLines(dir: string, meta: SegmentsMeta): Generator<LineScanner> {
  return shardScanners(dir, meta.shards.map((s) => s.file));
}

/** Streams every segment in shard order. Memory stays bounded by one line. */
export async function* readSegments(dir: string): AsyncGenerator<string> {
  for await (const s of readSegmentsWithOrigins(dir)) yield s.segment;
}

/** Streams every segment with its origin (undefined when the artifact has no origins). */
export async function* readSegmentsWithOrigins(dir: string): AsyncGenerator<{ segment: string; origin?: SegmentOrigin }> {
  const meta = await readSegmentsMeta(dir);
  for (const shard of meta.shards) {
    const seqs = lines(join(dir, shard.file));
    const beds = shard.origins ? lines(join(dir, shard.origins)) : undefined;
    for await (const segment of seqs) {
      if (!segment.length) continue;
      if (!beds) {
        yield { segment };
        continue;
      }
      const next = await beds.next();
      if (next.done) throw new Error(`${join(dir, shard.origins!)}: fewer origins than segments`);
      const [record, start, end, , , strand] = next.value.split("\t");
      yield { segment, origin: { record, start: Number(start), end: Number(end), strand: strand === "-" ? "-" : "+" } };
    }
  }
}

async function* lines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) if (line.length) yield line;
}
