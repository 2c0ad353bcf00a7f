// The segments artifact: a directory of text shards, one DNA segment per line, plus meta.json.
// Chosen for streaming in TS, trivial reading in Python (`for line in open(p)`), and 1 byte per base.
//
//   meta.json          {"format":"dnaflow.segments/1","count":N,"bases":B,"shards":[{"file","count","bases"}],...}
//   part-00000.seq     "ACGT...\n" per segment (uppercase A/C/G/T/N; lowercase only if soft-masking was kept)
//   part-00000.bed     optional, line i = origin of segment i in the .seq beside it, BED6:
//                      "record\tstart\tend\t.\t0\tstrand\n" (0-based, half-open; strand "-" = reverse complement).
//                      Present for every shard (shards[i].origins names it) or for none.
// Format 2 (written by genome/split): the same, except that a shard may name `ranges` (lib/segments/ranges.ts), the
// byte ranges of its .seq and .bed that belong to this artifact — the files are hard links shared with the artifact it
// was split from. The readers below hide the difference.
import { statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { JsonValue } from "../../core/json.js";
import { writeArtifactMeta } from "../sharded/artifact-meta.js";
import { readArtifactMeta } from "../sharded/reader.js";
import { WindowLines, type ByteWindow } from "../sharded/window-lines.js";
import { readRanges, type ShardRanges } from "./ranges.js";
import { ShardRotation } from "../sharded/shard-rotation.js";

export const SEGMENTS_FORMAT = "dnaflow.segments/1";
export const SEGMENTS_FORMAT_RANGES = "dnaflow.segments/2";

export interface SegmentShardInfo {
  file: string;
  count: number;
  bases: number;
  /** BED6 file with one origin per segment, when the producer recorded origins. */
  origins?: string;
  /** Format 2: the byte ranges of the files that hold this artifact's segments (absent: all of them). */
  ranges?: string;
}

export interface SegmentsMeta {
  format: typeof SEGMENTS_FORMAT | typeof SEGMENTS_FORMAT_RANGES;
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

  constructor(
    private readonly dir: string,
    shardBases = 64 << 20,
  ) {
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
  return readArtifactMeta<SegmentsMeta>(dir, [SEGMENTS_FORMAT, SEGMENTS_FORMAT_RANGES], "segments");
}

const WHOLE: ByteWindow[] = [{ offset: 0, bytes: Infinity }];

/** The byte windows of a shard's .seq and .bed that hold the artifact's segments. */
export function shardWindows(dir: string, shard: SegmentShardInfo): ShardRanges {
  return shard.ranges ? readRanges(join(dir, shard.ranges)) : { seq: WHOLE, bed: WHOLE };
}

/** The shards' sequence lines as bytes, one line reader per shard (the fast path of stages that scan every segment). */
export function* segmentLines(dir: string, meta: SegmentsMeta): Generator<WindowLines> {
  for (const shard of meta.shards) yield new WindowLines(join(dir, shard.file), shardWindows(dir, shard).seq, 4 << 20);
}

/** A piece of a segments artifact for one reader: the lines of `path` that start in `windows`, in order. */
export interface SegmentTask {
  path: string;
  windows: ByteWindow[];
}

/**
 * The shards' sequence lines cut into tasks of about `taskBytes` bytes each, in order: the lines of the tasks, read one
 * after the other with WindowLines, are exactly segmentLines()'s. A window is cut at any byte (a line belongs to the
 * window it starts in) and small windows that follow one another are grouped, so tasks hold similar work.
 */
export function segmentTasks(dir: string, meta: SegmentsMeta, taskBytes: number): SegmentTask[] {
  const tasks: SegmentTask[] = [];
  for (const shard of meta.shards) {
    const path = join(dir, shard.file);
    const size = statSync(path).size;
    let task: SegmentTask | undefined;
    let bytes = 0;
    for (const w of shardWindows(dir, shard).seq) {
      const end = Math.min(w.offset + w.bytes, size);
      for (let at = w.offset; at < end;) {
        if (!task || bytes >= taskBytes) {
          tasks.push((task = { path, windows: [] }));
          bytes = 0;
        }
        const n = Math.min(end - at, taskBytes - bytes);
        task.windows.push({ offset: at, bytes: n });
        bytes += n;
        at += n;
      }
    }
  }
  return tasks;
}

/** Streams every segment in shard order. Memory stays bounded by one line. */
export async function* readSegments(dir: string): AsyncGenerator<string> {
  for await (const s of readSegmentsWithOrigins(dir)) yield s.segment;
}

/** Streams every segment with its origin (undefined when the artifact has no origins). */
export async function* readSegmentsWithOrigins(dir: string): AsyncGenerator<{ segment: string; origin?: SegmentOrigin }> {
  const meta = await readSegmentsMeta(dir);
  for (const shard of meta.shards) {
    const windows = shardWindows(dir, shard);
    const seqs = new WindowLines(join(dir, shard.file), windows.seq, 1 << 20);
    const beds = shard.origins ? new WindowLines(join(dir, shard.origins), windows.bed, 1 << 18) : undefined;
    try {
      while (seqs.next()) {
        if (seqs.lineEnd === seqs.lineStart) continue;
        const segment = seqs.line.toString("latin1", seqs.lineStart, seqs.lineEnd);
        if (!beds) {
          yield { segment };
          continue;
        }
        let bed: string | undefined;
        while (bed === undefined || !bed.length) {
          if (!beds.next()) throw new Error(`${join(dir, shard.origins!)}: fewer origins than segments`);
          bed = beds.line.toString("latin1", beds.lineStart, beds.lineEnd);
        }
        const [record, start, end, , , strand] = bed.split("\t");
        yield { segment, origin: { record, start: Number(start), end: Number(end), strand: strand === "-" ? "-" : "+" } };
      }
    } finally {
      seqs.close();
      beds?.close();
    }
  }
}
