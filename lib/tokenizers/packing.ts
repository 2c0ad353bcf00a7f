// Turns encoded sequences ([CLS] ids [SEP]) into rows:
//  blocks: concatenated and cut into rows of exactly maxLength tokens, the last partial block dropped (RoBERTa's
//          run_mlm group_texts); a sequence may span two blocks.
//  rows:   one sequence per row, cut to maxLength keeping [SEP] last.
import type { Packing } from "./token-shards-format.js";

/** Receives each finished row; it must copy what it keeps (the block array is reused). */
export type RowSink = (row: Uint32Array, label?: number) => void;

export class Packer {
  private readonly block: Uint32Array;
  private filled = 0;
  truncatedRows = 0;

  constructor(private readonly packing: Packing, private readonly maxLength: number, private readonly sink: RowSink) {
    this.block = new Uint32Array(maxLength);
  }

  /** `ids` is one encoded sequence including [CLS] and [SEP]. */
  add(ids: Uint32Array, label?: number): void {
    if (this.packing === "rows") {
      if (ids.length <= this.maxLength) return this.sink(ids, label);
      this.truncatedRows++;
      const row = ids.slice(0, this.maxLength);
      row[this.maxLength - 1] = ids[ids.length - 1];
      return this.sink(row, label);
    }
    let i = 0;
    while (i < ids.length) {
      const take = Math.min(ids.length - i, this.maxLength - this.filled);
      this.block.set(ids.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.maxLength) {
        this.sink(this.block);
        this.filled = 0;
      }
    }
  }

  /** Tokens left in the unfinished block (dropped). */
  get droppedTokens(): number {
    return this.packing === "blocks" ? this.filled : 0;
  }
}
