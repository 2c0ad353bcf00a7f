// Splits records at runs of N (as TinyDNABERT does) and drops fragments shorter than minLength.
// Streaming: it buffers at most minLength bases, until a fragment is known to be long enough.
import type { FastaRecordStats, FastaSink } from "./fasta-parser.js";
import type { FragmentSink } from "./fragment-sink.js";
import { BASE_N, BASE_n } from "./alphabet.js";

export interface NSplitStats {
  fragments: number;
  keptBases: number;
  /** N bases removed. */
  nBases: number;
  /** Fragments (and their bases) dropped for being shorter than minLength. */
  shortFragments: number;
  shortBases: number;
}

export class NSplitter implements FastaSink {
  readonly stats: NSplitStats = { fragments: 0, keptBases: 0, nBases: 0, shortFragments: 0, shortBases: 0 };
  private record = "";
  private pos = 0; // offset in the record of the next base
  private inFragment = false;
  private fragStart = 0;
  private fragLength = 0;
  private committed = false;
  private readonly pending: Buffer;

  /** `lowerN`: the input may contain lowercase n (soft-masking kept). */
  constructor(
    private readonly sink: FragmentSink,
    private readonly minLength: number,
    private readonly lowerN = false,
  ) {
    this.pending = Buffer.allocUnsafe(Math.max(1, minLength));
  }

  recordStart(name: string): void {
    this.record = name;
    this.pos = 0;
    this.inFragment = false;
  }

  bases(buf: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      if (!this.inFragment) {
        let j = i;
        while (j < end && (buf[j] === BASE_N || buf[j] === BASE_n)) j++;
        this.stats.nBases += j - i;
        this.pos += j - i;
        i = j;
        if (i >= end) break;
        this.inFragment = true;
        this.fragStart = this.pos;
        this.fragLength = 0;
        this.committed = false;
      }
      const k = nextN(buf, i, end, this.lowerN);
      this.append(buf, i, k);
      this.pos += k - i;
      i = k;
      if (k < end) this.endFragment();
    }
  }

  recordEnd(_stats: FastaRecordStats): void {
    if (this.inFragment) this.endFragment();
  }

  private append(buf: Buffer, start: number, end: number): void {
    const len = end - start;
    if (this.committed) {
      this.sink.fragmentBases(buf, start, end);
    } else if (this.fragLength + len < this.minLength) {
      buf.copy(this.pending, this.fragLength, start, end);
    } else {
      this.committed = true;
      this.sink.fragmentStart(this.record, this.fragStart);
      if (this.fragLength > 0) this.sink.fragmentBases(this.pending, 0, this.fragLength);
      this.sink.fragmentBases(buf, start, end);
    }
    this.fragLength += len;
  }

  private endFragment(): void {
    this.inFragment = false;
    if (this.committed) {
      this.sink.fragmentEnd(this.fragLength);
      this.stats.fragments++;
      this.stats.keptBases += this.fragLength;
    } else {
      this.stats.shortFragments++;
      this.stats.shortBases += this.fragLength;
    }
  }
}

/** Index of the next N (or n when soft-masking is kept) in buf[from, end), or end. Buffer.indexOf is memchr. */
function nextN(buf: Buffer, from: number, end: number, lowerN: boolean): number {
  const view = buf.subarray(from, end);
  let a = view.indexOf(BASE_N);
  if (a < 0) a = end - from;
  if (lowerN) {
    const b = view.indexOf(BASE_n);
    if (b >= 0 && b < a) a = b;
  }
  return from + a;
}
