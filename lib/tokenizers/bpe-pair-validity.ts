// Whether two tokens can stand side by side in a BPE encoding: BPE encodes the concatenation of their strings as
// exactly this pair. Undo the later merge of the two, one step at a time (the token of higher rank splits first),
// and fail if at some step a merge across the boundary has a lower rank than the merges that still have to happen
// on the side that was split: BPE would have taken that merge instead. (GitHub's `bpe` crate, is_valid_token_pair.)
// Ranked ids (bpe-ranked-vocab.ts) make "rank" simply the id. Answers are memoised per pair: a dense table of 2 bits
// per pair (4 MiB for 4,096 tokens; small enough to stay in cache, which the encoder's speed depends on) for
// vocabularies up to 8,192 tokens, else a direct-mapped cache.
import type { RankedVocab } from "./bpe-ranked-vocab.js";

const UNKNOWN = 0;
const VALID = 1;
const INVALID = 2;
const DENSE_MAX = 8192;
const CACHE_BITS = 20;

export class PairValidity {
  private readonly size: number;
  private readonly dense: Uint8Array | null;
  private readonly cacheKeys: Int32Array | null; // pair key + 1, 0 = empty
  private readonly cacheValid: Uint8Array | null;

  constructor(private readonly v: RankedVocab, denseMax = DENSE_MAX) {
    this.size = v.size;
    if (v.size > 46340) throw new Error("pair validity: more than 46,340 ranked tokens"); // keys must fit an int32
    const dense = v.size <= denseMax;
    this.dense = dense ? new Uint8Array((v.size * v.size + 3) >> 2) : null;
    this.cacheKeys = dense ? null : new Int32Array(1 << CACHE_BITS);
    this.cacheValid = dense ? null : new Uint8Array(1 << CACHE_BITS);
  }

  /** Memoised isValidPair. */
  valid(a: number, b: number): boolean {
    const key = a * this.size + b;
    const dense = this.dense;
    if (dense !== null) {
      const byte = dense[key >> 2];
      const shift = (key & 3) << 1;
      const m = (byte >> shift) & 3;
      if (m !== UNKNOWN) return m === VALID;
      const ok = isValidPair(this.v, a, b);
      dense[key >> 2] = byte | ((ok ? VALID : INVALID) << shift);
      return ok;
    }
    const keys = this.cacheKeys!;
    const h = Math.imul(key, 0x9e3779b1) >>> (32 - CACHE_BITS);
    if (keys[h] === key + 1) return this.cacheValid![h] === VALID;
    const ok = isValidPair(this.v, a, b);
    keys[h] = key + 1;
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
