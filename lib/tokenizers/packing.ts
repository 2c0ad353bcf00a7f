// Turns encoded sequences ([CLS] ids [SEP]) into rows:
//  blocks: concatenated and cut into rows of exactly maxLength tokens, the last partial block dropped (RoBERTa's
//          run_mlm group_texts); a sequence may span two blocks.
//  rows:   one sequence per row, cut to maxLength keeping [SEP] last.
import type { Packing, TokenDtype, TokenIds } from "./token-shards-format.js";

/** Receives each finished row, row[start, end); it must copy what it keeps (the block array is reused). */
export type RowSink = (row: Uint32Array, start: number, end: number, label?: number) => void;

/**
 * Rows packing's cut of a sequence src[start, end) longer than maxLength: its first maxLength - 1 ids and its last
 * ([SEP]) go to dst at `at` (dst may be src, at = start: in place).
 */
export function cutRow(src: Uint32Array, start: number, end: number, maxLength: number, dst: Uint32Array, at: number): void {
  if (dst !== src || at !== start) dst.set(src.subarray(start, start + maxLength - 1), at);
  dst[at + maxLength - 1] = src[end - 1];
}

/** Packs sequences encoded one at a time as Uint32 ids (the CSV path); segments go through encode-task.ts. */
export class Packer {
  private readonly block: Uint32Array;
  private readonly blocks: BlockCutter;
  truncatedRows = 0;

  constructor(
    private readonly packing: Packing,
    private readonly maxLength: number,
    private readonly sink: RowSink,
  ) {
    this.block = new Uint32Array(maxLength);
    this.blocks = new BlockCutter(maxLength, "uint32", (ids, start, end) => {
      for (let o = start; o < end; o += maxLength) sink(ids as Uint32Array, o, o + maxLength);
    });
  }

  /**
   * `ids[start, end)` is one encoded sequence including [CLS] and [SEP]; in blocks packing it may also be several
   * sequences back to back (blocks only concatenate).
   */
  add(ids: Uint32Array, label?: number, start = 0, end = ids.length): void {
    if (this.packing === "blocks") return this.blocks.add(ids.subarray(start, end));
    if (end - start <= this.maxLength) return this.sink(ids, start, end, label);
    this.truncatedRows++;
    cutRow(ids, start, end, this.maxLength, this.block, 0); // into the block: the caller's ids stay as they were
    return this.sink(this.block, 0, this.maxLength, label);
  }

  /** Tokens left in the unfinished block (dropped). */
  get droppedTokens(): number {
    return this.blocks.droppedTokens;
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
