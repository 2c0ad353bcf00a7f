// Whether two tokens can stand side by side in a BPE encoding: BPE encodes the concatenation of their strings as
// exactly this pair. Undo the later merge of the two, one step at a time (the token of higher rank splits first),
// and fail if at some step a merge across the boundary has a lower rank than the merges that still have to happen
// on the side that was split: BPE would have taken that merge instead. (GitHub's `bpe` crate, is_valid_token_pair.)
// Ranked ids (bpe-ranked-vocab.ts) make "rank" simply the id. Answers are memoised per pair: a dense table of 2 bits
// per pair (4 MiB for 4,096 tokens; small enough to stay in cache, which the encoder's speed depends on) for
// vocabularies up to 8,192 tokens, else a direct-mapped cache keyed by both ids (so any vocabulary size works: a
// single a * size + b key would overflow an int32 past 46,340 tokens).
import type { RankedVocab } from "./bpe-ranked-vocab.js";

const UNKNOWN = 0;
const VALID = 1;
const INVALID = 2;
const DENSE_MAX = 8192;
const CACHE_BITS = 20;

export class PairValidity {
  private readonly size: number;
  private dense: Uint8Array | null;
  private readonly cacheLeft: Int32Array | null; // left id + 1, 0 = empty
  private readonly cacheRight: Int32Array | null;
  private readonly cacheValid: Uint8Array | null;

  constructor(
    private readonly v: RankedVocab,
    denseMax = DENSE_MAX,
  ) {
    this.size = v.size;
    const dense = v.size <= denseMax;
    this.dense = dense ? new Uint8Array((v.size * v.size + 3) >> 2) : null;
    this.cacheLeft = dense ? null : new Int32Array(1 << CACHE_BITS);
    this.cacheRight = dense ? null : new Int32Array(1 << CACHE_BITS);
    this.cacheValid = dense ? null : new Uint8Array(1 << CACHE_BITS);
  }

  /**
   * The dense memo moved into shared memory, for other threads' copies of the same vocabulary (useShared()): the memo
   * fills slowly (a fresh one encodes DNA at a third of the warm speed), so threads that share it pay that once.
   * Entries only go from unknown to known, so a lost update between two threads only forgets an answer, never
   * corrupts one. Undefined for vocabularies past the dense size.
   */
  share(): SharedArrayBuffer | undefined {
    if (this.dense === null) return undefined;
    const shared = new SharedArrayBuffer(this.dense.length);
    const memo = new Uint8Array(shared);
    memo.set(this.dense);
    this.dense = memo;
    return shared;
  }

  useShared(shared: SharedArrayBuffer): void {
    if (this.dense === null || shared.byteLength !== this.dense.length)
      throw new Error(`BPE pair memo of ${shared.byteLength} bytes given to a vocabulary of ${this.size} tokens`);
    this.dense = new Uint8Array(shared);
  }

  /**
   * Answers every pair of the rows a with a % parts === part ahead of encoding (the dense memo only; threads sharing it
   * fill their parts at once). All 16.7 M pairs of a 4,096-token vocabulary take ~1.3 s; filling the memo as encoding
   * goes costs more once a few hundred MB have been encoded (each first sight of a pair stalls the encoder).
   */
  fill(part: number, parts: number): void {
    if (this.dense === null) return;
    for (let a = part; a < this.size; a += parts) for (let b = 0; b < this.size; b++) this.valid(a, b);
  }

  /** Tokens of the ranked vocabulary (the memo has size² entries). */
  get tokens(): number {
    return this.size;
  }

  /** Memoised isValidPair. */
  valid(a: number, b: number): boolean {
    const dense = this.dense;
    if (dense !== null) {
      const key = a * this.size + b;
      const byte = dense[key >> 2];
      const shift = (key & 3) << 1;
      const m = (byte >> shift) & 3;
      if (m !== UNKNOWN) return m === VALID;
      const ok = isValidPair(this.v, a, b);
      dense[key >> 2] |= (ok ? VALID : INVALID) << shift; // re-read: another thread may share the table
      return ok;
    }
    const lefts = this.cacheLeft!;
    const rights = this.cacheRight!;
    const h = Math.imul(Math.imul(a, 0x9e3779b1) ^ b, 0x85ebca6b) >>> (32 - CACHE_BITS);
    if (lefts[h] === a + 1 && rights[h] === b) return this.cacheValid![h] === VALID;
    const ok = isValidPair(this.v, a, b);
    lefts[h] = a + 1;
    rights[h] = b;
    this.cacheValid![h] = ok ? VALID : INVALID;
    return ok;
  }
}

/** Unmemoised check (ranked ids). */
export function isValidPair(v: RankedVocab, a: number, b: number): boolean {
  const { left, right } = v;
  let limit = 0x7fffffff; // merges of rank >= limit across the boundary may still happen later
  for (;;) {
    const m = v.merged(a, b);
    if (m >= 0 && m < limit) return false;
    if (a > b) {
      // split the left token: its last merge (rank a) had to happen after everything below it
      limit = a;
      a = right[a];
      if (a === limit) {
        limit = b + 1;
        b = left[b];
        if (b + 1 === limit) return true;
      }
    } else {
      limit = b + 1; // the right token's last merge may tie: leftmost goes first
      b = left[b];
      if (b + 1 === limit) {
        limit = a;
        a = right[a];
        if (a === limit) return true;
      }
    }
  }
}
