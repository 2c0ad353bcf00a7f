// Push parser for FASTA bytes: validates, normalizes bases and hands them to a sink chunk by chunk.
// Bounded memory: it holds one header line at most, never a record. Any line length, CRLF and blank lines are fine.
import { StageInputError } from "../../core/errors.js";
import { CR, CTRL_MAX, HEADER, NEWLINE, N_WEIGHT, allBaseTables, describeByte, isIupacLetter, tableOffset, type AlphabetOptions } from "./alphabet.js";

export interface FastaRecordStats {
  name: string;
  /** Bases in the record (N included). */
  length: number;
  /** N bases (IUPAC ambiguity codes count as N under the default policy). */
  n: number;
  /** Lowercase (soft-masked) bases in the input. */
  softMasked: number;
}

export interface FastaSink {
  recordStart(name: string): void;
  /** Normalized bases buf[start, end). The buffer is reused after the call returns: copy what you keep. */
  bases(buf: Buffer, start: number, end: number): void;
  recordEnd(stats: FastaRecordStats): void;
}

export interface FastaParserOptions extends AlphabetOptions {
  /** Shown in error messages. */
  file: string;
}

const MAX_HEADER = 1 << 16;
const MAX_PUSH = 1 << 20; // also keeps the packed soft-mask counter (26 bits) from overflowing
/** Normalized bases of the chunk being parsed; shared by all parsers (push is synchronous, sinks copy). */
const OUT = Buffer.allocUnsafe(MAX_PUSH);
// Module-local constants indexed with `& 1023` so V8 can drop the bounds checks (see scanBases for measurements).
const { bases: BASE_TABLES, weights: STATS_WEIGHTS } = allBaseTables();
/** scanBases results besides the index it returns: o, acc, lines, last newline index. */
const SCANNED = new Float64Array(4);

export class FastaParser {
  private readonly table: number; // offset into BASE_TABLES / STATS_WEIGHTS
  private line = 1;
  private lineStart = 0; // stream offset where the current line starts
  private offset = 0; // stream offset of the next byte
  private lastWasNewline = false;
  private header: number[] | null = null;
  private record: FastaRecordStats | null = null;
  private recordLine = 0; // line of the header being read
  private openRecordLine = 0; // line of the current record's header
  private readonly seen = new Set<string>();
  private sawAnything = false;

  constructor(
    private readonly sink: FastaSink,
    private readonly opts: FastaParserOptions,
  ) {
    this.table = tableOffset(opts);
  }

  push(chunk: Uint8Array): void {
    for (let s = 0; s < chunk.length; s += MAX_PUSH) this.pushPart(chunk.subarray(s, Math.min(chunk.length, s + MAX_PUSH)));
  }

  private pushPart(chunk: Uint8Array): void {
    const out = OUT,
      table = this.table,
      n = chunk.length,
      base = this.offset;
    let o = 0,
      acc = 0,
      i = 0;
    if (n) this.sawAnything = true;
    while (i < n) {
      if (this.header !== null) {
        i = this.readHeader(chunk, i);
        continue;
      }
      if (!this.record) {
        i = this.beforeFirstHeader(chunk, i);
        continue;
      }
      i = scanBases(chunk, i, o, table);
      o = SCANNED[0];
      acc += SCANNED[1];
      if (SCANNED[2] > 0) {
        this.line += SCANNED[2];
        this.lineStart = base + SCANNED[3] + 1;
      }
      const c = i < n ? chunk[i] : 0,
        v = BASE_TABLES[(table + c) & 1023];
      if (i >= n) break;
      if (v === CR) {
        if (i + 1 < n && chunk[i + 1] !== 10) this.failAt(`carriage return not followed by a newline`, base + i);
      } else if (v === HEADER && this.followsNewline(chunk, i)) {
        this.flush(out, o, acc);
        o = 0;
        acc = 0;
        this.header = [];
        this.recordLine = this.line;
      } else {
        this.failAt(this.invalidMessage(c), base + i);
      }
      i++;
    }
    this.flush(out, o, acc);
    if (n) this.lastWasNewline = chunk[n - 1] === 10;
    this.offset += n;
  }

  private followsNewline(chunk: Uint8Array, i: number): boolean {
    return i > 0 ? chunk[i - 1] === 10 : this.offset === 0 || this.lastWasNewline;
  }

