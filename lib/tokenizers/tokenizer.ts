// The interface every tokenizer kind implements, and the kinds' names.
import type { SpecialIds } from "./alphabet.js";
import type { IdBuffer } from "./id-buffer.js";

export const TOKENIZER_KINDS = ["bpe", "kmer-overlapping", "kmer-nonoverlapping", "single-nucleotide"] as const;
export type TokenizerKind = (typeof TOKENIZER_KINDS)[number];

export const MIN_K = 3;
export const MAX_K = 6;

export interface DnaTokenizer {
  readonly kind: TokenizerKind;
  /** k for k-mer kinds; undefined otherwise. */
  readonly k?: number;
  /** Token strings by id (special tokens first). */
  readonly vocab: readonly string[];
  readonly specialTokens: readonly string[];
  readonly specials: SpecialIds;
  /** Appends the ids of one sequence, without [CLS]/[SEP], to `out`. */
  encode(seq: string, out: IdBuffer): void;
}

/** Ids of a sequence as Hugging Face's encode() returns them: [CLS] ids [SEP]. */
export function encodeWithSpecials(tok: DnaTokenizer, seq: string, out: IdBuffer): void {
  out.push(tok.specials.cls);
  tok.encode(seq, out);
  out.push(tok.specials.sep);
}
