// DNABERT's overlapping k-mers (stride 1): [specials] then the 4^k k-mers, by default in DNABERT's own order (its
// released vocab.txt: base 4 with digits A T C G, so AAAAAA=5, AAAAAT=6, AAAAAC=7 … GGGGGG=4100 for k = 6), or in
// lexicographic ACGT order when asked. A k-mer containing any non-ACGT base is [UNK]; a sequence shorter than k has
// no k-mers (DNABERT's seq2kmer).
import { allKmers, kmerDigitTable, specialIdsOf, type KmerOrder, type SpecialIds } from "./alphabet.js";
import type { IdBuffer } from "./id-buffer.js";
import type { DnaTokenizer } from "./tokenizer.js";

export class KmerOverlappingTokenizer implements DnaTokenizer {
  readonly kind = "kmer-overlapping" as const;
  readonly vocab: string[];
  readonly specials: SpecialIds;
  private readonly first: number;
  private readonly digit: Uint8Array;

  constructor(
    readonly k: number,
    readonly specialTokens: string[],
    readonly order: KmerOrder = "dnabert",
  ) {
    this.specials = specialIdsOf(specialTokens);
    this.first = specialTokens.length;
    this.vocab = [...specialTokens, ...allKmers(k, order)];
    this.digit = kmerDigitTable(order);
  }

  encode(seq: string, out: IdBuffer): void {
    const n = seq.length;
    const k = this.k;
    if (n < k) return;
    out.reserve(n - k + 1);
    const d = out.data;
    let o = out.length;
    const mask = (1 << (2 * k)) - 1;
    const first = this.first;
    const unk = this.specials.unk;
    const digit = this.digit;
    // A k-mer ending at i is whole ACGT when the last non-ACGT char is at least k back. The first k - 1 chars end no
    // k-mer: a loop of their own keeps that test out of the main loop (a third faster than counting valid bases).
    let code = 0;
    let bad = -1; // position of the last non-ACGT char
    let i = 0;
    for (; i < k - 1; i++) {
      const b = digit[seq.charCodeAt(i)];
      if (b < 4) code = ((code << 2) | b) & mask;
      else bad = i;
    }
    for (; i < n; i++) {
      const b = digit[seq.charCodeAt(i)];
      if (b < 4) code = ((code << 2) | b) & mask;
      else bad = i;
      d[o++] = i - bad >= k ? first + code : unk;
    }
    out.length = o;
  }

  /** encode() over bytes (same loop; kept apart so each stays monomorphic and fast). */
  encodeBytes(bytes: Uint8Array, start: number, end: number, out: IdBuffer): void {
    const k = this.k;
    if (end - start < k) return;
    out.reserve(end - start - k + 1);
    const d = out.data;
    let o = out.length;
    const mask = (1 << (2 * k)) - 1;
    const first = this.first;
    const unk = this.specials.unk;
    const digit = this.digit;
    let code = 0;
    let bad = start - 1;
    let i = start;
    for (const warm = start + k - 1; i < warm; i++) {
      const b = digit[bytes[i]];
      if (b < 4) code = ((code << 2) | b) & mask;
      else bad = i;
    }
    for (; i < end; i++) {
      const b = digit[bytes[i]];
      if (b < 4) code = ((code << 2) | b) & mask;
      else bad = i;
      d[o++] = i - bad >= k ? first + code : unk;
    }
    out.length = o;
  }
}
