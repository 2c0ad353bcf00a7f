// vocab.txt beside tokenizer.json for overlapping k-mers: one token per line in id order, the file BertTokenizer
// (DNABERT's DNATokenizer) reads. In DNABERT order with the default specials it is byte-identical to DNABERT's
// released bert-config-{3,4,5,6}/vocab.txt, whose k = 6 file ends with a newline and whose k = 3, 4, 5 files do not.
import { DEFAULT_SPECIAL_TOKENS } from "./alphabet.js";
import type { KmerOverlappingTokenizer } from "./kmer-overlapping.js";

export const VOCAB_TXT = "vocab.txt";

export function vocabTxt(tok: KmerOverlappingTokenizer): string {
  const body = tok.vocab.join("\n");
  const dnabert = tok.order === "dnabert" && tok.specialTokens.join("\n") === DEFAULT_SPECIAL_TOKENS.join("\n");
  return dnabert && tok.k !== 6 ? body : body + "\n";
}
