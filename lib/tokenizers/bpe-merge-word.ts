// Merges one word (a run of ACGT) with the result of HF's Word::merge_all: the pair of lowest merge rank is merged
// first, the leftmost first on equal rank. Instead of HF's heap of (rank, pos) this keeps one bucket of positions
// per rank and a 3-level bitmap of non-empty ranks, so a merge costs O(1) plus a few word scans. A bucket is merged
// in ascending position order; a merge that creates a pair of lower rank (possible only after a duplicate-string
// merge) interrupts the bucket, which resumes afterwards, so the order is exactly HF's.
import { BASE_CODE } from "./alphabet.js";
import type { IdBuffer } from "./id-buffer.js";
import type { PairLookup } from "./pair-lookup.js";

export interface MergeRules {
  readonly lookup: PairLookup;
  readonly rank: Int32Array;
  readonly result: Int32Array;
}

/** Reusable per-encoder state: one word's symbols, the rank buckets and the bitmap. */
export class WordScratch {
  sym = new Int32Array(0);
  next = new Int32Array(0);
  prev = new Int32Array(0);
  entryPos = new Int32Array(0);
  entryNext = new Int32Array(0);
  batch = new Int32Array(0);
  entries = 0;
  readonly head: Int32Array;
  readonly l0: Int32Array;
  readonly l1: Int32Array;
  readonly l2: Int32Array;

  constructor(ranks: number) {
    this.head = new Int32Array(ranks + 1).fill(-1);
    this.l0 = new Int32Array((ranks >> 5) + 1);
    this.l1 = new Int32Array((ranks >> 10) + 1);
    this.l2 = new Int32Array((ranks >> 15) + 1);
  }

  ensure(n: number): void {
    if (this.sym.length >= n) return;
    const cap = Math.max(n, this.sym.length * 2, 1024);
    this.sym = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.entryPos = new Int32Array(3 * cap);
    this.entryNext = new Int32Array(3 * cap);
    this.batch = new Int32Array(3 * cap);
  }

  /** Files position `pos` under merge rank `r`. */
  add(r: number, pos: number): void {
    const e = this.entries++;
    if (e >= this.entryPos.length) this.growEntries();
    this.entryPos[e] = pos;
    this.entryNext[e] = this.head[r];
    this.head[r] = e;
    this.l0[r >> 5] |= 1 << (r & 31);
    this.l1[r >> 10] |= 1 << ((r >> 5) & 31);
    this.l2[r >> 15] |= 1 << ((r >> 10) & 31);
  }

  private growEntries(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.entryPos = grow(this.entryPos);
    this.entryNext = grow(this.entryNext);
    this.batch = grow(this.batch);
  }
}

export function mergeWord(rules: MergeRules, seq: string, start: number, end: number, baseIds: Int32Array, s: WordScratch, out: IdBuffer): void {
  const len = end - start;
  s.ensure(len);
  const { sym, next, prev, head, l0, l1, l2 } = s;
  const { lookup, rank, result } = rules;
  s.entries = 0;
  for (let i = 0; i < len; i++) {
    sym[i] = baseIds[BASE_CODE[seq.charCodeAt(start + i)]];
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  next[len - 1] = -1;
  for (let i = len - 2; i >= 0; i--) {
    const p = lookup.get(sym[i], sym[i + 1]);
    if (p >= 0) s.add(rank[p], i); // pushed right to left so each bucket lists ascending positions
  }
  for (;;) {
    const r = lowestRank(l0, l1, l2);
    if (r < 0) break;
    // take the bucket
    const { entryPos, entryNext, batch } = s;
    let n = 0;
    let sorted = true;
    for (let e = head[r]; e >= 0; e = entryNext[e]) {
      if (n > 0 && entryPos[e] < batch[n - 1]) sorted = false;
      batch[n++] = entryPos[e];
    }
    head[r] = -1;
    clearBit(r, l0, l1, l2);
    if (!sorted) sortAscending(batch, n);
    let lowered = false;
    let k = 0;
    for (; k < n && !lowered; k++) {
      const pos = batch[k];
      const a = sym[pos];
      const right = next[pos];
      if (a < 0 || right < 0) continue;
      const p = lookup.get(a, sym[right]);
      if (p < 0 || rank[p] !== r) continue; // expired entry
      const merged = result[p];
      sym[pos] = merged;
      sym[right] = -1;
      const after = next[right];
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      const before = prev[pos];
      if (before >= 0) {
        const q = lookup.get(sym[before], merged);
        if (q >= 0) {
          s.add(rank[q], before);
          if (rank[q] < r) lowered = true;
        }
      }
      if (after >= 0) {
        const q = lookup.get(merged, sym[after]);
        if (q >= 0) {
          s.add(rank[q], pos);
          if (rank[q] < r) lowered = true;
        }
      }
    }
    // a lower rank appeared: put the rest of this bucket back (still ascending) and handle the lower one first
    for (let j = n - 1; j >= k; j--) s.add(r, s.batch[j]);
  }
  out.reserve(len);
  const d = out.data;
  let o = out.length;
  for (let i = 0; i >= 0; i = next[i]) d[o++] = sym[i];
  out.length = o;
}

/** Insertion sort for the usual tiny bucket; the native sort beyond that. */
function sortAscending(a: Int32Array, n: number): void {
  if (n > 32) {
    a.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

function lowestRank(l0: Int32Array, l1: Int32Array, l2: Int32Array): number {
  for (let w2 = 0; w2 < l2.length; w2++) {
    const b2 = l2[w2];
    if (b2 === 0) continue;
    const w1 = (w2 << 5) + lowBit(b2);
    const w0 = (w1 << 5) + lowBit(l1[w1]);
    return (w0 << 5) + lowBit(l0[w0]);
  }
  return -1;
}

function lowBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function clearBit(r: number, l0: Int32Array, l1: Int32Array, l2: Int32Array): void {
  const w0 = r >> 5;
  l0[w0] &= ~(1 << (r & 31));
  if (l0[w0] !== 0) return;
  const w1 = r >> 10;
  l1[w1] &= ~(1 << (w0 & 31));
  if (l1[w1] !== 0) return;
  l2[r >> 15] &= ~(1 << (w1 & 31));
}
