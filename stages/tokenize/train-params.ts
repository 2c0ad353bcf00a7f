// JSON schema of tokenize/train's params: `kind` selects which other params are allowed, with their defaults.
import { DEFAULT_SPECIAL_TOKENS, KMER_ORDERS, type KmerOrder } from "../../lib/tokenizers/alphabet.js";
import { MAX_K, MIN_K, TOKENIZER_KINDS } from "../../lib/tokenizers/tokenizer.js";

export interface TrainParams {
  kind: (typeof TOKENIZER_KINDS)[number];
  k?: number;
  vocabOrder?: KmerOrder;
  vocabSize?: number;
  minFrequency?: number;
  sampleFraction?: number;
  seed?: number;
  specialTokens: string[];
  modelMaxLength: number;
}

const kmerKinds = ["kmer-overlapping", "kmer-nonoverlapping"];

export const trainParamsSchema = {
  properties: {
    kind: { enum: [...TOKENIZER_KINDS], description: "bpe | kmer-overlapping (DNABERT) | kmer-nonoverlapping (Nucleotide Transformer) | single-nucleotide" },
    k: { type: "integer", minimum: MIN_K, maximum: MAX_K, description: "k-mer length (k-mer kinds)" },
    vocabOrder: {
      enum: [...KMER_ORDERS],
      description: "kmer-overlapping: k-mer id order; dnabert (default: DNABERT's vocab.txt, A T C G) or lexicographic (A C G T)",
    },
    vocabSize: { type: "integer", minimum: 10, maximum: 1 << 24, description: "BPE target vocabulary size, special tokens included" },
    minFrequency: { type: "integer", minimum: 0, description: "BPE: stop when the best pair occurs fewer times" },
    sampleFraction: { type: "number", exclusiveMinimum: 0, maximum: 1, description: "BPE: train on this fraction of segments" },
    seed: { type: "integer", description: "BPE: seed of the segment sample" },
    specialTokens: {
      type: "array",
      items: { type: "string", minLength: 1 },
      uniqueItems: true,
      minItems: 5,
      default: DEFAULT_SPECIAL_TOKENS,
      description: "special tokens, ids 0.. in this order; must include [PAD] [UNK] [CLS] [SEP] [MASK]",
    },
    modelMaxLength: { type: "integer", minimum: 1, default: 512, description: "model_max_length in tokenizer_config.json" },
  },
  required: ["kind"],
  additionalProperties: false,
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
};
