// Byte tables for FASTA sequence lines: one lookup per byte maps input to the normalized base (or a control code).
// Tables beat regexes/string methods by >10x on the hot path (all of GRCh38 goes through them).

/** Control codes (all below 'A'), so `v > CTRL_MAX` means "a base to emit". */
export const INVALID = 0;
export const NEWLINE = 1;
export const CR = 2;
export const HEADER = 3;
export const CTRL_MAX = 3;

export const BASE_N = 78; // 'N'
export const BASE_n = 110; // 'n'

/** IUPAC ambiguity codes (besides N). */
export const IUPAC_AMBIGUOUS = "RYSWKMBDHV";

export type AmbiguityPolicy = "n" | "error";

export interface AlphabetOptions {
  /** Keep lowercase (soft-masked) bases lowercase instead of uppercasing them. */
  keepSoftMask: boolean;
  /** What to do with IUPAC ambiguity codes: read them as N, or fail. */
  ambiguous: AmbiguityPolicy;
}

/** Maps every byte to the base to emit, or to a control code. */
export function baseTable(opts: AlphabetOptions): Uint8Array {
  const t = new Uint8Array(256);
  t[10] = NEWLINE;
  t[13] = CR;
  t[62] = HEADER;
  const set = (upper: string, out: string) => {
    const lower = upper.toLowerCase();
    t[upper.charCodeAt(0)] = out.charCodeAt(0);
    t[lower.charCodeAt(0)] = (opts.keepSoftMask ? out.toLowerCase() : out).charCodeAt(0);
  };
  for (const b of "ACGTN") set(b, b);
  if (opts.ambiguous === "n") for (const b of IUPAC_AMBIGUOUS) set(b, "N");
  return t;
}

/** Per-base statistics weights: adding WEIGHT[byte] counts soft-masked bases in the low 26 bits and N in the high bits. */
export const N_WEIGHT = 2 ** 26;
export function statsWeights(opts: AlphabetOptions): Float64Array {
  const w = new Float64Array(256);
  for (const b of "acgtn") w[b.charCodeAt(0)] += 1;
  w[BASE_N] += N_WEIGHT;
  w[BASE_n] += N_WEIGHT;
  if (opts.ambiguous === "n")
    for (const b of IUPAC_AMBIGUOUS) {
      w[b.charCodeAt(0)] += N_WEIGHT;
      w[b.toLowerCase().charCodeAt(0)] += N_WEIGHT + 1;
    }
  return w;
}

/** True for letters that are valid IUPAC nucleotide codes (used to word errors precisely). */
export function isIupacLetter(byte: number): boolean {
  const c = String.fromCharCode(byte).toUpperCase();
  return c.length === 1 && (IUPAC_AMBIGUOUS + "ACGTN").includes(c);
}

/** Printable description of a byte for error messages. */
export function describeByte(byte: number): string {
  const hex = "0x" + byte.toString(16).padStart(2, "0");
  return byte >= 33 && byte <= 126 ? `'${String.fromCharCode(byte)}' (${hex})` : hex;
}

/** Offset of the options' 256-entry table inside the tables of allBaseTables(). */
export function tableOffset(opts: AlphabetOptions): number {
  return 256 * ((opts.keepSoftMask ? 1 : 0) + (opts.ambiguous === "error" ? 2 : 0));
}

/** All four option combinations concatenated (256 entries each, at tableOffset()). */
export function allBaseTables(): { bases: Uint8Array; weights: Float64Array } {
  const bases = new Uint8Array(1024);
  const weights = new Float64Array(1024);
  for (const keepSoftMask of [false, true])
    for (const ambiguous of ["n", "error"] as const) {
      const at = tableOffset({ keepSoftMask, ambiguous });
      bases.set(baseTable({ keepSoftMask, ambiguous }), at);
      weights.set(statsWeights({ keepSoftMask, ambiguous }), at);
    }
  return { bases, weights };
}
