// Encodes one task of a segments artifact (the lines starting in some byte windows of one shard) into one run of ids
// in the token shards' on-disk dtype, as tokenize/encode writes them: [CLS] ids [SEP] per non-empty line, back to back.
// For rows packing each sequence is cut to maxLength keeping [SEP] last (packing.ts cutRow) and its length recorded; blocks
// are cut from the concatenation by BlockCutter. Ids go into one growing buffer and are narrowed once per task, instead
// of being copied per segment through a packer and a writer.
import type { SegmentTask } from "../segments/format.js";
import { WindowLines } from "../sharded/window-lines.js";
import { IdBuffer } from "./id-buffer.js";
import { cutRow } from "./packing.js";
import { encodeBytesWithSpecials, type DnaTokenizer } from "./tokenizer.js";
import type { Packing, TokenDtype, TokenIds } from "./token-shards-format.js";

export interface EncodeTaskOptions {
  dtype: TokenDtype;
  packing: Packing;
  maxLength: number;
}

export interface EncodedTask {
  ids: TokenIds;
  /** Rows packing: each row's id count. Blocks: absent (rows are cut from the concatenation). */
  lengths?: Uint32Array;
  sequences: number;
  bases: number;
  truncatedRows: number;
}

/**
 * Reusable buffers of one encoding thread. Output arrays come from `free` (the consumer gives each back with recycle()
 * once written): fresh arrays per task would cost a page fault per 4 KiB, as much system time as the encoding.
 */
export class EncodeScratch {
  readonly ids = new IdBuffer(1 << 20);
  readonly lengths = new IdBuffer(1 << 12);
  readonly read = Buffer.allocUnsafe(1 << 20);
  private readonly free: ArrayBuffer[] = [];

  output(dtype: TokenDtype, n: number): TokenIds {
    const size = dtype === "uint16" ? 2 : 4;
    let b = this.free.pop();
    if (!b || b.byteLength < n * size) b = new ArrayBuffer(Math.max(n * size, 1 << 20));
    return dtype === "uint16" ? new Uint16Array(b, 0, n) : new Uint32Array(b, 0, n);
  }

  recycle(b: ArrayBuffer): void {
    if (this.free.length < 4) this.free.push(b);
  }
}

export function encodeTask(tok: DnaTokenizer, task: SegmentTask, opts: EncodeTaskOptions, scratch: EncodeScratch): EncodedTask {
  const lines = new WindowLines(task.path, task.windows, scratch.read);
  const out = scratch.ids;
  const lengths = scratch.lengths;
  out.clear();
  lengths.clear();
  const rows = opts.packing === "rows";
  const max = opts.maxLength;
  let sequences = 0;
  let bases = 0;
  let truncatedRows = 0;
  try {
    while (lines.next()) {
      const start = lines.lineStart;
      const end = lines.lineEnd;
      if (end === start) continue;
      const before = out.length;
      encodeBytesWithSpecials(tok, lines.line, start, end, out);
      sequences++;
      bases += end - start;
      if (!rows) continue;
      if (out.length - before > max) {
        cutRow(out.data, before, out.length, max, out.data, before);
        out.length = before + max;
        truncatedRows++;
      }
      lengths.push(out.length - before);
    }
  } finally {
    lines.close();
  }
  const ids = scratch.output(opts.dtype, out.length);
  ids.set(out.data.subarray(0, out.length)); // narrows to uint16 in one native copy
  return { ids, lengths: rows ? lengths.data.slice(0, lengths.length) : undefined, sequences, bases, truncatedRows };
}
