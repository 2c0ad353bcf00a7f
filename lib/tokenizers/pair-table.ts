// Open-addressing hash map from a pair of token ids (a, b) to a dense index, with no per-entry allocation.
// Used by BPE encoding (pair -> merge) and training (pair -> count slot).

export class PairTable {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private slots: Int32Array; // dense index, -1 = empty
  private shift: number;
  size = 0;

  constructor(expected = 1024) {
    let bits = 4;
    while (1 << bits < expected * 2) bits++;
    this.shift = 32 - bits;
    this.keysA = new Int32Array(1 << bits);
    this.keysB = new Int32Array(1 << bits);
    this.slots = new Int32Array(1 << bits).fill(-1);
  }

  private home(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> this.shift;
  }

  /** Dense index of (a, b), or -1. */
  get(a: number, b: number): number {
    const mask = this.slots.length - 1;
    for (let h = this.home(a, b); ; h = (h + 1) & mask) {
      const s = this.slots[h];
      if (s < 0) return -1;
      if (this.keysA[h] === a && this.keysB[h] === b) return s;
    }
  }

  /** Dense index of (a, b); a new pair gets index `size` (then size grows). */
  intern(a: number, b: number): number {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    for (let h = this.home(a, b); ; h = (h + 1) & mask) {
      const s = this.slots[h];
      if (s < 0) {
        this.keysA[h] = a;
        this.keysB[h] = b;
        this.slots[h] = this.size;
        return this.size++;
      }
      if (this.keysA[h] === a && this.keysB[h] === b) return s;
    }
  }

  private grow(): void {
    const { keysA, keysB, slots } = this;
    const n = slots.length * 2;
    this.shift--;
    this.keysA = new Int32Array(n);
    this.keysB = new Int32Array(n);
    this.slots = new Int32Array(n).fill(-1);
    const mask = n - 1;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] < 0) continue;
      let h = this.home(keysA[i], keysB[i]);
      while (this.slots[h] >= 0) h = (h + 1) & mask;
      this.keysA[h] = keysA[i];
      this.keysB[h] = keysB[i];
      this.slots[h] = slots[i];
    }
  }
}
