// tokenize/train's params, written once: `kind` selects which other params are allowed, with their defaults.
import { t, type Static } from "../../core/schema.js";
import { DEFAULT_SPECIAL_TOKENS, KMER_ORDERS } from "../../lib/tokenizers/alphabet.js";
import { MAX_K, MIN_K, TOKENIZER_KINDS } from "../../lib/tokenizers/tokenizer.js";

const kmerKinds = ["kmer-overlapping", "kmer-nonoverlapping"];

export const trainParamsSchema = t.params(
  {
    kind: t.enum([...TOKENIZER_KINDS], { description: "bpe | kmer-overlapping (DNABERT) | kmer-nonoverlapping (Nucleotide Transformer) | single-nucleotide" }),
    k: t.integer({ minimum: MIN_K, maximum: MAX_K, description: "k-mer length (k-mer kinds)" }),
    vocabOrder: t.enum([...KMER_ORDERS], {
      description: "kmer-overlapping: k-mer id order; dnabert (default: DNABERT's vocab.txt, A T C G) or lexicographic (A C G T)",
    }),
    vocabSize: t.integer({ minimum: 10, maximum: 1 << 24, description: "BPE target vocabulary size, special tokens included" }),
    minFrequency: t.integer({ minimum: 0, description: "BPE: stop when the best pair occurs fewer times" }),
    sampleFraction: t.number({ exclusiveMinimum: 0, maximum: 1, description: "BPE: train on this fraction of segments" }),
    seed: t.integer({ description: "BPE: seed of the segment sample" }),
    specialTokens: t.array(t.string({ minLength: 1 }), {
      uniqueItems: true,
      minItems: 5,
      default: DEFAULT_SPECIAL_TOKENS,
      description: "special tokens, ids 0.. in this order; must include [PAD] [UNK] [CLS] [SEP] [MASK]",
    }),
    modelMaxLength: t.integer({ minimum: 1, default: 512, description: "model_max_length in tokenizer_config.json" }),
  },
  {
    required: ["kind"],
    allOf: [
      {
        if: { properties: { kind: { const: "bpe" } } },
        then: {
          properties: {
            vocabSize: { default: 4096 },
            minFrequency: { default: 2 },
            sampleFraction: { default: 1 },
            seed: { default: 0 },
            k: false,
          },
        },
        else: { properties: { vocabSize: false, minFrequency: false, sampleFraction: false, seed: false } },
      },
      {
        if: { properties: { kind: { const: "kmer-overlapping" } } },
        then: { properties: { vocabOrder: { default: "dnabert" } } },
        else: { properties: { vocabOrder: false } },
      },
      {
        if: { properties: { kind: { enum: kmerKinds } } },
        then: { properties: { k: { default: 6 } } },
        else: { properties: { k: false } },
      },
    ],
  },
);

export type TrainParams = Static<typeof trainParamsSchema>;
/** tokenize/train's params for kind bpe: the schema's if/then defaults the BPE fields, so they are present. */
export type BpeParams = TrainParams & Required<Pick<TrainParams, "vocabSize" | "minFrequency" | "sampleFraction" | "seed">>;

/** Narrows validated params to BpeParams; throws if a BPE field is missing (the schema and this type disagree). */
export function bpeParams(p: TrainParams): BpeParams {
  const { vocabSize, minFrequency, sampleFraction, seed } = p;
  if (p.kind !== "bpe" || vocabSize === undefined || minFrequency === undefined || sampleFraction === undefined || seed === undefined)
    throw new Error(`tokenize/train: kind ${p.kind} params lack the BPE defaults (the schema's if/then must fill them)`);
  return { ...p, vocabSize, minFrequency, sampleFraction, seed };
}
