// model/pretrain's params, written once: the JSON Schema (defaults filled in before the key is computed) and the
// TypeScript type come from the same builder. The same names form the worker's JSON config; worker/config.py
// validates it against this schema exported to worker/schemas/ (so a hand-written config gets the same checks).
import { t, type Static } from "../../core/schema.js";

const int = (def: number, min = 1, description?: string) => t.integer({ minimum: min, default: def, ...(description ? { description } : {}) });
const prob = (def: number, description: string) => t.number({ minimum: 0, maximum: 1, default: def, description });

/** The architecture block: model/pretrain's `model:` and model/finetune's for init: scratch. */
export const modelProperties = {
  family: t.enum(["roberta", "bert", "modernbert"], {
    default: "roberta",
    description: "roberta (TinyDNABERT, RandomMask) | bert (DNABERT) | modernbert (rotary + gated FFN)",
  }),
  layers: int(6),
  hidden: int(512),
  heads: int(8),
  intermediate: int(2048),
  maxPositions: int(512, 1, "longest input in tokens ([CLS]/[SEP] included); must be >= the shards' maxLength"),
  dropout: prob(0.1, "hidden dropout"),
  attentionDropout: prob(0.1, "attention dropout"),
  vocabSize: t.integer({ minimum: 1, description: "optional: must equal the tokenizer's vocabulary size" }),
};

export const pretrainParamsSchema = t.params({
  model: t.object(modelProperties, { default: {} }),
  masking: t.object(
    {
      strategy: t.enum(["bert", "kmer-span", "randommask"], { default: "bert" }),
      ratio: t.number({ exclusiveMinimum: 0, maximum: 0.9, default: 0.15, description: "target fraction of non-special tokens masked" }),
      maskToken: prob(0.8, "of masked positions: replaced by [MASK]"),
      randomToken: prob(0.1, "of masked positions: replaced by a random non-special token"),
      k: t.integer({ minimum: 1, maximum: 64, default: 6, description: "kmer-span: span length, the tokenizer's k" }),
      phases: int(5, 1, "randommask: number of curriculum phases"),
      minSpan: int(6, 1, "randommask: shortest span"),
      maxSpanStart: int(6, 1, "randommask: longest span in phase 1"),
      maxSpanStep: int(2, 0, "randommask: longest span grows by this per phase"),
      centreProbability: t.number({ exclusiveMinimum: 0, maximum: 1, description: "override the centre probability derived from ratio" }),
    },
    { default: {} },
  ),
  optimizer: t.object(
    {
      lr: t.number({ exclusiveMinimum: 0, default: 1e-4, description: "peak learning rate (AdamW)" }),
      betas: t.array(t.number({ minimum: 0, exclusiveMaximum: 1 }), { minItems: 2, maxItems: 2, default: [0.9, 0.98] }),
      eps: t.number({ exclusiveMinimum: 0, default: 1e-6 }),
      weightDecay: t.number({ minimum: 0, default: 0.01, description: "AdamW weight decay (not on biases and norms)" }),
      warmupSteps: int(0, 0, "linear warmup from 0"),
      minLrRatio: prob(0, "linear decay to lr × minLrRatio at the last step"),
      clip: t.number({ minimum: 0, default: 1.0, description: "max global gradient norm; 0 = off" }),
    },
    { default: {} },
  ),
  steps: int(1000, 1, "optimizer steps"),
  batchSize: int(32, 1, "global batch in rows: microBatchSize × devices × accumulation"),
  microBatchSize: t.integer({ minimum: 1, description: "rows per device per forward pass (default batchSize / devices); does not change results" }),
  seed: int(0, 0),
  checkpointEvery: int(1000, 1, "steps between checkpoints (also written on SIGTERM and at the end)"),
  keepCheckpoints: int(3, 1, "newest checkpoints kept"),
  evalBatches: int(0, 0, "micro batches of `valid` scored at the end"),
  device: t.enum(["auto", "cpu", "cuda"], { default: "auto" }),
  precision: t.enum(["auto", "bf16", "fp32"], { default: "auto", description: "auto: bf16 autocast on CUDA, fp32 on CPU" }),
  compile: t.enum(["auto", true, false], { default: "auto", description: "torch.compile (auto: on CUDA)" }),
  deterministic: t.enum(["auto", true, false], { default: "auto", description: "torch deterministic algorithms (auto: on CPU)" }),
  threads: int(0, 0, "torch CPU threads (part of the key: the thread count can change the bytes); 0 = 1"),
});

export type PretrainParams = Static<typeof pretrainParamsSchema>;
