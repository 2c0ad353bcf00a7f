// Where each pair occurs (the position of its left symbol), as chunked lists in one arena: no object per pair,
// and a merged pair's chunks are recycled. Lists may hold stale positions; the trainer re-checks each one.
import { growInt32 } from "./grow.js";

const CHUNK = 8; // [next chunk, used, positions...]: small, as most pairs occur a few times
const CAP = CHUNK - 2;

export class PairOccurrences {
  private arena = new Int32Array(CHUNK * 1024);
  private top = 0;
  private free = -1;
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  private scratch = new Int32Array(1024);

  add(pair: number, pos: number): void {
    if (pair >= this.head.length) {
      this.head = growInt32(this.head, pair + 1, -1);
      this.tail = growInt32(this.tail, pair + 1, -1);
    }
    let t = this.tail[pair];
    if (t < 0 || this.arena[t + 1] === CAP) {
      const c = this.alloc();
      if (t < 0) this.head[pair] = c;
      else this.arena[t] = c;
      this.tail[pair] = t = c;
    }
    const used = this.arena[t + 1]++;
    this.arena[t + 2 + used] = pos;
  }

  /** Removes and returns the pair's positions, sorted ascending (valid until the next take()). */
  take(pair: number): Int32Array {
    let n = 0;
    let c = pair < this.head.length ? this.head[pair] : -1;
    while (c >= 0) {
      const used = this.arena[c + 1];
      if (n + used > this.scratch.length) this.scratch = growInt32(this.scratch, n + used);
      this.scratch.set(this.arena.subarray(c + 2, c + 2 + used), n);
      n += used;
      const next = this.arena[c];
      this.arena[c] = this.free;
      this.free = c;
      c = next;
    }
    if (pair < this.head.length) this.head[pair] = this.tail[pair] = -1;
    return this.scratch.subarray(0, n).sort();
  }

  /** Bytes held by the arena (for memory reports). */
  get bytes(): number {
    return this.arena.byteLength + this.head.byteLength * 2;
  }

  private alloc(): number {
    let c = this.free;
    if (c >= 0) this.free = this.arena[c];
    else {
      c = this.top;
      this.top += CHUNK;
      if (this.top > this.arena.length) this.arena = growInt32(this.arena, this.top);
    }
    this.arena[c] = -1;
    this.arena[c + 1] = 0;
    return c;
  }
}
