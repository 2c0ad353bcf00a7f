// eval/baseline: the classical model beside the language models — overlapping k-mer counts + logistic regression
// (regression tasks: ridge), scikit-learn in the worker's pinned environment (worker/baseline.py). Writes the same
// `metrics` artifact as model/finetune (predictions.csv → metrics.json via lib/metrics, baseline.json), with the same
// rows (trainRows, dev hold-out), so a report puts one baseline row per task beside the models.
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runWorker } from "../../engine/python/run-worker.js";
import { t, type Static } from "../../core/schema.js";
import { defineStage, WARNINGS_META } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { readTaskSet } from "../../lib/benchmark/artifact.js";
import { collapseWarning, metricsFromPredictions, readPredictions } from "../../lib/metrics/index.js";

const baselineParams = t.params(
  {
    task: t.string({ minLength: 1, description: "one task of the tasks input, e.g. prom/prom_core_tata; use a matrix for several" }),
    k: t.integer({ minimum: 1, maximum: 8, default: 4, description: "k-mer length (overlapping counts; 4^k features at most)" }),
    C: t.number({ exclusiveMinimum: 0, default: 1.0, description: "logistic regression: inverse L2 strength (scikit-learn's C)" }),
    alpha: t.number({ exclusiveMinimum: 0, default: 1.0, description: "ridge regression: L2 strength" }),
    maxIter: t.integer({ minimum: 1, default: 2000, description: "lbfgs iterations at most" }),
    trainRows: t.integer({
      minimum: 0,
      default: 0,
      description: "the same fixed random subset of training rows as model/finetune's trainRows; 0 = all",
    }),
    devFraction: t.number({
      exclusiveMinimum: 0,
      maximum: 0.9,
      default: 0.1,
      description: "a task without dev.csv: the dev rows held out, as model/finetune",
    }),
    seed: t.integer({
      minimum: 0,
      default: 42,
      description: "only for that dev hold-out (set it to the finetune's seed to get its dev rows); the fit has no randomness",
    }),
  },
  { required: ["task"] },
);

export type BaselineParams = Static<typeof baselineParams>;

export default defineStage<BaselineParams>({
  name: "eval/baseline",
  version: 1,
  description: "k-mer counts + logistic regression (regression tasks: ridge) on one benchmark task: the trivial model a language model must beat",
  params: baselineParams,
  inputs: { tasks: { description: "the data/benchmark artifact (tasks.json + <task>/{train,dev,test}.csv)" } },
  outputs: ["metrics"],
  usesWorker: true,
  resources: { cpus: 1, memory: "1GiB" },
  async run(ctx) {
    const p = ctx.params;
    const tasksDir = ctx.input("tasks");
    if (!existsSync(join(tasksDir, "tasks.json"))) throw new StageInputError(`input tasks: ${tasksDir} has no tasks.json (not a data/benchmark output)`);
    const task = readTaskSet(tasksDir).tasks.find((t) => t.name === p.task);
    if (!task)
      throw new StageInputError(
        `task: no task '${p.task}' in the tasks input (has: ${readTaskSet(tasksDir)
          .tasks.map((t) => t.name)
          .join(", ")})`,
      );
    const out = ctx.output("metrics");
    await runWorker(ctx, "baseline", { ...p, tasks: tasksDir, outDir: out });
    const predictions = join(out, "predictions.csv");
    const m = metricsFromPredictions(await readPredictions(predictions), { kind: task.kind, task: task.name, numClasses: task.numClasses, where: predictions });
    const info = JSON.parse(readFileSync(join(out, "baseline.json"), "utf8"));
    await writeFile(join(out, "metrics.json"), JSON.stringify({ ...m, baseline: info }, null, 2) + "\n");
    for (const [split, s] of Object.entries(m.splits)) ctx.log(`${split}: ${m.primary}=${s[m.primary] === null ? "n/a" : s[m.primary]!.toFixed(4)}`);
    const warnings = (m.collapsed ?? []).map((split) => collapseWarning(task.name, split, m));
    ctx.setMeta({
      task: task.name,
      model: info.model,
      ...(warnings.length ? { [WARNINGS_META]: warnings } : {}),
      ...Object.fromEntries(Object.entries(m.splits).map(([k, v]) => [`${k}.${m.primary}`, v[m.primary] ?? null])),
    });
  },
});
