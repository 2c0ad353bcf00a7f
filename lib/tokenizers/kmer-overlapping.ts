// DNABERT's overlapping k-mers (stride 1): [specials] then the 4^k k-mers in lexicographic ACGT order.
// A k-mer containing any non-ACGT base is [UNK]; a sequence shorter than k has no k-mers (DNABERT's seq2kmer).
import { BASE_CODE, allKmers, specialIdsOf, type SpecialIds } from "./alphabet.js";
import type { IdBuffer } from "./id-buffer.js";
import type { DnaTokenizer } from "./tokenizer.js";

export class KmerOverlappingTokenizer implements DnaTokenizer {
  readonly kind = "kmer-overlapping" as const;
  readonly vocab: string[];
  readonly specials: SpecialIds;
  private readonly first: number;

  constructor(readonly k: number, readonly specialTokens: string[]) {
    this.specials = specialIdsOf(specialTokens);
    this.first = specialTokens.length;
    this.vocab = [...specialTokens, ...allKmers(k)];
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
    let code = 0;
    let valid = 0; // ACGT bases in a row ending here
    for (let i = 0; i < n; i++) {
      const b = BASE_CODE[seq.charCodeAt(i)];
      if (b < 4) {
        code = ((code << 2) | b) & mask;
        valid++;
      } else valid = 0;
      if (i >= k - 1) d[o++] = valid >= k ? first + code : unk;
    }
    out.length = o;
  }
}