  /** Blank lines may precede the first header; anything else is an error. */
  private beforeFirstHeader(chunk: Uint8Array, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk[i],
        v = BASE_TABLES[(this.table + c) & 1023];
      if (v === NEWLINE) {
        this.line++;
        this.lineStart = this.offset + i + 1;
      } else if (v === HEADER && this.followsNewline(chunk, i)) {
        this.header = [];
        this.recordLine = this.line;
        return i + 1;
      } else if (c === 0xef && this.offset + i === 0 && chunk[i + 1] === 0xbb && chunk[i + 2] === 0xbf) {
        this.failAt(`the file starts with a UTF-8 byte order mark (bytes EF BB BF): FASTA is plain ASCII; remove the BOM`, 0);
      } else if (v !== CR) {
        this.failAt(v > CTRL_MAX ? `sequence before the first header` : this.invalidMessage(c), this.offset + i);
      }
    }
    return i;
  }

  private readHeader(chunk: Uint8Array, i: number): number {
    const h = this.header!;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 10) {
        this.header = null;
        this.startRecord(h);
        this.line++;
        this.lineStart = this.offset + i + 1;
        return i + 1;
      }
      if (c !== 13) h.push(c);
      if (h.length > MAX_HEADER) this.failAt(`header line longer than ${MAX_HEADER} bytes`, this.offset + i);
    }
    return i;
  }

  private flush(out: Buffer, o: number, acc: number): void {
    if (o === 0) return;
    const r = this.record;
    if (!r) return;
    const nCount = Math.floor(acc / N_WEIGHT);
    r.length += o;
    r.n += nCount;
    r.softMasked += acc - nCount * N_WEIGHT;
    this.sink.bases(out, 0, o);
  }

  private startRecord(bytes: number[]): void {
    this.endRecord();
    const text = Buffer.from(bytes).toString("latin1");
    const name = text.split(/\s/, 1)[0];
    if (!name) this.failLine(`header without a record name`, this.recordLine);
    if (this.seen.has(name)) this.failLine(`duplicate record name '${name}'`, this.recordLine);
    this.seen.add(name);
    this.record = { name, length: 0, n: 0, softMasked: 0 };
    this.openRecordLine = this.recordLine;
    this.sink.recordStart(name);
  }

  private endRecord(): void {
    const r = this.record;
    if (!r) return;
    if (r.length === 0) this.failLine(`record '${r.name}' has no bases`, this.openRecordLine);
    this.record = null;
    this.sink.recordEnd(r);
  }

  /** Call after the last chunk. */
  end(): void {
    if (this.header !== null) this.startRecord(this.header);
    this.header = null;
    if (!this.sawAnything) throw new StageInputError(`${this.opts.file}: empty file (no FASTA records)`);
    if (!this.record && this.seen.size === 0) throw new StageInputError(`${this.opts.file}: no FASTA header ('>name') found`);
    this.endRecord();
  }

  private invalidMessage(c: number): string {
    if (c === 62) return `'>' inside a sequence line`;
    if (isIupacLetter(c)) return `IUPAC ambiguity code ${describeByte(c)} (ambiguous: error)`;
    return `invalid byte ${describeByte(c)} in sequence`;
  }

  private where(): string {
    return this.record ? `record '${this.record.name}', ` : "";
  }

  private failAt(msg: string, at: number): never {
    throw new StageInputError(`${this.opts.file}: ${msg} (${this.where()}line ${this.line}, column ${at - this.lineStart + 1}, byte offset ${at})`);
  }

  private failLine(msg: string, line: number): never {
    throw new StageInputError(`${this.opts.file}: ${msg} (line ${line})`);
  }
}

/**
 * The hot loop: one table lookup per byte, newlines counted without leaving the loop, tables and output as
 * module-local constants, counters as locals (not parameters). Parsing GRCh37 chrX (71 MB, 70-column lines) takes
 * ~140 ms; the first version (a method leaving the loop at every newline, tables read from `this`) took 200–330 ms,
 * and passing the counters in as parameters made it 400+ ms. Returns the index of the first control byte other than
 * a newline, or chunk.length.
 */
function scanBases(chunk: Uint8Array, start: number, oStart: number, table: number): number {
  const n = chunk.length;
  let i = start | 0,
    o = oStart | 0,
    acc = 0,
    lines = 0,
    lastNewline = -1;
  for (; i < n; i++) {
    const k = (table + chunk[i]) & 1023;
    const v = BASE_TABLES[k];
    if (v > CTRL_MAX) {
      OUT[o++] = v;
      acc += STATS_WEIGHTS[k];
      continue;
    }
    if (v === NEWLINE) {
      lines++;
      lastNewline = i;
      continue;
    }
    break;
  }
  SCANNED[0] = o;
  SCANNED[1] = acc;
  SCANNED[2] = lines;
  SCANNED[3] = lastNewline;
  return i;
}

// Give every path of scanBases type feedback before it gets hot. Otherwise V8 compiles it on-stack mid-loop, before
// the code after the loop ever ran, and deoptimizes at every loop exit (seen with --trace-deopt; 3-4x slower).
for (let k = 0; k < 4; k++) scanBases(Buffer.from("ACGTacgtNn\n>"), 0, 0, tableOffset({ keepSoftMask: k % 2 === 1, ambiguous: k < 2 ? "n" : "error" }));
