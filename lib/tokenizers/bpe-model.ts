// BPE encoding with Hugging Face's semantics: a sequence is split at every non-ACGT char (the tokenizer.json
// pre-tokenizer), each ACGT run is one word, and within a word the pair of lowest merge rank is merged first,
// leftmost first on equal rank (HF's Word::merge_all). Non-ACGT chars are their own token or [UNK].
// Two encoders give the same ids: the reference one replays the merges (bpe-merge-word.ts); the fast one
// (bpe-backtrack.ts, linear time) is used whenever rankedVocab finds its premises hold, which is the case for
// vocabularies trained by dnaflow or HF (checked when the first sequence is encoded; `fastEncoder()` says why not).
import { BASE_CODE, BASES, normalizeChar, specialIdsOf, type SpecialIds } from "./alphabet.js";
import { IdBuffer } from "./id-buffer.js";
import { PairLookup } from "./pair-lookup.js";
import { PairTable } from "./pair-table.js";
import type { DnaTokenizer } from "./tokenizer.js";
import { mergeWord, WordScratch } from "./bpe-merge-word.js";
import { BacktrackEncoder } from "./bpe-backtrack.js";
import { rankedVocab } from "./bpe-ranked-vocab.js";

export interface BpeMerges {
  /** Left and right token ids of each merge, in rank order. */
  left: Int32Array;
  right: Int32Array;
}

export class BpeTokenizer implements DnaTokenizer {
  readonly kind = "bpe" as const;
  readonly specials: SpecialIds;
  readonly pairs: PairTable;
  readonly lookup: PairLookup;
  /** Per pair index: merge rank and resulting token id. */
  readonly rank: Int32Array;
  readonly result: Int32Array;
  /** Token id of each base code 0..3 (A, C, G, T). */
  private readonly baseIds: Int32Array;
  private readonly charIds = new Map<number, number>();
  private readonly scratch: WordScratch;
  /** The fast encoder, or why this vocabulary cannot use it; built on first use (training never needs it). */
  private fast: BacktrackEncoder | string | undefined;
  private codes = new Uint8Array(1024);

