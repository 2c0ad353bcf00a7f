// Real test sequences: hg38 chr2 cut into 256-1024 bp segments (soft-masked lowercase and the leading N run kept),
// GUE CSV rows, chrM, and hand-written edge cases (shorter than k, N and other IUPAC codes, lowercase).
import { readFileSync, mkdtempSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SegmentsWriter } from "../../lib/segments/format.js";
import { fixture } from "../helpers/paths.js";

export const CHR2 = fixture("genome", "chr2_1-2333275.fa.gz");

function fastaSequence(text: string): string {
  return text
    .split("\n")
    .filter((l) => l && !l.startsWith(">"))
    .join("");
}

let chr2Cache: string | undefined;
export function chr2(): string {
  return (chr2Cache ??= fastaSequence(gunzipSync(readFileSync(CHR2)).toString("latin1")));
}

export const chrM = () => fastaSequence(readFileSync(fixture("tokenize", "chrM.fa"), "latin1"));

/** Pieces of 256..1024 bp from `start`, lengths from a fixed LCG so the cut is the same everywhere. */
export function cutSegments(seq: string, start: number, count: number): string[] {
  const out: string[] = [];
  let state = 12345;
  let pos = start;
  while (out.length < count && pos < seq.length) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const len = 256 + (state % 769);
    out.push(seq.slice(pos, pos + len));
    pos += len;
  }
  return out;
}

export function gueSequences(): string[] {
  const rows = (f: string) =>
    readFileSync(fixture("tokenize", "gue", f), "utf8")
      .split("\n")
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(",")[0]);
  return [...rows("prom_core_tata_test.csv"), ...rows("tf0_dev.csv")];
}

export const EDGE_CASES = [
  "",
  "A",
  "AC",
  "ACG",
  "ACGTA",
  "ACGTAC",
  "NNNNNNNN",
  "ACGTNACGTACGTTN",
  "acgtacgtnnACGT",
  "ACGTRYKMSWBDHVN",
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "TGTGTGTGTGTGTGTGTGTG",
  "N",
  "ACGTACGTAC-GT",
];

/** chr2 segments starting inside the leading N run (so some hold N), then plain ones. */
export function chr2Segments(count: number): string[] {
  return cutSegments(chr2(), 9000, count);
}

export async function writeSegments(segs: string[]): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "tok-seg-")), "segments");
  const w = await new SegmentsWriter(dir, 1 << 18).open();
  for (const s of segs) if (s.length) await w.write(s);
  await w.close();
  return dir;
}
