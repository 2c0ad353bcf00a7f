// Character-level tokens (HyenaDNA, AIDO.DNA): [specials] then A, C, G, T, N; any other char is [UNK].
import { BASE_CODE, BASES, specialIdsOf, type SpecialIds } from "./alphabet.js";
import type { IdBuffer } from "./id-buffer.js";
import type { DnaTokenizer } from "./tokenizer.js";

export class SingleNucleotideTokenizer implements DnaTokenizer {
  readonly kind = "single-nucleotide" as const;
  readonly vocab: string[];
  readonly specials: SpecialIds;
  private readonly byCode: Uint32Array;
  /** Id of each byte value: one lookup a base on the byte path. */
  private readonly byByte: Uint32Array;

  constructor(readonly specialTokens: string[]) {
    this.specials = specialIdsOf(specialTokens);
    this.vocab = [...specialTokens, ...BASES, "N"];
    this.byCode = new Uint32Array(256).fill(this.specials.unk);
    for (let c = 0; c < 5; c++) this.byCode[c] = specialTokens.length + c;
    this.byByte = Uint32Array.from({ length: 256 }, (_, b) => this.byCode[BASE_CODE[b]]);
  }

  encode(seq: string, out: IdBuffer): void {
    const n = seq.length;
    out.reserve(n);
    const d = out.data;
    const byCode = this.byCode;
    let o = out.length;
    for (let i = 0; i < n; i++) d[o++] = byCode[BASE_CODE[seq.charCodeAt(i)]];
    out.length = o;
  }

  encodeBytes(bytes: Uint8Array, start: number, end: number, out: IdBuffer): void {
    out.reserve(end - start);
    const d = out.data;
    const byByte = this.byByte;
    let o = out.length;
    for (let i = start; i < end; i++) d[o++] = byByte[bytes[i]];
    out.length = o;
  }
}
