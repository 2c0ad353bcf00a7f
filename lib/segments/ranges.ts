// The selection of a segments artifact (format 2) over a shard it shares with another artifact (genome/split hard-links
// its input's shards instead of copying them): part-00000.ranges holds, per run of consecutive selected segments,
// four little-endian uint64s — [start, end) in the .seq file and [start, end) in the .bed file (0, 0 without origins).
// Ranges begin at a line start and end after a newline, in file order, disjoint.
import { readFileSync } from "node:fs";
import type { ByteWindow } from "../sharded/window-lines.js";

export interface ShardRanges {
  seq: ByteWindow[];
  bed: ByteWindow[];
}

export function readRanges(path: string): ShardRanges {
  const b = readFileSync(path);
  if (b.length % 32) throw new Error(`${path}: ${b.length} bytes, not a whole number of 32-byte ranges`);
  const seq: ByteWindow[] = [];
  const bed: ByteWindow[] = [];
  for (let i = 0; i < b.length; i += 32) {
    const [s0, s1, b0, b1] = [0, 8, 16, 24].map((o) => Number(b.readBigUInt64LE(i + o)));
    if (s1 < s0 || b1 < b0 || (seq.length && s0 < seq[seq.length - 1].offset + seq[seq.length - 1].bytes))
      throw new Error(`${path}: range ${i / 32} [${s0}, ${s1}) ends before it starts or overlaps the one before`);
    seq.push({ offset: s0, bytes: s1 - s0 });
    bed.push({ offset: b0, bytes: b1 - b0 });
  }
  return { seq, bed };
}

/** Collects the selected lines of one shard as ranges, merging lines that follow one another in both files. */
export class RangeBuilder {
  private readonly values: number[] = [];
  count = 0;
  bases = 0;

  add(seqStart: number, seqEnd: number, bedStart: number, bedEnd: number, bases: number): void {
    const v = this.values;
    const n = v.length;
    if (n && v[n - 3] === seqStart && v[n - 1] === bedStart) {
      v[n - 3] = seqEnd;
      v[n - 1] = bedEnd;
    } else v.push(seqStart, seqEnd, bedStart, bedEnd);
    this.count++;
    this.bases += bases;
  }

  /** Whether the selection is one range from the start of the files through `seqSize` (the whole shard). */
  covers(seqSize: number, bedSize: number): boolean {
    const v = this.values;
    return v.length === 4 && v[0] === 0 && v[1] === seqSize && v[2] === 0 && v[3] === bedSize;
  }

  bytes(): Buffer {
    const b = Buffer.allocUnsafe(this.values.length * 8);
    this.values.forEach((x, i) => b.writeBigUInt64LE(BigInt(x), i * 8));
    return b;
  }
}
