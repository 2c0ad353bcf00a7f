// The shards of a sharded artifact being written: part-00000.<ext>, part-00001.<ext>, … each a set of files written
// through BufferedFile, rotated once the current shard holds >= shardBases bases (an item never spans two shards).
// Shared by the segments and fragments writers; closing a shard finishes in the background and close() awaits it.
import { join } from "node:path";
import { BufferedFile } from "./buffered-file.js";

/** What meta.json records of every shard. */
export interface ShardCounts {
  count: number;
  bases: number;
}

/** Opens one shard: its meta.json entry and its files (by role), given the shard's base name ("part-00003"). */
export type OpenShard<I extends ShardCounts, R extends string> = (base: string) => {
  info: I;
  files: Partial<Record<R, string>>;
  bufferSizes?: Partial<Record<R, number>>;
};

export class ShardRotation<I extends ShardCounts, R extends string> {
  readonly shards: I[] = [];
  /** The current shard's open files, by role. */
  files: Partial<Record<R, BufferedFile>> = {};
  private readonly closing: Promise<unknown>[] = [];

  constructor(
    private readonly dir: string,
    private readonly shardBases: number,
    private readonly openShard: OpenShard<I, R>,
  ) {}

  /** The shard the next item goes to: the current one, or a new one when there is none or it is full. */
  current(): I {
    const cur = this.shards[this.shards.length - 1];
    if (cur && cur.bases < this.shardBases) return cur;
    this.finishShard();
    const { info, files, bufferSizes } = this.openShard(`part-${String(this.shards.length).padStart(5, "0")}`);
    this.shards.push(info);
    for (const [role, file] of Object.entries(files) as Array<[R, string | undefined]>)
      if (file !== undefined) this.files[role] = new BufferedFile(join(this.dir, file), bufferSizes?.[role]);
    return info;
  }

  /** The shard items were last added to (after current()). */
  get last(): I {
    return this.shards[this.shards.length - 1];
  }

  private finishShard(): void {
    // The catch only defers the error to close().
    for (const f of Object.values(this.files) as BufferedFile[])
      this.closing.push(f.close().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    this.files = {};
  }

  /** Backpressure: resolves when the bytes in flight are few again. */
  async drain(): Promise<void> {
    for (const f of Object.values(this.files) as BufferedFile[]) await f.drain();
  }

  /** Closes every file; returns the totals meta.json records. */
  async close(): Promise<ShardCounts> {
    this.finishShard();
    for (const r of await Promise.all(this.closing)) if (r instanceof Error) throw r;
    return { count: this.shards.reduce((a, s) => a + s.count, 0), bases: this.shards.reduce((a, s) => a + s.bases, 0) };
  }
}
