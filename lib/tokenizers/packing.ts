// Turns encoded sequences ([CLS] ids [SEP]) into rows:
//  blocks: concatenated and cut into rows of exactly maxLength tokens, the last partial block dropped (RoBERTa's
//          run_mlm group_texts); a sequence may span two blocks.
//  rows:   one sequence per row, cut to maxLength keeping [SEP] last.
import type { Packing, TokenDtype, TokenIds } from "./token-shards-format.js";

/** Receives each finished row, row[start, end); it must copy what it keeps (the block array is reused). */
export type RowSink = (row: Uint32Array, start: number, end: number, label?: number) => void;

/** Below this many ids a plain loop copies faster than set(subarray()), which allocates a view. */
const LOOP_COPY = 128;

export class Packer {
  private readonly block: Uint32Array;
  private filled = 0;
  truncatedRows = 0;

  constructor(
    private readonly packing: Packing,
    private readonly maxLength: number,
    private readonly sink: RowSink,
  ) {
    this.block = new Uint32Array(maxLength);
  }

  /**
   * `ids[start, end)` is one encoded sequence including [CLS] and [SEP]; in blocks packing it may also be several
   * sequences back to back (blocks only concatenate).
   */
  add(ids: Uint32Array, label?: number, start = 0, end = ids.length): void {
    const max = this.maxLength;
    if (this.packing === "rows") {
      if (end - start <= max) return this.sink(ids, start, end, label);
      this.truncatedRows++;
      const row = this.block;
      row.set(ids.subarray(start, start + max - 1));
      row[max - 1] = ids[end - 1];
      return this.sink(row, 0, max, label);
    }
    let i = start;
    while (i < end) {
      // A whole block straight from the input: no copy.
      if (this.filled === 0 && end - i >= max) {
        this.sink(ids, i, i + max);
        i += max;
        continue;
      }
      const take = Math.min(end - i, max - this.filled);
      const block = this.block;
      if (take < LOOP_COPY) for (let j = 0, f = this.filled; j < take; j++) block[f + j] = ids[i + j];
      else block.set(ids.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === max) {
        this.sink(block, 0, max);
        this.filled = 0;
      }
    }
  }

  /** Tokens left in the unfinished block (dropped). */
  get droppedTokens(): number {
    return this.packing === "blocks" ? this.filled : 0;
  }
}

/**
 * Blocks packing over runs of ids already in the on-disk dtype (one run per encoded task): whole blocks go to the sink
 * straight from each run, several at once, without a copy; only the tail is carried into the next run. At the end the
 * carried tail is the last partial block, dropped.
 */
export class BlockCutter {
  private readonly carry: TokenIds;
  private carried = 0;

  constructor(
    private readonly maxLength: number,
    dtype: TokenDtype,
    /** Receives ids[start, end): (end - start) / maxLength whole blocks. */
    private readonly sink: (ids: TokenIds, start: number, end: number) => void,
  ) {
    this.carry = dtype === "uint16" ? new Uint16Array(maxLength) : new Uint32Array(maxLength);
  }

  add(ids: TokenIds): void {
    const max = this.maxLength;
    const n = ids.length;
    let i = 0;
    if (this.carried) {
      i = Math.min(max - this.carried, n);
      this.carry.set(ids.subarray(0, i), this.carried);
      this.carried += i;
      if (this.carried < max) return;
      this.sink(this.carry, 0, max);
      this.carried = 0;
    }
    const whole = Math.floor((n - i) / max) * max;
    if (whole) this.sink(ids, i, i + whole);
    i += whole;
    if (i < n) {
      this.carry.set(ids.subarray(i, n));
      this.carried = n - i;
    }
  }

  /** Tokens of the unfinished block (dropped). */
  get droppedTokens(): number {
    return this.carried;
  }
}
