// model/finetune's params, written once (schema and type from one builder; defaults filled in before the key is computed).
// The same names form the worker's JSON config (worker/finetune_config.py validates them again). Unset lr/batchSize/
// epochs/maxSteps/warmupSteps/evalEvery come from the preset (worker/presets.py: the papers' per-task-family values).
import { t, type Static } from "../../core/schema.js";
import { modelProperties } from "./pretrain-params.js";

/** What picks the kept checkpoint on dev: the loss (DNABERT-2's default), the task's metric of record, or a named metric. */
export type SelectBy = FinetuneParams["selectBy"];
export const SELECT_BY_CLASSIFICATION = ["loss", "metric", "mcc", "accuracy", "f1"];
export const SELECT_BY_REGRESSION = ["loss", "metric", "pearson", "spearman"];

const int = (min: number, def: number, description: string) => t.integer({ minimum: min, default: def, description });
// null (or unset) = the preset's value: a pipeline can pass `${{ params.x }}` that a profile overrides
const presetInt = (min: number, description: string) => t.nullable(t.integer({ minimum: min, description }));

export const finetuneParamsSchema = t.params(
  {
    task: t.string({ minLength: 1, description: "one task of the tasks input (tasks.json name), e.g. prom/prom_core_tata; use a matrix for several" }),
    init: t.enum(["pretrained", "scratch"], {
      default: "pretrained",
      description: "pretrained: from the `model` input (must be bound); scratch: random weights with the `model:` architecture (the input must not be bound)",
    }),
    model: t.object(modelProperties, {
      description:
        "architecture for init: scratch, the same block as model/pretrain's `model:` (defaults filled in); not allowed for init: pretrained, whose architecture is the `model` input's",
    }),
    preset: t.enum(["dnabert2", "randommask", "none"], {
      default: "dnabert2",
      description: "per-task-family lr/batch/epochs/warmup/eval interval from the papers (worker/presets.py)",
    }),
    lr: t.nullable(t.number({ exclusiveMinimum: 0, description: "peak learning rate (AdamW); default (or null): the preset's" })),
    batchSize: presetInt(1, "rows per step; default (or null): the preset's"),
    epochs: presetInt(1, "passes over the training rows; default (or null): the preset's"),
    maxSteps: presetInt(0, "stop after this many steps (0: the epochs decide); default (or null): the preset's"),
    warmupSteps: presetInt(0, "linear warmup steps, then linear decay to 0; default (or null): the preset's"),
    evalEvery: presetInt(1, "steps between dev evaluations (also at the last step); the best on dev (selectBy) is kept; default (or null): the preset's"),
    selectBy: t.enum(["loss", "metric", "mcc", "accuracy", "f1", "pearson", "spearman"], {
      default: "loss",
      description:
        "which dev evaluation's weights are kept: loss (lowest dev loss, DNABERT-2's default), metric (the task's metric of record: mcc, pearson), or a named metric (highest on dev; ties keep the earlier step)",
    }),
    weightDecay: t.number({ minimum: 0, default: 0.01, description: "AdamW weight decay (not on biases and norms); 0.01 as DNABERT-2 finetune/train.py" }),
    clip: t.number({ minimum: 0, default: 1.0, description: "max global gradient norm; 0 = off" }),
    maxLength: int(0, 0, "tokens incl. [CLS]/[SEP]; 0 = auto: the longest tokenized sequence of the task, capped by the model's positions"),
    trainRows: int(0, 0, "train on a fixed random subset of this many training rows (the same for every seed); 0 = all"),
    devFraction: t.number({
      exclusiveMinimum: 0,
      maximum: 0.9,
      default: 0.1,
      description: "for a task without dev.csv: fraction of train held out as dev (seeded)",
    }),
    evalBatchSize: int(1, 64, "rows per forward pass when evaluating"),
    seed: int(0, 42, "head (and scratch model) init, data order, dropout"),
    checkpointEvery: int(1, 200, "steps between checkpoints (also written on SIGTERM and at the end)"),
    keepCheckpoints: int(1, 2, "newest checkpoints kept"),
    device: t.enum(["auto", "cpu", "cuda"], { default: "auto" }),
    deterministic: t.enum(["auto", true, false], { default: "auto", description: "torch deterministic algorithms (auto: on CPU, where resume is bit-exact)" }),
    threads: int(0, 0, "torch CPU threads (part of the key: the thread count can change the bytes); 0 = 1"),
  },
  {
    required: ["task"],
    // `model:` gets its defaults only for init: scratch. `required` makes the test see only an explicit init (ajv may test
    // before filling init's default, which is pretrained anyway), so a pretrained finetune keys no architecture it ignores.
    if: { required: ["init"], properties: { init: { const: "scratch" } } },
    then: { properties: { model: { default: {} } } },
  },
);

/** model/finetune's params after defaults; `model` only for init: scratch (absent for pretrained, so not in the key). */
export type FinetuneParams = Static<typeof finetuneParamsSchema>;
