// Writes a tokenizer as Hugging Face tokenizer.json (tokenizers >= 0.13 reads it; transformers via
// PreTrainedTokenizerFast). Key order is fixed so the bytes, and hence the tokenizer digest, are deterministic.
import { UPPERCASED } from "./alphabet.js";
import type { BpeTokenizer } from "./bpe-model.js";
import type { DnaTokenizer } from "./tokenizer.js";

/** Pre-tokenizer regex of the BPE kind: every non-ACGT char is a word of its own, so merges never cross an N. */
export const BPE_SPLIT_REGEX = "[^ACGT]";
/** Pre-tokenizer regex of the non-overlapping k-mer kind: a k-mer of ACGT if one starts here, else one char. */
export const nonOverlappingRegex = (k: number) => `[ACGT]{${k}}|.`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function tokenizerJsonObject(tok: DnaTokenizer): { [k: string]: Json } {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: tok.specialTokens.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "Sequence",
      normalizers: UPPERCASED.map((c) => ({ type: "Replace", pattern: { String: c }, content: c.toUpperCase() })),
    },
    pre_tokenizer: preTokenizer(tok),
    post_processor: postProcessor(tok),
    decoder: tok.kind === "kmer-overlapping" ? null : { type: "Fuse" },
    model: model(tok),
  };
}

/** The exact bytes of tokenizer.json (2-space indented, trailing newline). */
export function tokenizerJsonText(tok: DnaTokenizer): string {
  return JSON.stringify(tokenizerJsonObject(tok), null, 2) + "\n";
}

function preTokenizer(tok: DnaTokenizer): Json {
  switch (tok.kind) {
    case "kmer-overlapping":
      return { type: "WhitespaceSplit" };
    case "kmer-nonoverlapping":
      return split(nonOverlappingRegex(tok.k!));
    case "bpe":
      return split(BPE_SPLIT_REGEX);
    case "single-nucleotide":
      return null;
  }
}

function split(regex: string): Json {
  return { type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false };
}

function postProcessor(tok: DnaTokenizer): Json {
  const cls = tok.specialTokens[tok.specials.cls];
  const sep = tok.specialTokens[tok.specials.sep];
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const seq = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    type: "TemplateProcessing",
    single: [special(cls, 0), seq("A", 0), special(sep, 0)],
    pair: [special(cls, 0), seq("A", 0), special(sep, 0), seq("B", 1), special(sep, 1)],
    special_tokens: {
      [cls]: { id: cls, ids: [tok.specials.cls], tokens: [cls] },
      [sep]: { id: sep, ids: [tok.specials.sep], tokens: [sep] },
    },
  };
}

function vocabObject(vocab: readonly string[]): { [k: string]: number } {
  const o: { [k: string]: number } = {};
  vocab.forEach((t, i) => (o[t] = i));
  return o;
}

function model(tok: DnaTokenizer): Json {
  const unk = tok.specialTokens[tok.specials.unk];
  if (tok.kind === "kmer-overlapping" || tok.kind === "kmer-nonoverlapping") {
    return { type: "WordLevel", vocab: vocabObject(tok.vocab), unk_token: unk };
  }
  const merges: string[] = [];
  if (tok.kind === "bpe") {
    const { left, right } = (tok as BpeTokenizer).merges;
    for (let r = 0; r < left.length; r++) merges.push(`${tok.vocab[left[r]]} ${tok.vocab[right[r]]}`);
  }
  return {
    type: "BPE",
    dropout: null,
    unk_token: unk,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: vocabObject(tok.vocab),
    merges,
  };
}
