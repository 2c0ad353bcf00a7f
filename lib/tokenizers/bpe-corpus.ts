// The BPE training corpus as one flat symbol array, one slot per base: the words (maximal ACGT runs, what the
// tokenizer.json pre-tokenizer yields) are stored back to back, their first slots marked in a bitset. While training,
// a merged token keeps its first slot and the slots it swallowed become GAP, so no links are needed: neighbours are
// found by skipping GAPs (tokens are a few bases long).
// Memory: 2 bytes per base (4 when the vocabulary may pass 65,535 tokens) + 1 bit per base, allocated once.
import { BASE_CODE, normalizeChar } from "./alphabet.js";

/** Largest vocabulary whose ids fit 16-bit slots next to the GAP value. */
const MAX_16BIT_VOCAB = 0xffff;

export class BpeCorpus {
  /** Base code 0..3 while loading; token id after the trainer remaps it; GAP where a symbol was merged away. */
  readonly sym: Uint16Array | Uint32Array;
  readonly gap: number;
  /** Bit i set: slot i starts a word (merges never cross it). */
  readonly wordStart: Uint8Array;
  /** Most tokens the symbol slots can name (the vocabulary size the corpus was sized for). */
  readonly maxVocab: number;
  length = 0;
  /** Non-ACGT chars seen (normalized): each is a one-char word, so it joins the alphabet but never merges. */
  readonly otherChars = new Set<number>();
  /** How many non-ACGT chars were seen (each is one token). */
  otherCount = 0;

  constructor(capacity: number, vocabSize = MAX_16BIT_VOCAB) {
    // Typed arrays and our Uint32 positions address at most 2^32 - 1 slots.
    if (capacity > 0xffffffff - 1) throw new RangeError(`a BPE corpus holds at most ${0xffffffff - 1} bases; this one has ${capacity}: use sampleFraction`);
    const wide = vocabSize > MAX_16BIT_VOCAB;
    this.sym = wide ? new Uint32Array(capacity) : new Uint16Array(capacity);
    this.gap = wide ? 0xffffffff : 0xffff;
    this.maxVocab = wide ? 0xffffffff : MAX_16BIT_VOCAB;
    this.wordStart = new Uint8Array((capacity >>> 3) + 1);
  }

  isWordStart(i: number): boolean {
    return (this.wordStart[i >>> 3] & (1 << (i & 7))) !== 0;
  }

  add(seq: string): void {
    const n = seq.length;
    let i = 0;
    while (i < n) {
      let j = i;
      while (j < n && BASE_CODE[seq.charCodeAt(j)] < 4) j++;
      if (j > i) this.addWord(seq, i, j);
      if (j < n) {
        this.otherChars.add(normalizeChar(seq.charCodeAt(j)));
        this.otherCount++;
      }
      i = j + 1;
    }
  }

  /** add() of bytes[start, end) read as latin1, straight from a segment shard's bytes: no string per segment. */
  addBytes(bytes: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end) {
      let j = i;
      while (j < end && BASE_CODE[bytes[j]] < 4) j++;
      if (j > i) {
        const o = this.reserveWord(j - i);
        for (let k = i; k < j; k++) this.sym[o + k - i] = BASE_CODE[bytes[k]];
      }
      if (j < end) {
        this.otherChars.add(normalizeChar(bytes[j]));
        this.otherCount++;
      }
      i = j + 1;
    }
  }

  private addWord(seq: string, start: number, end: number): void {
    const o = this.reserveWord(end - start);
    for (let i = 0; i < end - start; i++) this.sym[o + i] = BASE_CODE[seq.charCodeAt(start + i)];
  }

  /** Marks a word of `len` slots starting at the end of the corpus; returns its first slot. */
  private reserveWord(len: number): number {
    const o = this.length;
    if (o + len > this.sym.length) throw new Error(`BPE corpus holds more than the ${this.sym.length} bases it was sized for`);
    this.wordStart[o >>> 3] |= 1 << (o & 7);
    this.length = o + len;
    return o;
  }
}
