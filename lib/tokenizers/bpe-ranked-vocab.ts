// The BPE vocabulary as the fast encoder (bpe-backtrack.ts) needs it: only the tokens that merges can build from
// ACGT, renumbered by rank (ids 0..3 = the bases A C G T, id 4 + k = the k-th such merge in merge order), each with
// its split (the two tokens it was merged from) and its length. `rankedVocab` also decides whether the fast encoder
// is exact for this vocabulary; when it is not it returns the reason, and the tokenizer keeps the reference encoder.
import { BASE_CODE } from "./alphabet.js";

export interface RankedVocab {
  /** Number of ranked tokens (4 bases + merges that ACGT words can reach). */
  size: number;
  /** Original (tokenizer.json) id of each ranked token. */
  external: Int32Array;
  /** Split of each ranked token; a base splits into itself (left = right = itself). */
  left: Int32Array;
  right: Int32Array;
  /** Length in bases of each ranked token. */
  len: Int32Array;
  /** Bases of each ranked token as codes 0..3. */
  codes: Uint8Array[];
  /** Ranked id of the merge of two ranked tokens, or -1. */
  merged(a: number, b: number): number;
}

/**
 * Ranks the merges reachable from ACGT. Returns a reason string instead when the backtracking encoder's premises
 * fail: a token built by two merges (a duplicate-string merge, or a pair listed twice), a merge whose parts appear
 * only at a later rank, or a token that BPE does not encode to itself. `selfEncode` is the reference encoder.
 */
export function rankedVocab(
  vocab: readonly string[],
  baseIds: Int32Array,
  mergeLeft: Int32Array,
  mergeRight: Int32Array,
  mergeResult: (r: number) => number,
  selfEncode: (token: string) => number[],
): RankedVocab | string {
  const rankOf = new Map<number, number>(); // original id -> ranked id
  const external: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  for (let c = 0; c < 4; c++) {
    rankOf.set(baseIds[c], c);
    external.push(baseIds[c]);
    left.push(c);
    right.push(c);
  }
  const skipped: number[] = [];
  for (let r = 0; r < mergeLeft.length; r++) {
    const a = rankOf.get(mergeLeft[r]);
    const b = rankOf.get(mergeRight[r]);
    if (a === undefined || b === undefined) {
      skipped.push(r); // cannot fire in an ACGT word (yet): checked below
      continue;
    }
    const id = mergeResult(r);
    if (rankOf.has(id)) return `token '${vocab[id]}' is made by more than one merge`;
    rankOf.set(id, external.length);
    external.push(id);
    left.push(a);
    right.push(b);
  }
  for (const r of skipped) {
    if (rankOf.has(mergeLeft[r]) && rankOf.has(mergeRight[r])) return `merge ${r} uses a token made by a later merge`;
  }
  const size = external.length;
  const len = new Int32Array(size);
  const codes: Uint8Array[] = [];
  for (let t = 0; t < size; t++) {
    const s = vocab[external[t]];
    len[t] = s.length;
    codes.push(Uint8Array.from(s, (ch) => BASE_CODE[ch.charCodeAt(0)]));
  }
  // pair -> merged ranked id (only pair validity checks use it, and they are memoised)
  const pairs = new Map<number, number>();
  for (let t = 4; t < size; t++) pairs.set(left[t] * size + right[t], t);
  const merged = (a: number, b: number) => pairs.get(a * size + b) ?? -1;
  for (let t = 4; t < size; t++) {
    const ids = selfEncode(vocab[external[t]]);
    if (ids.length !== 1 || ids[0] !== external[t]) return `token '${vocab[external[t]]}' does not encode to itself`;
  }
  return { size, external: Int32Array.from(external), left: Int32Array.from(left), right: Int32Array.from(right), len, codes, merged };
}
