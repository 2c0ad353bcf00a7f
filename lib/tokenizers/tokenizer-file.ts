// Reads a tokenizer.json written by dnaflow back into a tokenizer, recognising the kind from its shape and
// checking the vocab layout, so a corrupted or foreign file fails with a message naming the field.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BpeTokenizer } from "./bpe-model.js";
import { BPE_SPLIT_REGEX } from "./hf-json.js";
import { KmerNonOverlappingTokenizer } from "./kmer-nonoverlapping.js";
import { KmerOverlappingTokenizer } from "./kmer-overlapping.js";
import { SingleNucleotideTokenizer } from "./single-nucleotide.js";
import { MAX_K, MIN_K, type DnaTokenizer } from "./tokenizer.js";

export const TOKENIZER_FILE = "tokenizer.json";

export class TokenizerFileError extends Error {
  override name = "TokenizerFileError";
}

export interface LoadedTokenizer {
  tokenizer: DnaTokenizer;
  /** sha256 (hex) of the tokenizer.json bytes: what token shards record. */
  digest: string;
  path: string;
}

/** Loads `<dir>/tokenizer.json` (or the file itself when `path` ends in .json). */
export async function loadTokenizer(path: string): Promise<LoadedTokenizer> {
  const file = path.endsWith(".json") ? path : join(path, TOKENIZER_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new TokenizerFileError(`${file}: cannot read tokenizer (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const tokenizer = parseTokenizerJson(bytes.toString("utf8"), file);
  return { tokenizer, digest: createHash("sha256").update(bytes).digest("hex"), path: file };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export function parseTokenizerJson(text: string, file = TOKENIZER_FILE): DnaTokenizer {
  const fail = (what: string): never => {
    throw new TokenizerFileError(`${file}: ${what}`);
  };
  let j: Any;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  if (!j || typeof j !== "object") return fail("not a tokenizer.json object");
  const added = j.added_tokens;
  if (!Array.isArray(added) || !added.length) return fail("added_tokens must list the special tokens");
  const specials: string[] = added.map((t: Any, i: number) => {
    if (t?.id !== i || typeof t?.content !== "string") fail(`added_tokens[${i}] must have id ${i} and a string content`);
    return t.content as string;
  });
  const m = j.model;
  if (!m || typeof m !== "object" || typeof m.vocab !== "object" || !m.vocab) return fail("model.vocab is missing");
  const vocab = vocabArray(m.vocab, fail);
  specials.forEach((s, i) => vocab[i] !== s && fail(`model.vocab: special token '${s}' must have id ${i}`));
  const pre = j.pre_tokenizer;
  const built = build(m, pre, vocab, specials, fail);
  // the vocab must be exactly the layout of the recognised kind
  if (built.vocab.length !== vocab.length) fail(`model.vocab has ${vocab.length} tokens, the ${built.kind} layout has ${built.vocab.length}`);
  built.vocab.forEach((t, i) => t !== vocab[i] && fail(`model.vocab: id ${i} is '${vocab[i]}', the ${built.kind} layout has '${t}'`));
  return built;
}

function build(m: Any, pre: Any, vocab: string[], specials: string[], fail: (w: string) => never): DnaTokenizer {
  const n = specials.length;
  try {
    if (m.type === "WordLevel" && pre?.type === "WhitespaceSplit") {
      // the order shows in the second k-mer: A…AT (DNABERT's) or A…AC (lexicographic); the layout check follows
      const k = kOf(vocab[n], fail);
      return new KmerOverlappingTokenizer(k, specials, vocab[n + 1] === "A".repeat(k - 1) + "C" ? "lexicographic" : "dnabert");
    }
    if (m.type === "WordLevel" && pre?.type === "Split") {
      const match = /^\[ACGT\]\{(\d+)\}\|\.$/.exec(String(pre.pattern?.Regex));
      if (!match) return fail(`pre_tokenizer pattern ${JSON.stringify(pre.pattern)} is not a dnaflow non-overlapping k-mer split`);
      return new KmerNonOverlappingTokenizer(kOf(vocab[n], fail, Number(match[1])), specials);
    }
    if (m.type === "BPE") {
      const merges = mergeIds(m.merges, vocab, fail);
      if (pre == null && merges.left.length === 0) return new SingleNucleotideTokenizer(specials);
      if (pre?.type !== "Split" || pre.pattern?.Regex !== BPE_SPLIT_REGEX)
        return fail(`pre_tokenizer must split at ${BPE_SPLIT_REGEX} for a dnaflow BPE tokenizer`);
      return new BpeTokenizer(vocab, specials, merges);
    }
  } catch (e) {
    if (e instanceof TokenizerFileError) throw e;
    return fail((e as Error).message);
  }
  return fail(`model type '${m.type}' with pre_tokenizer '${pre?.type}' is not a dnaflow tokenizer kind`);
}

function kOf(firstKmer: string | undefined, fail: (w: string) => never, expected?: number): number {
  const k = firstKmer?.length ?? 0;
  if (k < MIN_K || k > MAX_K) fail(`k-mer length ${k} is out of range ${MIN_K}..${MAX_K}`);
  if (expected !== undefined && expected !== k) fail(`pre_tokenizer splits ${expected}-mers but the vocab holds ${k}-mers`);
  return k;
}

function vocabArray(obj: Record<string, unknown>, fail: (w: string) => never): string[] {
  const out: string[] = [];
  for (const [t, id] of Object.entries(obj)) {
    if (!Number.isInteger(id) || (id as number) < 0) fail(`model.vocab['${t}'] is not a token id`);
    if (out[id as number] !== undefined) fail(`model.vocab: id ${id} is used twice`);
    out[id as number] = t;
  }
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) fail(`model.vocab: id ${i} is missing (ids must be 0..${out.length - 1})`);
  return out;
}

function mergeIds(merges: unknown, vocab: string[], fail: (w: string) => never) {
  if (!Array.isArray(merges)) return fail("model.merges must be a list");
  const ids = new Map(vocab.map((t, i) => [t, i]));
  const left = new Int32Array(merges.length);
  const right = new Int32Array(merges.length);
  merges.forEach((mg: unknown, r) => {
    const parts = typeof mg === "string" ? mg.split(" ") : mg;
    if (!Array.isArray(parts) || parts.length !== 2) fail(`model.merges[${r}] must be "a b" or ["a", "b"]`);
    const [a, b] = (parts as string[]).map((t) => ids.get(t));
    if (a === undefined || b === undefined) fail(`model.merges[${r}] ${JSON.stringify(mg)} names a token missing from the vocab`);
    left[r] = a!;
    right[r] = b!;
  });
  return { left, right };
}
