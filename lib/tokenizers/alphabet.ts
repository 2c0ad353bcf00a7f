// Nucleotide codes and the special-token layout shared by every tokenizer kind.

/** The four bases, in the lexicographic order that k-mer vocabularies use. */
export const BASES = "ACGT";

/** Code of a UTF-16 char: 0..3 for A/C/G/T (either case), 4 for N/n, 255 for anything else. */
export const BASE_CODE: Uint8Array = (() => {
  const t = new Uint8Array(65536).fill(255);
  for (let i = 0; i < 4; i++) {
    t[BASES.charCodeAt(i)] = i;
    t[BASES.toLowerCase().charCodeAt(i)] = i;
  }
  t[78] = 4; // N
  t[110] = 4; // n
  return t;
})();

/** Lowercase letters the tokenizer.json normalizer upper-cases (soft-masked genome stays tokenizable). */
export const UPPERCASED = ["a", "c", "g", "t", "n"];

/** Upper-cases a, c, g, t, n exactly like the normalizer written into tokenizer.json; other chars are kept. */
export function normalizeChar(code: number): number {
  return code === 97 || code === 99 || code === 103 || code === 116 || code === 110 ? code - 32 : code;
}

/** The roles every dnaflow tokenizer has; token strings default to BERT's. */
export interface SpecialIds {
  pad: number;
  unk: number;
  cls: number;
  sep: number;
  mask: number;
}

export const DEFAULT_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const ROLE_TOKENS: Record<keyof SpecialIds, string> = { pad: "[PAD]", unk: "[UNK]", cls: "[CLS]", sep: "[SEP]", mask: "[MASK]" };

/** Ids of the five roles in a special-token list (which must contain them all). */
export function specialIdsOf(specialTokens: string[]): SpecialIds {
  const ids = {} as SpecialIds;
  for (const [role, token] of Object.entries(ROLE_TOKENS) as Array<[keyof SpecialIds, string]>) {
    const i = specialTokens.indexOf(token);
    if (i < 0) throw new Error(`special tokens must include ${token} (got ${JSON.stringify(specialTokens)})`);
    ids[role] = i;
  }
  return ids;
}

/**
 * Orders of a k-mer vocabulary. `dnabert`: DNABERT's released vocab.txt (every DNABERT / RandomMask checkpoint)
 * counts in base 4 with digits A=0 T=1 C=2 G=3 (AAAAAA, AAAAAT, AAAAAC, AAAAAG, AAAATA, …, GGGGGG);
 * `lexicographic`: digits A=0 C=1 G=2 T=3 (AAAAAA, AAAAAC, …, TTTTTT).
 */
export const KMER_ORDERS = ["dnabert", "lexicographic"] as const;
export type KmerOrder = (typeof KMER_ORDERS)[number];
export const KMER_DIGITS: Record<KmerOrder, string> = { dnabert: "ATCG", lexicographic: BASES };

/** Base-4 digit of a UTF-16 char in `order` (either case): 0..3 for A/C/G/T, 255 for anything else. */
export function kmerDigitTable(order: KmerOrder): Uint8Array {
  const digits = KMER_DIGITS[order];
  const t = new Uint8Array(65536).fill(255);
  for (let i = 0; i < 4; i++) {
    t[digits.charCodeAt(i)] = i;
    t[digits.toLowerCase().charCodeAt(i)] = i;
  }
  return t;
}

/** All 4^k k-mers in `order` (default lexicographic ACGT): index = base-4 number of the k-mer in that order's digits. */
export function allKmers(k: number, order: KmerOrder = "lexicographic"): string[] {
  const digits = KMER_DIGITS[order];
  const out: string[] = new Array(4 ** k);
  for (let code = 0; code < out.length; code++) {
    let s = "";
    for (let j = k - 1; j >= 0; j--) s += digits[(code >> (2 * j)) & 3];
    out[code] = s;
  }
  return out;
}
