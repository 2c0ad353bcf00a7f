// JSON Schema of model/finetune's params (defaults filled in before the key is computed). The same names form the
// worker's JSON config (worker/finetune_config.py validates them again). Unset lr/batchSize/epochs/maxSteps/
// warmupSteps/evalEvery come from the preset (worker/presets.py: the papers' per-task-family values).
import { pretrainParamsSchema } from "./pretrain-params.js";

export interface FinetuneParams {
  task: string;
  init: "pretrained" | "scratch";
  /** Only for init: scratch (filled in with the defaults there); absent for init: pretrained, so it is not in the key. */
  model?: Record<string, unknown>;
  preset: "dnabert2" | "randommask" | "none";
  lr?: number | null;
  batchSize?: number | null;
  epochs?: number | null;
  maxSteps?: number | null;
  warmupSteps?: number | null;
  evalEvery?: number | null;
  selectBy: SelectBy;
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

/** What picks the kept checkpoint on dev: the loss (DNABERT-2's default), the task's metric of record, or a named metric. */
export type SelectBy = "loss" | "metric" | "mcc" | "accuracy" | "f1" | "pearson" | "spearman";
export const SELECT_BY_CLASSIFICATION = ["loss", "metric", "mcc", "accuracy", "f1"];
export const SELECT_BY_REGRESSION = ["loss", "metric", "pearson", "spearman"];

const modelWithoutDefault: Record<string, unknown> = { ...pretrainParamsSchema.properties.model };
delete modelWithoutDefault.default;

const int = (min: number, description: string, def?: number) => ({ type: "integer", minimum: min, ...(def !== undefined ? { default: def } : {}), description });

const orNull = (schema: { type: string }) => ({ ...schema, type: [schema.type, "null"] });

export const finetuneParamsSchema = {
  properties: {
    task: { type: "string", minLength: 1, description: "one task of the tasks input (tasks.json name), e.g. prom/prom_core_tata; use a matrix for several" },
    init: { enum: ["pretrained", "scratch"], default: "pretrained", description: "pretrained: from the `model` input (must be bound); scratch: random weights with the `model:` architecture (the input must not be bound)" },
    model: { ...modelWithoutDefault, description: "architecture for init: scratch, the same block as model/pretrain's `model:` (defaults filled in); not allowed for init: pretrained, whose architecture is the `model` input's" },
    preset: { enum: ["dnabert2", "randommask", "none"], default: "dnabert2", description: "per-task-family lr/batch/epochs/warmup/eval interval from the papers (worker/presets.py)" },
    // null (or unset) = the preset's value: a pipeline can pass `${{ params.x }}` that a profile overrides
    lr: { type: ["number", "null"], exclusiveMinimum: 0, description: "peak learning rate (AdamW); default (or null): the preset's" },
    batchSize: orNull(int(1, "rows per step; default (or null): the preset's")),
    epochs: orNull(int(1, "passes over the training rows; default (or null): the preset's")),
    maxSteps: orNull(int(0, "stop after this many steps (0: the epochs decide); default (or null): the preset's")),
    warmupSteps: orNull(int(0, "linear warmup steps, then linear decay to 0; default (or null): the preset's")),
    evalEvery: orNull(int(1, "steps between dev evaluations (also at the last step); the best on dev (selectBy) is kept; default (or null): the preset's")),
    selectBy: {
      enum: ["loss", "metric", "mcc", "accuracy", "f1", "pearson", "spearman"],
      default: "loss",
      description: "which dev evaluation's weights are kept: loss (lowest dev loss, DNABERT-2's default), metric (the task's metric of record: mcc, pearson), or a named metric (highest on dev; ties keep the earlier step)",
    },
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
  // `model:` gets its defaults only for init: scratch. `required` makes the test see only an explicit init (ajv may test
  // before filling init's default, which is pretrained anyway), so a pretrained finetune keys no architecture it ignores.
  if: { required: ["init"], properties: { init: { const: "scratch" } } },
  then: { properties: { model: { default: {} } } },
};
