// Pair -> merge index for encoding, tuned for the hot loop: one packed key (a << 16 | b) per slot, key and value
// side by side, load factor <= 1/4. Vocabularies over 65,536 tokens fall back to the general PairTable.
import { PairTable } from "./pair-table.js";

export class PairLookup {
  private readonly slots: Int32Array; // [key, value] pairs; key -1 = empty
  private readonly shift: number;
  private readonly packed: boolean;

  constructor(
    readonly table: PairTable,
    vocabSize: number,
    left: Int32Array,
    right: Int32Array,
    index: Int32Array,
  ) {
    this.packed = vocabSize <= 65536;
    let bits = 4;
    while (1 << bits < left.length * 4) bits++;
    this.shift = 32 - bits;
    this.slots = new Int32Array(2 << bits).fill(-1);
    if (!this.packed) return;
    const mask = (1 << bits) - 1;
    for (let i = 0; i < left.length; i++) {
      const key = (left[i] << 16) | right[i];
      let h = Math.imul(key, 0x9e3779b1) >>> this.shift;
      while (this.slots[2 * h] !== -1 && this.slots[2 * h] !== key) h = (h + 1) & mask;
      this.slots[2 * h] = key;
      this.slots[2 * h + 1] = index[i];
    }
  }

  get(a: number, b: number): number {
    if (!this.packed) return this.table.get(a, b);
    const key = (a << 16) | b;
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let h = Math.imul(key, 0x9e3779b1) >>> this.shift; ; h = (h + 1) & mask) {
      const k = slots[2 * h];
      if (k === key) return slots[2 * h + 1];
      if (k === -1) return -1;
    }
  }
}
