// Where each pair occurs (the position of its left symbol), as compressed chunked lists in one byte arena: no object
// per pair, and a merged pair's chunks are recycled. Lists may hold stale positions; the trainer re-checks each one.
// Whole-genome BPE keeps billions of positions here, so they are stored small:
//  - each position as a zigzag varint of its difference from the list's previous one (a pair's positions arrive in a
//    few ascending runs, so most differences are short: ~1.3 B per position where a Uint32 took 4);
//  - chunks grow with their list, 16 to 256 bytes (a 6-byte header each), so the millions of pairs that occur once or
//    twice take 16 bytes, not a fixed-size chunk.
// The arena is a list of fixed 64 MiB blocks rather than one array that doubles: growing a multi-GB arena by copying
// would need both copies at once.
import { growUint32 } from "./grow.js";

const BLOCK_BITS = 26; // 64 MiB per block, a multiple of the largest chunk so no chunk straddles two
const BLOCK = 2 ** BLOCK_BITS;
const UNIT_BITS = 4; // chunk refs count 16-byte units: Uint32 refs address 64 GiB
const REF_BITS = BLOCK_BITS - UNIT_BITS;
const REF_MASK = (1 << REF_BITS) - 1;
const CLASSES = 5; // chunk sizes 16 << class: 16, 32, 64, 128, 256 bytes
const HEADER = 6; // next chunk ref (4, little-endian), payload bytes used (1), size class (1)
const MAX_VARINT = 5; // a zigzag difference of two Uint32 positions needs at most 33 bits
const NONE = 0xffffffff;

export class PairOccurrences {
  private readonly blocks: Uint8Array[] = [];
  /** Next unallocated byte of the arena (a number: it may pass 2^32). */
  private top = 0;
  /** Free chunks of each size class, linked through their next field. */
  private readonly free = new Uint32Array(CLASSES).fill(NONE);
  private head: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  private tail: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  /** The last position appended to each list: the base of the next difference. */
  private last: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  private scratch: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  /** Positions currently stored (stale ones included). */
  stored = 0;

  add(pair: number, pos: number): void {
    if (pair >= this.head.length) this.growHeads(pair + 1);
    let t = this.tail[pair];
    if (t === NONE) {
      t = this.head[pair] = this.tail[pair] = this.alloc(0);
      this.last[pair] = 0;
    }
    const d = pos - this.last[pair];
    this.last[pair] = pos;
    let z = d >= 0 ? 2 * d : -2 * d - 1;
    const len = z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : z < 0x10000000 ? 4 : MAX_VARINT;
    let b = this.blocks[t >>> REF_BITS];
    let o = (t & REF_MASK) << UNIT_BITS;
    const cls = b[o + 5];
    if (b[o + 4] + len > (16 << cls) - HEADER) {
      // full: link a chunk of the next size up (capped), so a list's chunk count grows logarithmically at first
      const c = this.alloc(Math.min(cls + 1, CLASSES - 1));
      writeRef(b, o, c);
      this.tail[pair] = t = c;
      b = this.blocks[t >>> REF_BITS];
      o = (t & REF_MASK) << UNIT_BITS;
    }
    let p = o + HEADER + b[o + 4];
    if (z < 0x80000000) {
      while (z >= 0x80) {
        b[p++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
    } else {
      while (z >= 0x80) {
        b[p++] = (z % 0x80) | 0x80;
        z = Math.floor(z / 0x80);
      }
    }
    b[p++] = z;
    b[o + 4] = p - o - HEADER;
    this.stored++;
  }

  /** Removes and returns the pair's positions, sorted ascending (valid until the next take()). */
  take(pair: number): Uint32Array {
    let n = 0;
    let c = pair < this.head.length ? this.head[pair] : NONE;
    let sorted = true;
    let pos = 0;
    let prev = 0;
    while (c !== NONE) {
      const b = this.blocks[c >>> REF_BITS];
      const o = (c & REF_MASK) << UNIT_BITS;
      const end = o + HEADER + b[o + 4];
      // a chunk of u payload bytes holds at most u positions
      if (n + b[o + 4] > this.scratch.length) this.scratch = growUint32(this.scratch, n + b[o + 4]);
      const out = this.scratch;
      for (let p = o + HEADER; p < end;) {
        let byte = b[p++];
        let z = byte & 0x7f;
        for (let mul = 0x80; byte & 0x80; mul *= 0x80) {
          byte = b[p++];
          z += (byte & 0x7f) * mul;
        }
        const half = Math.floor(z / 2);
        pos += z - 2 * half === 0 ? half : -half - 1;
        if (pos < prev) sorted = false;
        out[n++] = prev = pos;
      }
      const next = readRef(b, o);
      const cls = b[o + 5];
      writeRef(b, o, this.free[cls]);
      this.free[cls] = c;
      c = next;
    }
    if (pair < this.head.length) this.head[pair] = this.tail[pair] = NONE;
    this.stored -= n;
    const out = this.scratch.subarray(0, n);
    // Appended in merge order: mostly one ascending run, so the check usually saves the sort.
    return sorted ? out : out.sort();
  }

  /** Bytes held by the arena and the per-pair arrays (for memory reports). */
  get bytes(): number {
    return this.blocks.length * BLOCK + this.head.byteLength * 3;
  }

  /** A chunk of class `cls`, empty, with no next: recycled, split from a larger free chunk, or new. */
  private alloc(cls: number): number {
    let c = this.free[cls];
    if (c !== NONE) this.free[cls] = readRef(this.blocks[c >>> REF_BITS], (c & REF_MASK) << UNIT_BITS);
    else {
      let k = cls + 1;
      while (k < CLASSES && this.free[k] === NONE) k++;
      if (k < CLASSES) {
        c = this.free[k];
        this.free[k] = readRef(this.blocks[c >>> REF_BITS], (c & REF_MASK) << UNIT_BITS);
        // keep the first part, free the halves split off on the way down
        while (k > cls) {
          k--;
          const half = c + (1 << k);
          writeRef(this.blocks[half >>> REF_BITS], (half & REF_MASK) << UNIT_BITS, this.free[k]);
          this.free[k] = half;
        }
      } else {
        const size = 16 << cls;
        if ((this.top % BLOCK) + size > BLOCK) this.top = Math.ceil(this.top / BLOCK) * BLOCK;
        if (Math.floor(this.top / BLOCK) >= this.blocks.length) this.blocks.push(new Uint8Array(BLOCK));
        c = this.top / 16;
        this.top += size;
      }
    }
    const b = this.blocks[c >>> REF_BITS];
    const o = (c & REF_MASK) << UNIT_BITS;
    writeRef(b, o, NONE);
    b[o + 4] = 0;
    b[o + 5] = cls;
    return c;
  }

  private growHeads(need: number): void {
    this.head = growUint32(this.head, need, NONE);
    this.tail = growUint32(this.tail, need, NONE);
    this.last = growUint32(this.last, need);
  }
}

function readRef(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

function writeRef(b: Uint8Array, o: number, ref: number): void {
  b[o] = ref;
  b[o + 1] = ref >>> 8;
  b[o + 2] = ref >>> 16;
  b[o + 3] = ref >>> 24;
}
