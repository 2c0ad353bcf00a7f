// Cuts fragments into segments: random lengths uniform in [min, max] (TinyDNABERT: 256–1024), or fixed windows.
// Streaming: it holds at most one segment (max or window bases), whatever the fragment length.
//
// Tail rule (both modes): the bases left at the end of a fragment that do not fill the next segment (random mode:
// fewer than the length just drawn; window mode: from the start of the first window that would run past the end)
// become one last, shorter segment when there are at least `min` of them, and are dropped otherwise.
import type { FragmentSink } from "./fragment-sink.js";
import { reverseComplementInto } from "./reverse-complement.js";
import { SeededRng } from "./rng.js";

export type SegmentMode = "random" | "window";
export type ReverseComplementMode = "none" | "both" | "random";

export interface SegmenterOptions {
  mode: SegmentMode;
  seed: number;
  min: number;
  max: number;
  window: number;
  stride: number;
  reverseComplement: ReverseComplementMode;
}

/** Receives each segment: bytes[start, end) plus its origin in the genome. */
export type SegmentEmit = (bytes: Uint8Array, start: number, end: number, record: string, recordStart: number, strand: "+" | "-") => void;

export interface SegmenterStats {
  segments: number;
  bases: number;
  tailSegments: number;
  droppedTailBases: number;
}

export class Segmenter implements FragmentSink {
  readonly stats: SegmenterStats = { segments: 0, bases: 0, tailSegments: 0, droppedTailBases: 0 };
  private readonly win: Buffer;
  private readonly rcBuf: Buffer;
  private record = "";
  private segStart = 0; // record offset of win[0]
  private filled = 0;
  private skip = 0;
  private length = 0; // current target segment length
  private lengths?: SeededRng;
  private strands?: SeededRng;

  constructor(
    private readonly opts: SegmenterOptions,
    private readonly emit: SegmentEmit,
  ) {
    const cap = opts.mode === "random" ? opts.max : opts.window;
    this.win = Buffer.allocUnsafe(cap);
    this.rcBuf = Buffer.allocUnsafe(cap);
  }

  fragmentStart(record: string, start: number): void {
    this.record = record;
    this.segStart = start;
    this.filled = 0;
    this.skip = 0;
    const o = this.opts;
    if (o.mode === "random") {
      this.lengths = new SeededRng(o.seed, "length", record, start);
      this.length = this.lengths.int(o.min, o.max);
    } else {
      this.length = o.window;
    }
    if (o.reverseComplement === "random") this.strands = new SeededRng(o.seed, "strand", record, start);
  }

  fragmentBases(buf: Buffer, start: number, end: number): void {
    let s = start;
    while (s < end) {
      if (this.skip > 0) {
        const t = Math.min(this.skip, end - s);
        this.skip -= t;
        this.segStart += t;
        s += t;
        continue;
      }
      if (this.filled === 0 && end - s >= this.length) {
        // Zero-copy path: the whole segment is in the caller's buffer.
        const len = this.length;
        this.segmentDone(buf, s, s + len);
        s += len - this.carried();
        continue;
      }
      const take = Math.min(this.length - this.filled, end - s);
      buf.copy(this.win, this.filled, s, s + take);
      this.filled += take;
      s += take;
      if (this.filled === this.length) {
        const keep = this.carried();
        this.segmentDone(this.win, 0, this.length);
        if (keep > 0) this.win.copyWithin(0, this.opts.stride, this.opts.stride + keep);
        this.filled = keep;
      }
    }
  }

  fragmentEnd(_length: number): void {
    if (this.filled >= this.opts.min && this.filled > 0) {
      this.put(this.win, 0, this.filled);
      this.stats.tailSegments++;
    } else {
      this.stats.droppedTailBases += this.filled;
    }
    this.filled = 0;
  }

  /** Window mode with overlap: bases of the finished window that start the next one. */
  private carried(): number {
    const o = this.opts;
    return o.mode === "window" && o.stride < o.window ? o.window - o.stride : 0;
  }

  private segmentDone(bytes: Uint8Array, start: number, end: number): void {
    this.put(bytes, start, end);
    const o = this.opts;
    if (o.mode === "random") {
      this.segStart += end - start;
      this.length = this.lengths!.int(o.min, o.max);
    } else {
      this.segStart += Math.min(o.stride, o.window);
      this.skip = Math.max(0, o.stride - o.window);
    }
  }

  private put(bytes: Uint8Array, start: number, end: number): void {
    const rc = this.opts.reverseComplement;
    const len = end - start;
    this.stats.segments++;
    this.stats.bases += len;
    const flip = rc === "random" && this.strands!.coin();
    if (!flip) this.emit(bytes, start, end, this.record, this.segStart, "+");
    if (rc === "both" || flip) {
      reverseComplementInto(bytes, start, end, this.rcBuf);
      this.emit(this.rcBuf, 0, len, this.record, this.segStart, "-");
      if (rc === "both") {
        this.stats.segments++;
        this.stats.bases += len;
      }
    }
  }
}
