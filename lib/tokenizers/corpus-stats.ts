// Tokenizer statistics over a corpus: mean bases per token and token-length histograms (by vocab and by use).
import { BASE_CODE } from "./alphabet.js";
import { IdBuffer } from "./id-buffer.js";
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

  /** Counts one sequence given as its token count and (id, occurrences) pairs. */
  addCounted(seqLength: number, tokens: number, uses: ReadonlyArray<readonly [number, number]>): void {
    this.sequences++;
    this.bases += seqLength;
    this.tokens += tokens;
    for (const [id, n] of uses) this.uses[id] += n;
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

/**
 * For fixed-vocabulary tokenizers (k-mers, single nucleotide), whose every ACGT/acgt word is in the vocab: the stats
 * of a clean sequence (only those bases) depend on its length alone, so a clean sequence of length L counts as
 * "A" × L would. Only sequences with other bytes (N, IUPAC) need encoding. Same figures as encoding every sequence.
 */
export class FixedVocabStats {
  private readonly byLength = new Map<number, { tokens: number; uses: Array<[number, number]> }>();
  private readonly buf = new IdBuffer();
  readonly collector: StatsCollector;

  constructor(private readonly tok: DnaTokenizer) {
    this.collector = new StatsCollector(tok);
  }

  /** Adds line[start, end) (bytes). */
  addBytes(line: Uint8Array, start: number, end: number): void {
    let clean = true;
    for (let i = start; i < end; i++) {
      if (BASE_CODE[line[i]] >= 4) {
        clean = false;
        break;
      }
    }
    const n = end - start;
    if (!clean) {
      this.buf.clear();
      this.tok.encode(Buffer.from(line.buffer, line.byteOffset + start, n).toString("latin1"), this.buf);
      this.collector.add(n, this.buf);
      return;
    }
    let c = this.byLength.get(n);
    if (!c) {
      this.buf.clear();
      this.tok.encode("A".repeat(n), this.buf);
      const uses = new Map<number, number>();
      for (let i = 0; i < this.buf.length; i++) uses.set(this.buf.data[i], (uses.get(this.buf.data[i]) ?? 0) + 1);
      c = { tokens: this.buf.length, uses: [...uses] };
      this.byLength.set(n, c);
    }
    this.collector.addCounted(n, c.tokens, c.uses);
  }
}
