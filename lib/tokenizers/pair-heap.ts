// Max-heap of BPE training candidates, ordered like HF's BpeTrainer queue: higher count first, then the smaller
// pair (left id, then right id). Entries may be stale; the trainer re-pushes them with the current count.
import { growFloat64, growInt32 } from "./grow.js";

export class PairHeap {
  private pair = new Int32Array(1024);
  private count = new Float64Array(1024);
  size = 0;

  constructor(
    private readonly left: () => Int32Array,
    private readonly right: () => Int32Array,
  ) {}

  push(p: number, c: number): void {
    if (this.size === this.pair.length) {
      this.pair = growInt32(this.pair, this.size + 1);
      this.count = growFloat64(this.count, this.size + 1);
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(p, c, this.pair[parent], this.count[parent])) break;
      this.pair[i] = this.pair[parent];
      this.count[i] = this.count[parent];
      i = parent;
    }
    this.pair[i] = p;
    this.count[i] = c;
  }

  /** Pair and count of the top entry; call pop() to remove it. */
  get topPair(): number {
    return this.pair[0];
  }
  get topCount(): number {
    return this.count[0];
  }

  pop(): void {
    const n = --this.size;
    const p = this.pair[n];
    const c = this.count[n];
    let i = 0;
    for (;;) {
      let ch = 2 * i + 1;
      if (ch >= n) break;
      if (ch + 1 < n && this.above(this.pair[ch + 1], this.count[ch + 1], this.pair[ch], this.count[ch])) ch++;
      if (!this.above(this.pair[ch], this.count[ch], p, c)) break;
      this.pair[i] = this.pair[ch];
      this.count[i] = this.count[ch];
      i = ch;
    }
    this.pair[i] = p;
    this.count[i] = c;
  }

  /** Whether entry (p, c) ranks above (q, d). */
  private above(p: number, c: number, q: number, d: number): boolean {
    if (c !== d) return c > d;
    const l = this.left();
    if (l[p] !== l[q]) return l[p] < l[q];
    const r = this.right();
    return r[p] < r[q];
  }
}
