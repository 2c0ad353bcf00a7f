// The segments artifact: a directory of text shards, one DNA segment per line, plus meta.json.
// Chosen for streaming in TS, trivial reading in Python (`for line in open(p)`), and 1 byte per base.
//
//   meta.json          {"format":"dnaflow.segments/1","count":N,"bases":B,"shards":[{"file","count","bases"}],...}
//   part-00000.seq     "ACGT...\n" per segment (uppercase A/C/G/T/N; lowercase only if soft-masking was kept)
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { JsonValue } from "../../engine/stage.js";

export const SEGMENTS_FORMAT = "dnaflow.segments/1";

export interface SegmentShardInfo {
  file: string;
  count: number;
  bases: number;
}

export interface SegmentsMeta {
  format: typeof SEGMENTS_FORMAT;
  count: number;
  bases: number;
  shards: SegmentShardInfo[];
  /** Free-form provenance written by the producing stage (params, source stats). */
  info?: Record<string, JsonValue>;
}

/** Writes segments into shards of at most `shardBases` bases each; call close() to write meta.json. */
export class SegmentsWriter {
  private shards: SegmentShardInfo[] = [];
  private current?: { stream: WriteStream; info: SegmentShardInfo };

  constructor(private readonly dir: string, private readonly shardBases = 64 << 20) {}

  async open(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    return this;
  }

  async write(segment: string): Promise<void> {
    if (!this.current || this.current.info.bases >= this.shardBases) await this.rotate();
    const cur = this.current!;
    cur.info.count++;
    cur.info.bases += segment.length;
    if (!cur.stream.write(segment + "\n")) await once(cur.stream, "drain");
  }

  private async rotate(): Promise<void> {
    await this.finishShard();
    const info = { file: `part-${String(this.shards.length).padStart(5, "0")}.seq`, count: 0, bases: 0 };
    this.shards.push(info);
    this.current = { stream: createWriteStream(join(this.dir, info.file)), info };
  }

  private async finishShard(): Promise<void> {
    if (!this.current) return;
    const s = this.current.stream;
    s.end();
    await once(s, "finish");
    this.current = undefined;
  }

  async close(info?: Record<string, JsonValue>): Promise<SegmentsMeta> {
    await this.finishShard();
    const meta: SegmentsMeta = {
      format: SEGMENTS_FORMAT,
      count: this.shards.reduce((a, s) => a + s.count, 0),
      bases: this.shards.reduce((a, s) => a + s.bases, 0),
      shards: this.shards,
      ...(info ? { info } : {}),
    };
    const tmp = join(this.dir, "meta.json.tmp");
    await writeFile(tmp, JSON.stringify(meta, null, 2) + "\n");
    await rename(tmp, join(this.dir, "meta.json"));
    return meta;
  }
}

export async function readSegmentsMeta(dir: string): Promise<SegmentsMeta> {
  const path = join(dir, "meta.json");
  let meta: SegmentsMeta;
  try {
    meta = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not a segments artifact (${(e as Error).message})`);
  }
  if (meta.format !== SEGMENTS_FORMAT) throw new Error(`${path}: format '${meta.format}', expected '${SEGMENTS_FORMAT}'`);
  return meta;
}

/** Streams every segment in shard order. Memory stays bounded by one line. */
export async function* readSegments(dir: string): AsyncGenerator<string> {
  const meta = await readSegmentsMeta(dir);
  for (const shard of meta.shards) {
    const rl = createInterface({ input: createReadStream(join(dir, shard.file)), crlfDelay: Infinity });
    for await (const line of rl) if (line.length) yield line;
  }
}
