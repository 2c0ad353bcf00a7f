// Linear-time exact BPE for one ACGT word (GitHub's `bpe` crate, "backtracking" encoder). Walk left to right taking
// the longest token that matches at the current position; keep it if it can follow the previous token
// (bpe-pair-validity.ts) and its end has not been ruled out, else try its next shorter prefix token; when no prefix
// fits, drop the previous token and mark its start position as a dead end. The result is the only token sequence
// in which every adjacent pair is valid, which is the BPE encoding, provided each token is made by one merge and
// encodes to itself (rankedVocab checks this). On DNA about one token in three is taken back, so the constant
// factors matter: the longest match comes from a table over the next 8 bases (a trie walk only for longer tokens
// and near the word's end) and pair validity from a 2-bit memo.
import type { RankedVocab } from "./bpe-ranked-vocab.js";
import { PairValidity } from "./bpe-pair-validity.js";

/** Bases covered by the longest-match table (4^K entries). */
const K = 8;
const MASK = (1 << (2 * K)) - 1;

export class BacktrackEncoder {
  /** 4-ary trie over base codes: child of node n on code c at [4n + c], 0 = none (the root is node 0). */
  private readonly child: Int32Array;
  /** Ranked token ending at each trie node, or -1. */
  private readonly tokenAt: Int32Array;
  /** Per K-mer (2 bits a base, first base highest): longest token of length <= K that prefixes it, and the trie
   * node at depth K when longer tokens start with it (else 0). */
  private readonly kTok: Int32Array;
  private readonly kNode: Int32Array;
  /** Longest ranked token that is a proper prefix of each token, or -1 (bases). */
  private readonly shorter: Int32Array;
  private readonly len: Int32Array;
  readonly external: Int32Array;
  readonly pairs: PairValidity;
  private alive = new Uint8Array(0); // per word position: 0 once no valid encoding goes on from there
  private stack = new Int32Array(0); // tokens chosen so far (ranked ids)
  private kmer = new Int32Array(0); // per word position: the K-mer starting there

  constructor(v: RankedVocab, denseMax?: number) {
    let nodes = 1;
    for (let t = 0; t < v.size; t++) nodes += v.len[t];
    const child = new Int32Array(4 * nodes);
    const tokenAt = new Int32Array(nodes).fill(-1);
    let used = 1;
    for (let t = 0; t < v.size; t++) {
      let n = 0;
      for (const c of v.codes[t]) {
        if (child[4 * n + c] === 0) child[4 * n + c] = used++;
        n = child[4 * n + c];
      }
      tokenAt[n] = t;
    }
    this.child = child.slice(0, 4 * used);
    this.tokenAt = tokenAt.slice(0, used);
    this.shorter = new Int32Array(v.size).fill(-1);
    for (let t = 0; t < v.size; t++) {
      const codes = v.codes[t];
      let n = 0;
      for (let i = 0; i < codes.length - 1; i++) {
        n = this.child[4 * n + codes[i]];
        if (this.tokenAt[n] >= 0) this.shorter[t] = this.tokenAt[n];
      }
    }
    this.kTok = new Int32Array(MASK + 1).fill(-1);
    this.kNode = new Int32Array(MASK + 1);
    for (let code = 0; code <= MASK; code++) {
      let n = 0;
      for (let i = K - 1; i >= 0 && n >= 0; i--) {
        n = this.child[4 * n + ((code >> (2 * i)) & 3)];
        if (n === 0) n = -1;
        else if (this.tokenAt[n] >= 0) this.kTok[code] = this.tokenAt[n];
      }
      if (n > 0 && this.child[4 * n] + this.child[4 * n + 1] + this.child[4 * n + 2] + this.child[4 * n + 3] > 0) this.kNode[code] = n;
    }
    this.len = v.len;
    this.external = v.external;
    this.pairs = new PairValidity(v, denseMax);
  }

  /** Appends the original ids of the word codes[0..n) (codes 0..3) to out[o..]; returns the new end of out. */
  encodeWord(codes: Uint8Array, n: number, out: Uint32Array, o: number): number {
    if (this.alive.length < n + 1) {
      const cap = Math.max(n + 1, 2 * this.alive.length);
      this.alive = new Uint8Array(cap);
      this.stack = new Int32Array(cap);
      this.kmer = new Int32Array(cap);
    }
    const { shorter, len, pairs, alive, stack, external, kmer } = this;
    alive.fill(1, 0, n + 1);
    let code = 0;
    for (let i = n - 1; i >= 0; i--) {
      code = (code >>> 2) | (codes[i] << (2 * K - 2));
      kmer[i] = code;
    }
    let k = 0; // tokens on the stack
    let pos = 0;
    let token = this.longest(codes, 0, n);
    while (pos < n) {
      const last = k > 0 ? stack[k - 1] : -1;
      for (;;) {
        const end = pos + len[token];
        if (alive[end] !== 0 && (last < 0 || pairs.valid(last, token))) {
          stack[k++] = token;
          pos = end;
          if (pos < n) {
            const node = this.kNode[kmer[pos]];
            token = pos + K <= n && node === 0 ? this.kTok[kmer[pos]] : this.longest(codes, pos, n);
          }
          break;
        }
        const s = shorter[token];
        if (s >= 0) {
          token = s;
          continue;
        }
        // nothing fits after `last`: positions from here on are a dead end, undo `last`
        if (last < 0) throw new Error("BPE backtracking found no encoding (the vocabulary breaks its premises)");
        alive[pos] = 0;
        k--;
        pos -= len[last];
        token = last;
        break;
      }
    }
    for (let i = 0; i < k; i++) out[o + i] = external[stack[i]];
    return o + k;
  }

  /** Longest token at pos: the K-mer table, then the trie below depth K (or the trie alone near the end). */
  private longest(codes: Uint8Array, pos: number, n: number): number {
    const child = this.child;
    const tokenAt = this.tokenAt;
    let node = 0;
    let best = -1;
    let i = pos;
    if (pos + K <= n) {
      const code = this.kmer[pos];
      best = this.kTok[code];
      node = this.kNode[code];
      if (node === 0) return best;
      i = pos + K;
    }
    for (; i < n; i++) {
      node = child[4 * node + codes[i]];
      if (node === 0) break;
      const t = tokenAt[node];
      if (t >= 0) best = t;
    }
    return best;
  }
}
