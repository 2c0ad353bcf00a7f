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

/** All 4^k k-mers in lexicographic ACGT order: index = base-4 number of the k-mer. */
export function allKmers(k: number): string[] {
  const out: string[] = new Array(4 ** k);
  for (let code = 0; code < out.length; code++) {
    let s = "";
    for (let j = k - 1; j >= 0; j--) s += BASES[(code >> (2 * j)) & 3];
    out[code] = s;
  }
  return out;
}
