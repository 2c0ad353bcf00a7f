// Where each pair occurs (the position of its left symbol), as chunked lists in one arena: no object per pair, and a
// merged pair's chunks are recycled. Lists may hold stale positions; the trainer re-checks each one.
// Positions are Uint32 (a corpus may pass 2^31 bases), and the arena is a list of fixed blocks rather than one array
// that doubles: growing a multi-GB arena by copying would need both copies at once.
import { growUint32 } from "./grow.js";

const CHUNK = 16; // [next chunk, used, positions...]
const CAP = CHUNK - 2;
const BLOCK_BITS = 24; // 16 Mi entries (64 MiB) per block, a multiple of CHUNK so a chunk never straddles two
const MASK = (1 << BLOCK_BITS) - 1;
const NONE = 0xffffffff;

export class PairOccurrences {
  private readonly blocks: Uint32Array<ArrayBuffer>[] = [];
  private top = 0;
  private free = NONE;
  private head: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  private tail: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  private scratch: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  /** Positions currently stored (stale ones included). */
  stored = 0;

  add(pair: number, pos: number): void {
    if (pair >= this.head.length) this.growHeads(pair + 1);
    let t = this.tail[pair];
    if (t === NONE || this.blocks[t >>> BLOCK_BITS][(t & MASK) + 1] === CAP) {
      const c = this.alloc();
      if (t === NONE) this.head[pair] = c;
      else this.blocks[t >>> BLOCK_BITS][t & MASK] = c;
      this.tail[pair] = t = c;
    }
    const b = this.blocks[t >>> BLOCK_BITS];
    const o = t & MASK;
    b[o + 2 + b[o + 1]++] = pos;
    this.stored++;
  }

  /** Removes and returns the pair's positions, sorted ascending (valid until the next take()). */
  take(pair: number): Uint32Array {
    let n = 0;
    let c = pair < this.head.length ? this.head[pair] : NONE;
    let sorted = true;
    let last = 0;
    while (c !== NONE) {
      const b = this.blocks[c >>> BLOCK_BITS];
      const o = c & MASK;
      const used = b[o + 1];
      if (n + used > this.scratch.length) this.scratch = growUint32(this.scratch, n + used);
      for (let k = 0; k < used; k++) {
        const pos = b[o + 2 + k];
        if (pos < last) sorted = false;
        this.scratch[n++] = last = pos;
      }
      const next = b[o];
      b[o] = this.free;
      this.free = c;
      c = next;
    }
    if (pair < this.head.length) this.head[pair] = this.tail[pair] = NONE;
    this.stored -= n;
    const out = this.scratch.subarray(0, n);
    // Appended in merge order: mostly one ascending run, so the check usually saves the sort.
    return sorted ? out : out.sort();
  }

  /** Bytes held by the arena (for memory reports). */
  get bytes(): number {
    return this.blocks.length * (MASK + 1) * 4 + this.head.byteLength * 2;
  }

  private alloc(): number {
    let c = this.free;
    if (c !== NONE) this.free = this.blocks[c >>> BLOCK_BITS][c & MASK];
    else {
      c = this.top;
      this.top += CHUNK;
      if (c >>> BLOCK_BITS >= this.blocks.length) this.blocks.push(new Uint32Array(MASK + 1));
    }
    const b = this.blocks[c >>> BLOCK_BITS];
    b[c & MASK] = NONE;
    b[(c & MASK) + 1] = 0;
    return c;
  }

  private growHeads(need: number): void {
    this.head = growUint32(this.head, need, NONE);
    this.tail = growUint32(this.tail, need, NONE);
  }
}
