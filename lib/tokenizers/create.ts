// Builds the fixed-layout tokenizer kinds from their params (BPE needs training: see bpe-trainer.ts).
import type { KmerOrder } from "./alphabet.js";
import { KmerNonOverlappingTokenizer } from "./kmer-nonoverlapping.js";
import { KmerOverlappingTokenizer } from "./kmer-overlapping.js";
import { SingleNucleotideTokenizer } from "./single-nucleotide.js";
import { MAX_K, MIN_K, TOKENIZER_KINDS, type DnaTokenizer } from "./tokenizer.js";

/** `order` applies to overlapping k-mers only (default: DNABERT's). */
export function createFixedTokenizer(kind: string, k: number, specialTokens: string[], order: KmerOrder = "dnabert"): DnaTokenizer {
  if (kind === "kmer-overlapping" || kind === "kmer-nonoverlapping") {
    if (!Number.isInteger(k) || k < MIN_K || k > MAX_K) throw new Error(`k = ${k} is out of range ${MIN_K}..${MAX_K}`);
    return kind === "kmer-overlapping" ? new KmerOverlappingTokenizer(k, specialTokens, order) : new KmerNonOverlappingTokenizer(k, specialTokens);
  }
  if (kind === "single-nucleotide") return new SingleNucleotideTokenizer(specialTokens);
  if (kind === "bpe") throw new Error("a bpe tokenizer is trained, not created: use trainBpe()");
  throw new Error(`unknown tokenizer kind '${kind}' (known: ${TOKENIZER_KINDS.join(", ")})`);
}
