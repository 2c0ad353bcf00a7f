// Nucleotide Transformer's non-overlapping k-mers: within each run of ACGT, k-mers from the run's start, the
// remainder as single nucleotides; N is its own token; any other char is [UNK].
// Layout: [specials] then the 4^k k-mers (lexicographic) then A, C, G, T, N.
import { BASE_CODE, BASES, allKmers, specialIdsOf, type SpecialIds } from "./alphabet.js";
import type { IdBuffer } from "./id-buffer.js";
import type { DnaTokenizer } from "./tokenizer.js";

export class KmerNonOverlappingTokenizer implements DnaTokenizer {
  readonly kind = "kmer-nonoverlapping" as const;
  readonly vocab: string[];
  readonly specials: SpecialIds;
  private readonly first: number;
  /** Id of A, C, G, T, N (code 0..4); [UNK] for other codes. */
  private readonly single: Uint32Array;

  constructor(
    readonly k: number,
    readonly specialTokens: string[],
  ) {
    this.specials = specialIdsOf(specialTokens);
    this.first = specialTokens.length;
    this.vocab = [...specialTokens, ...allKmers(k), ...BASES, "N"];
    this.single = new Uint32Array(256).fill(this.specials.unk);
    for (let c = 0; c < 5; c++) this.single[c] = this.first + 4 ** k + c;
  }

  encode(seq: string, out: IdBuffer): void {
    const n = seq.length;
    const k = this.k;
    out.reserve(n);
    const d = out.data;
    let o = out.length;
    const single = this.single;
    const first = this.first;
    let i = 0;
    while (i < n) {
      let j = i;
      while (j < n && BASE_CODE[seq.charCodeAt(j)] < 4) j++;
      // run [i, j) of ACGT: whole k-mers first, then single bases
      while (i + k <= j) {
        let code = 0;
        for (let e = i + k; i < e; i++) code = (code << 2) | BASE_CODE[seq.charCodeAt(i)];
        d[o++] = first + code;
      }
      for (; i < j; i++) d[o++] = single[BASE_CODE[seq.charCodeAt(i)]];
      if (j < n) {
        d[o++] = single[BASE_CODE[seq.charCodeAt(j)]];
        i = j + 1;
      }
    }
    out.length = o;
  }

  /** encode() over bytes (same loop; kept apart so each stays monomorphic and fast). */
  encodeBytes(bytes: Uint8Array, start: number, n: number, out: IdBuffer): void {
    const k = this.k;
    out.reserve(n - start);
    const d = out.data;
    let o = out.length;
    const single = this.single;
    const first = this.first;
    let i = start;
    while (i < n) {
      let j = i;
      while (j < n && BASE_CODE[bytes[j]] < 4) j++;
      while (i + k <= j) {
        let code = 0;
        for (let e = i + k; i < e; i++) code = (code << 2) | BASE_CODE[bytes[i]];
        d[o++] = first + code;
      }
      for (; i < j; i++) d[o++] = single[BASE_CODE[bytes[i]]];
      if (j < n) {
        d[o++] = single[BASE_CODE[bytes[j]]];
        i = j + 1;
      }
    }
    out.length = o;
  }
}
