// The fragments artifact (output of genome/strip-n): N-free stretches of the genome as plain FASTA shards.
//
//   meta.json        {"format":"dnaflow.fragments/1","count","bases","shards":[{"file","bed","count","bases"}],"info"}
//   part-00000.fa    ">chr2:10001\nACGT...\n": one unwrapped line per fragment; the header is record:start (1-based
//                    position of the fragment's first base in its record)
//   part-00000.bed   "chr2\t10000\t2333275\n": the same fragments in BED coordinates (0-based, half-open)
// A fragment is never split across shards; shards rotate once they hold >= shardBases bases.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { JsonValue } from "../../core/json.js";
import { writeArtifactMeta } from "../sharded/artifact-meta.js";
import { readArtifactMeta } from "../sharded/reader.js";
import { ShardRotation } from "../sharded/shard-rotation.js";
import { fileChunks } from "./fasta-source.js";
import type { FragmentSink } from "./fragment-sink.js";

export const FRAGMENTS_FORMAT = "dnaflow.fragments/1";

export interface FragmentShardInfo {
  file: string;
  bed: string;
  count: number;
  bases: number;
}

export interface FragmentsMeta {
  format: typeof FRAGMENTS_FORMAT;
  count: number;
  bases: number;
  shards: FragmentShardInfo[];
  info?: Record<string, JsonValue>;
}

export class FragmentsWriter implements FragmentSink {
  private readonly shards: ShardRotation<FragmentShardInfo, "fa" | "bed">;
  private record = "";
  private start = 0;

  constructor(
    private readonly dir: string,
    shardBases = 256 << 20,
  ) {
    this.shards = new ShardRotation(dir, shardBases, (base) => {
      const info = { file: `${base}.fa`, bed: `${base}.bed`, count: 0, bases: 0 };
      return { info, files: { fa: info.file, bed: info.bed }, bufferSizes: { bed: 1 << 16 } };
    });
  }

  async open(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    return this;
  }

  fragmentStart(record: string, start: number): void {
    this.shards.current();
    this.record = record;
    this.start = start;
    this.shards.files.fa!.writeString(`>${record}:${start + 1}\n`);
  }

  fragmentBases(buf: Buffer, start: number, end: number): void {
    this.shards.files.fa!.write(buf, start, end);
  }

  fragmentEnd(length: number): void {
    this.shards.files.fa!.writeByte(10);
    this.shards.files.bed!.writeString(`${this.record}\t${this.start}\t${this.start + length}\n`);
    const cur = this.shards.last;
    cur.count++;
    cur.bases += length;
  }

  /** Backpressure: resolves when the bytes in flight are few again. Call between input chunks. */
  async drain(): Promise<void> {
    await this.shards.drain();
  }

  async close(info?: Record<string, JsonValue>): Promise<FragmentsMeta> {
    const { count, bases } = await this.shards.close();
    const meta: FragmentsMeta = { format: FRAGMENTS_FORMAT, count, bases, shards: this.shards.shards, ...(info ? { info } : {}) };
    await writeArtifactMeta(this.dir, meta);
    return meta;
  }
}

export async function readFragmentsMeta(dir: string): Promise<FragmentsMeta> {
  return readArtifactMeta<FragmentsMeta>(dir, [FRAGMENTS_FORMAT], "fragments");
}

/**
 * Streams every fragment of every shard, in order, into the sink. The shards are our own output (one header line and
 * one sequence line per fragment), so lines are found with memchr (Buffer.indexOf) instead of the validating FASTA
 * parser (measured: genome/segment on 220 Mbp went from 1.28 s to 0.98 s). Shard base counts are checked against meta.json.
 */
export async function readFragments(
  dir: string,
  sink: FragmentSink,
  opts: { signal?: AbortSignal; afterChunk?: () => Promise<void>; onProgress?: (basesDone: number, basesTotal: number) => void } = {},
): Promise<FragmentsMeta> {
  const meta = await readFragmentsMeta(dir);
  let done = 0;
  for (const shard of meta.shards) {
    const file = join(dir, shard.file);
    const bases = await readShard(file, sink, opts);
    if (bases !== shard.bases) throw new Error(`${file}: holds ${bases} bases, meta.json says ${shard.bases}`);
    done += bases;
    opts.onProgress?.(done, meta.bases);
  }
  return meta;
}

async function readShard(file: string, sink: FragmentSink, opts: { signal?: AbortSignal; afterChunk?: () => Promise<void> }): Promise<number> {
  let header: Buffer[] | null = null;
  let inSequence = false;
  let length = 0;
  let total = 0;
  for await (const chunk of fileChunks(file, 0, { signal: opts.signal })) {
    let i = 0;
    while (i < chunk.length) {
      if (header === null && !inSequence) {
        if (chunk[i] !== 62) throw new Error(`${file}: expected a '>record:start' header at byte ${i} of a chunk`);
        header = [];
        i++;
      }
      const nl = chunk.indexOf(10, i);
      const end = nl < 0 ? chunk.length : nl;
      if (header !== null) {
        header.push(Buffer.from(chunk.subarray(i, end))); // a copy: the chunk's buffer is reused
        if (nl < 0) break;
        startFragment(Buffer.concat(header).toString("latin1"), sink, file);
        header = null;
        inSequence = true;
        length = 0;
      } else {
        if (end > i) sink.fragmentBases(chunk, i, end);
        length += end - i;
        if (nl < 0) break;
        sink.fragmentEnd(length);
        total += length;
        inSequence = false;
      }
      i = end + 1;
    }
    await opts.afterChunk?.();
  }
  if (header !== null || inSequence) throw new Error(`${file}: truncated (last fragment has no end of line)`);
  return total;
}

function startFragment(name: string, sink: FragmentSink, file: string): void {
  const colon = name.lastIndexOf(":");
  const start = Number(name.slice(colon + 1)) - 1;
  if (colon <= 0 || !Number.isInteger(start) || start < 0) throw new Error(`${file}: fragment header '${name}' is not record:start`);
  sink.fragmentStart(name.slice(0, colon), start);
}
