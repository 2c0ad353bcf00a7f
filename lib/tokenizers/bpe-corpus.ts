// The BPE training corpus as flat arrays, one slot per base: the words (maximal ACGT runs, what the tokenizer.json
// pre-tokenizer yields) are stored back to back with linked-list links that end at word boundaries.
// Memory: 12 bytes per base (symbol, next, prev), allocated once from the known base count.
import { BASE_CODE, normalizeChar } from "./alphabet.js";

export class BpeCorpus {
  /** Base code 0..3 while loading; token id after the trainer remaps it; -1 where a symbol was merged away. */
  readonly sym: Int32Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  length = 0;
  /** Non-ACGT chars seen (normalized): each is a one-char word, so it joins the alphabet but never merges. */
  readonly otherChars = new Set<number>();
  /** How many non-ACGT chars were seen (each is one token). */
  otherCount = 0;

  constructor(capacity: number) {
    this.sym = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
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

  private addWord(seq: string, start: number, end: number): void {
    const o = this.length;
    const len = end - start;
    if (o + len > this.sym.length) throw new Error(`BPE corpus holds more than the ${this.sym.length} bases it was sized for`);
    for (let i = 0; i < len; i++) {
      this.sym[o + i] = BASE_CODE[seq.charCodeAt(start + i)];
      this.next[o + i] = o + i + 1;
      this.prev[o + i] = o + i - 1;
    }
    this.next[o + len - 1] = -1;
    this.prev[o] = -1;
    this.length = o + len;
  }
}
