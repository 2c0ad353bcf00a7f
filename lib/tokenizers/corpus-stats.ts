// Tokenizer statistics over a corpus: mean bases per token and token-length histograms (by vocab and by use).
import type { IdBuffer } from "./id-buffer.js";
import type { DnaTokenizer } from "./tokenizer.js";

export interface TokenizerStats {
  kind: string;
  vocabSize: number;
  corpusSequences: number;
  corpusBases: number;
  corpusTokens: number;
  /** corpusBases / corpusTokens (excluding [CLS]/[SEP]); for overlapping k-mers about 1. */
  meanBasesPerToken: number;
  /** Token string length -> number of vocab entries (special tokens excluded). */
  vocabTokenLengths: Record<string, number>;
  /** Token string length -> occurrences in the corpus. */
  corpusTokenLengths: Record<string, number>;
}

export class StatsCollector {
  private readonly uses: Float64Array;
  sequences = 0;
  bases = 0;
  tokens = 0;

  constructor(private readonly tok: DnaTokenizer) {
    this.uses = new Float64Array(tok.vocab.length);
  }

  /** Counts one encoded sequence (ids without [CLS]/[SEP]). */
  add(seqLength: number, ids: IdBuffer): void {
    this.sequences++;
    this.bases += seqLength;
    this.tokens += ids.length;
    const d = ids.data;
    for (let i = 0; i < ids.length; i++) this.uses[d[i]]++;
  }

  result(): TokenizerStats {
    const tok = this.tok;
    const nSpecial = tok.specialTokens.length;
    const vocabLengths: Record<string, number> = {};
    const corpusLengths: Record<string, number> = {};
    tok.vocab.forEach((t, id) => {
      const special = id < nSpecial;
      if (!special) vocabLengths[t.length] = (vocabLengths[t.length] ?? 0) + 1;
      if (this.uses[id] > 0) {
        const key = special ? t : String(t.length);
        corpusLengths[key] = (corpusLengths[key] ?? 0) + this.uses[id];
      }
    });
    return {
      kind: tok.kind,
      vocabSize: tok.vocab.length,
      corpusSequences: this.sequences,
      corpusBases: this.bases,
      corpusTokens: this.tokens,
      meanBasesPerToken: this.tokens ? Number((this.bases / this.tokens).toFixed(4)) : 0,
      vocabTokenLengths: vocabLengths,
      corpusTokenLengths: corpusLengths,
    };
  }
}
