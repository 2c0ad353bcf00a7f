// A growable Uint32Array: encoders append ids into it without per-token allocation.

export class IdBuffer {
  data: Uint32Array;
  length = 0;

  constructor(capacity = 4096) {
    this.data = new Uint32Array(capacity);
  }

  /** Makes room for `n` more ids; encoders then write `data[length++]` directly. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  push(id: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = id;
  }

  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }

  toArray(): number[] {
    return Array.from(this.view());
  }

  clear(): void {
    this.length = 0;
  }
}