  constructor(
    readonly vocab: string[],
    readonly specialTokens: string[],
    readonly merges: BpeMerges,
  ) {
    this.specials = specialIdsOf(specialTokens);
    const ids = new Map(vocab.map((t, i) => [t, i]));
    this.baseIds = new Int32Array(4);
    for (let c = 0; c < 4; c++) {
      const id = ids.get(BASES[c]);
      if (id === undefined) throw new Error(`BPE vocab lacks the base '${BASES[c]}'`);
      this.baseIds[c] = id;
    }
    for (const [t, i] of ids) if (t.length === 1 && BASE_CODE[t.charCodeAt(0)] >= 4) this.charIds.set(t.charCodeAt(0), i);
    const n = merges.left.length;
    this.pairs = new PairTable(n);
    this.rank = new Int32Array(n);
    this.result = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const a = merges.left[r];
      const b = merges.right[r];
      const merged = ids.get(vocab[a] + vocab[b]);
      if (merged === undefined) throw new Error(`BPE merge '${vocab[a]} ${vocab[b]}' makes a token missing from the vocab`);
      // a pair listed twice keeps its last rank, as HF's merge map does
      const p = this.pairs.intern(a, b);
      this.rank[p] = r;
      this.result[p] = merged;
    }
    const index = Int32Array.from(merges.left, (a, r) => this.pairs.get(a, merges.right[r]));
    this.lookup = new PairLookup(this.pairs, vocab.length, merges.left, merges.right, index);
    this.scratch = new WordScratch(n);
  }

  /** The linear-time encoder, or the reason this vocabulary uses the reference encoder. */
  fastEncoder(denseMax?: number): BacktrackEncoder | string {
    if (this.fast === undefined || denseMax !== undefined) {
      const ids = this.vocab.map((t, i) => [t, i] as const);
      const byString = new Map(ids);
      const v = rankedVocab(
        this.vocab,
        this.baseIds,
        this.merges.left,
        this.merges.right,
        (r) => byString.get(this.vocab[this.merges.left[r]] + this.vocab[this.merges.right[r]])!,
        (token) => {
          const buf = new IdBuffer(token.length);
          this.encodeReference(token, buf);
          return buf.toArray();
        },
      );
      const fast = typeof v === "string" ? v : new BacktrackEncoder(v, denseMax);
      if (denseMax !== undefined) return fast; // a test's variant: not kept
      this.fast = fast;
    }
    return this.fast;
  }

  encode(seq: string, out: IdBuffer): void {
    const fast = this.fast ?? this.fastEncoder();
    if (typeof fast === "string") return this.encodeReference(seq, out);
    this.encodeWith(fast, seq, out);
  }

  /** Encodes with a given fast encoder (tests pass variants). */
  encodeWith(fast: BacktrackEncoder, seq: string, out: IdBuffer): void {
    const n = seq.length;
    out.reserve(n);
    if (this.codes.length < n) this.codes = new Uint8Array(Math.max(n, 2 * this.codes.length));
    const codes = this.codes;
    let i = 0;
    while (i < n) {
      let j = i;
      let c = 0;
      while (j < n && (c = BASE_CODE[seq.charCodeAt(j)]) < 4) codes[j++ - i] = c;
      if (j > i) out.length = fast.encodeWord(codes, j - i, out.data, out.length);
      if (j < n) out.data[out.length++] = this.charIds.get(normalizeChar(seq.charCodeAt(j))) ?? this.specials.unk;
      i = j + 1;
    }
  }

  /** encode() of bytes[start, end) read as latin1, without a string per sequence (the fast encoder's loop over bytes). */
  encodeBytes(bytes: Uint8Array, start: number, end: number, out: IdBuffer): void {
    const fast = this.fast ?? this.fastEncoder();
    if (typeof fast === "string") return this.encodeReference(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1", start, end), out);
    const n = end - start;
    out.reserve(n);
    if (this.codes.length < n) this.codes = new Uint8Array(Math.max(n, 2 * this.codes.length));
    const codes = this.codes;
    let i = start;
    while (i < end) {
      let j = i;
      let c = 0;
      while (j < end && (c = BASE_CODE[bytes[j]]) < 4) codes[j++ - i] = c;
      if (j > i) out.length = fast.encodeWord(codes, j - i, out.data, out.length);
      if (j < end) out.data[out.length++] = this.charIds.get(normalizeChar(bytes[j])) ?? this.specials.unk;
      i = j + 1;
    }
  }

  sharedState(): SharedArrayBuffer | undefined {
    const fast = this.fastEncoder();
    return typeof fast === "string" ? undefined : fast.pairs.share();
  }

  useSharedState(shared: SharedArrayBuffer): void {
    const fast = this.fastEncoder();
    if (typeof fast !== "string") fast.pairs.useShared(shared);
  }

  prepare(bases: number, part = 0, parts = 1): void {
    const fast = this.fastEncoder();
    // a full memo pays off past ~16 bases a pair (measured on 4,096 tokens: 1.3 s to fill; 2.5 s of first sights in 300 MB)
    if (typeof fast !== "string" && bases >= 16 * fast.pairs.tokens ** 2) fast.pairs.fill(part, parts);
  }

  /** The reference encoder: replays the merges by rank, exactly as HF does. */
  encodeReference(seq: string, out: IdBuffer): void {
    const n = seq.length;
    out.reserve(n);
    let i = 0;
    while (i < n) {
      let j = i;
      while (j < n && BASE_CODE[seq.charCodeAt(j)] < 4) j++;
      if (j > i) mergeWord(this, seq, i, j, this.baseIds, this.scratch, out);
      if (j < n) {
        const id = this.charIds.get(normalizeChar(seq.charCodeAt(j)));
        out.push(id ?? this.specials.unk);
      }
      i = j + 1;
    }
  }
}
