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
  /**
   * The same ids as encode(bytes[start, end) read as latin1), straight from the bytes: no string per sequence (every
   * kind's tables work on char codes, and a latin1 char code is its byte).
   */
  encodeBytes(bytes: Uint8Array, start: number, end: number, out: IdBuffer): void;
  /**
   * What encoding learns (BPE: its pair-validity memo), in shared memory for threads encoding with their own copies of
   * this tokenizer (useSharedState()); undefined when there is nothing to share.
   */
  sharedState?(): SharedArrayBuffer | undefined;
  useSharedState?(shared: SharedArrayBuffer): void;
  /**
   * Prepares for encoding about `bases` bases (BPE: fills its pair-validity memo ahead when that costs less than filling
   * it as encoding goes); with a shared state, thread `part` of `parts` does its share.
   */
  prepare?(bases: number, part?: number, parts?: number): void;
}

/** Ids of a sequence as Hugging Face's encode() returns them: [CLS] ids [SEP]. */
export function encodeWithSpecials(tok: DnaTokenizer, seq: string, out: IdBuffer): void {
  out.push(tok.specials.cls);
  tok.encode(seq, out);
  out.push(tok.specials.sep);
}

/** encodeWithSpecials() of bytes[start, end) read as latin1. */
export function encodeBytesWithSpecials(tok: DnaTokenizer, bytes: Buffer, start: number, end: number, out: IdBuffer): void {
  out.push(tok.specials.cls);
  tok.encodeBytes(bytes, start, end, out);
  out.push(tok.specials.sep);
}
