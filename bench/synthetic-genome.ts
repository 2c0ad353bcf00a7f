// A seeded GRCh38-sized synthetic genome for the scale benchmark: hg38's 24 primary chromosome lengths, 10 kb
// telomere N runs at both ends, a centromere N run in each, the acrocentric short arms (13, 14, 15, 21, 22) and
// chrY's heterochromatin as long N runs, a few scattered assembly gaps, ~50 % soft-masked (lowercase) blocks, and 200
// small chrUn contigs. 60 bases per line. `scale` shrinks every length (0.01 → ~31 MB) for quick runs.
import { closeSync, openSync, writeSync } from "node:fs";

export const HG38_PRIMARY: Array<[string, number]> = [
  ["chr1", 248956422],
  ["chr2", 242193529],
  ["chr3", 198295559],
  ["chr4", 190214555],
  ["chr5", 181538259],
  ["chr6", 170805979],
  ["chr7", 159345973],
  ["chr8", 145138636],
  ["chr9", 138394717],
  ["chr10", 133797422],
  ["chr11", 135086622],
  ["chr12", 133275309],
  ["chr13", 114364328],
  ["chr14", 107043718],
  ["chr15", 101991189],
  ["chr16", 90338345],
  ["chr17", 83257441],
  ["chr18", 80373285],
  ["chr19", 58617616],
  ["chr20", 64444167],
  ["chr21", 46709983],
  ["chr22", 50818468],
  ["chrX", 156040895],
  ["chrY", 57227415],
];
const ACROCENTRIC = new Set(["chr13", "chr14", "chr15", "chr21", "chr22"]);
const LINE = 60;

/** xorshift32: small, fast, seeded; plenty for synthetic bases. */
class Rng {
  constructor(private x: number) {
    if (!this.x) this.x = 0x9e3779b9;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.x = x >>> 0);
  }
  below(n: number): number {
    return Math.floor((this.next() / 2 ** 32) * n);
  }
}

function seedOf(seed: number, name: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** N intervals [start, end) of a record, sorted, non-overlapping. */
function gapsOf(name: string, length: number, scale: number, rng: Rng): Array<[number, number]> {
  const tel = Math.max(1, Math.round(10_000 * scale));
  const gaps: Array<[number, number]> = [
    [0, tel],
    [length - tel, length],
  ];
  if (!name.startsWith("chrUn")) {
    const cenLen = Math.round((500_000 + rng.below(2_500_000)) * scale);
    const cenAt = ACROCENTRIC.has(name) ? Math.round(length * 0.16) : Math.round(length * (0.3 + rng.below(1000) / 5000));
    gaps.push([cenAt, cenAt + cenLen]);
    if (ACROCENTRIC.has(name)) gaps.push([tel, Math.round(length * 0.14)]); // the unassembled short arm
    if (name === "chrY") gaps.push([Math.round(length * 0.47), Math.round(length * 0.93)]); // heterochromatin
    for (let i = 0; i < 5; i++) {
      const at = rng.below(length);
      gaps.push([at, Math.min(length, at + Math.max(1, Math.round(50_000 * scale)))]);
    }
  }
  gaps.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const g of gaps) {
    const last = merged[merged.length - 1];
    if (last && g[0] <= last[1]) last[1] = Math.max(last[1], g[1]);
    else merged.push([g[0], Math.min(g[1], length)]);
  }
  return merged;
}

export interface GenomeInfo {
  records: number;
  bases: number;
  nBases: number;
  bytes: number;
}

/** Writes the genome to `path`; returns what it wrote. */
export function writeSyntheticGenome(path: string, scale = 1, seed = 42): GenomeInfo {
  const records: Array<[string, number]> = HG38_PRIMARY.map(([n, l]) => [n, Math.max(100_000, Math.round(l * scale))]);
  const unRng = new Rng(seedOf(seed, "chrUn"));
  for (let i = 0; i < 200; i++)
    records.push([`chrUn_synth${String(i).padStart(3, "0")}v1`, Math.max(1000, Math.round((20_000 + unRng.below(180_000)) * Math.min(1, scale * 10)))]);
  const fd = openSync(path, "w");
  const CHUNK = 4 << 20;
  const out = Buffer.allocUnsafe(CHUNK + 256);
  let used = 0;
  const flush = () => {
    writeSync(fd, out, 0, used);
    info.bytes += used;
    used = 0;
  };
  const info: GenomeInfo = { records: records.length, bases: 0, nBases: 0, bytes: 0 };
  const UPPER = [65, 67, 71, 84];
  try {
    for (const [name, length] of records) {
      const rng = new Rng(seedOf(seed, name));
      const gaps = gapsOf(name, length, scale, rng);
      used += out.write(`>${name}\n`, used, "latin1");
      let g = 0;
      let lower = false;
      let maskLeft = 0;
      let bits = 0;
      let bitsLeft = 0;
      let col = 0;
      for (let pos = 0; pos < length; pos++) {
        while (g < gaps.length && pos >= gaps[g][1]) g++;
        let b: number;
        if (g < gaps.length && pos >= gaps[g][0]) {
          b = 78;
          info.nBases++;
        } else {
          if (maskLeft === 0) {
            // Alternating repeat (lowercase) / unique blocks, 200 bp – 6 kb each: ~50 % soft-masked.
            lower = rng.next() < 2 ** 31;
            maskLeft = 200 + rng.below(5800);
          }
          maskLeft--;
          if (bitsLeft === 0) {
            bits = rng.next();
            bitsLeft = 16;
          }
          b = UPPER[bits & 3] | (lower ? 32 : 0);
          bits >>>= 2;
          bitsLeft--;
        }
        out[used++] = b;
        if (++col === LINE) {
          out[used++] = 10;
          col = 0;
        }
        if (used >= CHUNK) flush();
      }
      if (col) out[used++] = 10;
      info.bases += length;
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return info;
}
