// JSON Schema of model/finetune's params (defaults filled in before the key is computed). The same names form the
// worker's JSON config (worker/finetune_config.py validates them again). Unset lr/batchSize/epochs/maxSteps/
// warmupSteps/evalEvery come from the preset (worker/presets.py: the papers' per-task-family values).
import { pretrainParamsSchema } from "./pretrain-params.js";

export interface FinetuneParams {
  task: string;
  init: "pretrained" | "scratch";
  model: Record<string, unknown>;
  preset: "dnabert2" | "randommask" | "none";
  lr?: number;
  batchSize?: number;
  epochs?: number;
  maxSteps?: number;
  warmupSteps?: number;
  evalEvery?: number;
  weightDecay: number;
  clip: number;
  maxLength: number;
  trainRows: number;
  devFraction: number;
  evalBatchSize: number;
  seed: number;
  checkpointEvery: number;
  keepCheckpoints: number;
  device: "auto" | "cpu" | "cuda";
  deterministic: "auto" | boolean;
  threads: number;
}

const int = (min: number, description: string, def?: number) => ({ type: "integer", minimum: min, ...(def !== undefined ? { default: def } : {}), description });

export const finetuneParamsSchema = {
  properties: {
    task: { type: "string", minLength: 1, description: "one task of the tasks input (tasks.json name), e.g. prom/prom_core_tata; use a matrix for several" },
    init: { enum: ["pretrained", "scratch"], default: "pretrained", description: "pretrained: from the `model` input (must be bound); scratch: random weights with the `model:` architecture (the input must not be bound)" },
    model: { ...pretrainParamsSchema.properties.model, description: "architecture for init: scratch, the same block as model/pretrain's `model:` (ignored for init: pretrained)" },
    preset: { enum: ["dnabert2", "randommask", "none"], default: "dnabert2", description: "per-task-family lr/batch/epochs/warmup/eval interval from the papers (worker/presets.py)" },
    lr: { type: "number", exclusiveMinimum: 0, description: "peak learning rate (AdamW); default: the preset's" },
    batchSize: int(1, "rows per step; default: the preset's"),
    epochs: int(1, "passes over the training rows; default: the preset's"),
    maxSteps: int(0, "stop after this many steps (0: the epochs decide); default: the preset's"),
    warmupSteps: int(0, "linear warmup steps, then linear decay to 0; default: the preset's"),
    evalEvery: int(1, "steps between dev evaluations (also at the last step); the best dev loss is kept; default: the preset's"),
    weightDecay: { type: "number", minimum: 0, default: 0.01, description: "AdamW weight decay (not on biases and norms); 0.01 as DNABERT-2 finetune/train.py" },
    clip: { type: "number", minimum: 0, default: 1.0, description: "max global gradient norm; 0 = off" },
    maxLength: int(0, "tokens incl. [CLS]/[SEP]; 0 = auto: the longest tokenized sequence of the task, capped by the model's positions", 0),
    trainRows: int(0, "train on a fixed random subset of this many training rows (the same for every seed); 0 = all", 0),
    devFraction: { type: "number", exclusiveMinimum: 0, maximum: 0.9, default: 0.1, description: "for a task without dev.csv: fraction of train held out as dev (seeded)" },
    evalBatchSize: int(1, "rows per forward pass when evaluating", 64),
    seed: int(0, "head (and scratch model) init, data order, dropout", 42),
    checkpointEvery: int(1, "steps between checkpoints (also written on SIGTERM and at the end)", 200),
    keepCheckpoints: int(1, "newest checkpoints kept", 2),
    device: { enum: ["auto", "cpu", "cuda"], default: "auto" },
    deterministic: { enum: ["auto", true, false], default: "auto", description: "torch deterministic algorithms (auto: on CPU, where resume is bit-exact)" },
    threads: int(0, "torch CPU threads (part of the key: the thread count can change the bytes); 0 = 1", 0),
  },
  required: ["task"],
  additionalProperties: false,
};
