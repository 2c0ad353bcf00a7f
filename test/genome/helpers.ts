// Shared helpers for the genome tests: temp files, fixture paths, reading artifacts back.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fixture } from "../helpers/paths.js";
import { FastaParser, type FastaRecordStats } from "../../lib/genome/fasta-parser.js";
import { readFragments } from "../../lib/genome/fragments-format.js";

export const CHR2 = fixture("genome", "chr2_1-2333275.fa.gz");
export const CHRM = fixture("genome", "chrM.fa");

export function tempDir(prefix = "dnaflow-genome-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a file into a fresh temp dir; gzip when the name ends in .gz. */
export function tempFile(name: string, content: string | Buffer): string {
  const p = join(tempDir(), name);
  const bytes = typeof content === "string" ? Buffer.from(content, "latin1") : content;
  writeFileSync(p, name.endsWith(".gz") ? gzipSync(bytes) : bytes);
  return p;
}

/** Parses FASTA bytes fully in memory (small inputs only): record name → sequence, plus stats. */
export function parseAll(bytes: Buffer, opts: { keepSoftMask?: boolean; ambiguous?: "n" | "error"; chunk?: number } = {}) {
  const seqs = new Map<string, string>();
  const stats: FastaRecordStats[] = [];
  let cur = "";
  const parts: string[] = [];
  const p = new FastaParser(
    {
      recordStart: (n) => void ((cur = n), (parts.length = 0)),
      bases: (b, s, e) => void parts.push(b.toString("latin1", s, e)),
      recordEnd: (st) => void (seqs.set(cur, parts.join("")), stats.push(st)),
    },
    { file: "mem.fa", keepSoftMask: opts.keepSoftMask ?? false, ambiguous: opts.ambiguous ?? "n" },
  );
  const step = opts.chunk ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) p.push(bytes.subarray(i, i + step));
  p.end();
  return { seqs, stats };
}

/** All fragments of a fragments artifact as {record, start, seq}. */
export async function fragmentsOf(dir: string): Promise<Array<{ record: string; start: number; seq: string }>> {
  const out: Array<{ record: string; start: number; seq: string }> = [];
  let parts: string[] = [];
  await readFragments(dir, {
    fragmentStart: (record, start) => void ((parts = []), out.push({ record, start, seq: "" })),
    fragmentBases: (b, s, e) => void parts.push(b.toString("latin1", s, e)),
    fragmentEnd: () => void (out[out.length - 1].seq = parts.join("")),
  });
  return out;
}
