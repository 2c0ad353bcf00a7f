// model/finetune: sequence classification / regression on one benchmark task in the Python worker (worker/finetune.py),
// from a pretrained model (input `model`) or from scratch. Outputs: the best-on-dev Hugging Face model
// (AutoModelForSequenceClassification) and `metrics`: predictions.csv from the worker, metrics.json computed here with
// lib/metrics (docs/evaluation.md), finetune.json (hyperparameters, dev-loss history, best step). A model that predicts
// one class for every row of dev or test (a collapsed model, MCC 0) is flagged: stage log, a terminal warning, the report.
// Checkpoints go to ctx.checkpointDir, so a killed attempt resumes where it stopped, with identical results on CPU.
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runWorker } from "../../engine/python/run-worker.js";
import { defineStage, WARNINGS_META } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import { readTaskSet } from "../../lib/benchmark/artifact.js";
import { collapseWarning, metricsFromPredictions, readPredictions } from "../../lib/metrics/index.js";
import { finetuneCard, writeModelCard } from "../../lib/model-card/write.js";
import { finetuneParamsSchema, SELECT_BY_CLASSIFICATION, SELECT_BY_REGRESSION, type FinetuneParams } from "./finetune-params.js";
import { finetunePlanCheck } from "./finetune-plan.js";

export default defineStage<FinetuneParams>({
  name: "model/finetune",
  version: 1,
  // 2: metrics.json lists collapsed splits and the selection (selectBy); auto maxLength over the whole task
  // 3: README.md model card added to the model directory
  revision: 3,
  description:
    "Finetune a sequence classifier/regressor on one benchmark task, from a pretrained model or from scratch; best-on-dev model, test predictions and metrics.",
  params: finetuneParamsSchema,
  inputs: {
    tasks: { description: "the data/benchmark artifact (tasks.json + <task>/{train,dev,test}.csv)" },
    tokenizer: { description: "tokenizer directory from tokenize/train (the one the model was pretrained with)" },
    model: { optional: true, description: "pretrained Hugging Face directory from model/pretrain (init: pretrained); leave unbound for init: scratch" },
  },
  outputs: ["model", "metrics"],
  usesWorker: true,
  resources: { cpus: 1, memory: "2GiB" },
  planCheck: finetunePlanCheck,
  async run(ctx) {
    const p = ctx.params;
    const hasModel = ctx.hasInput("model");
    if (p.init === "pretrained" && !hasModel)
      throw new StageInputError("init: pretrained needs the `model` input (a model/pretrain output); bind it, or set init: scratch");
    if (p.init === "scratch" && hasModel)
      throw new StageInputError("init: scratch trains from random weights, but the `model` input is bound; leave it unbound, or set init: pretrained");
    const tasksDir = ctx.input("tasks");
    if (!existsSync(join(tasksDir, "tasks.json"))) throw new StageInputError(`input tasks: ${tasksDir} has no tasks.json (not a data/benchmark output)`);
    const set = readTaskSet(tasksDir);
    const task = set.tasks.find((t) => t.name === p.task);
    if (!task) throw new StageInputError(`task: no task '${p.task}' in the tasks input (has: ${set.tasks.map((t) => t.name).join(", ")})`);
    const selectable = task.kind === "classification" ? SELECT_BY_CLASSIFICATION : SELECT_BY_REGRESSION;
    if (!selectable.includes(p.selectBy))
      throw new StageInputError(`selectBy: '${p.selectBy}' does not apply to ${task.name} (${task.kind}; one of ${selectable.join(", ")})`);

    const metricsDir = ctx.output("metrics");
    const config = {
      ...p,
      threads: p.threads || 1, // as model/pretrain: from the key, never from resources.cpus
      tasks: tasksDir,
      tokenizer: ctx.input("tokenizer"),
      pretrained: hasModel ? ctx.input("model") : null,
      checkpointDir: ctx.checkpointDir,
      outDir: ctx.output("model"),
      predictionsDir: metricsDir,
    };
    const { events } = await runWorker(ctx, "finetune", config, { eventsFile: join(ctx.workDir, "events.jsonl") });
    const done = events.find((e) => e.event === "done");
    if (!done) throw new Error("worker finetune: finished without a done event");

    const predictions = join(metricsDir, "predictions.csv");
    const summary = JSON.parse(readFileSync(join(metricsDir, "finetune.json"), "utf8"));
    const m = metricsFromPredictions(await readPredictions(predictions), { kind: task.kind, task: task.name, numClasses: task.numClasses, where: predictions });
    const extra = Object.fromEntries(
      [
        "init",
        "preset",
        "lr",
        "batchSize",
        "epochs",
        "steps",
        "trainRows",
        "maxLength",
        "seed",
        "selectBy",
        "bestStep",
        "bestDevLoss",
        "bestDevMetric",
        "history",
      ]
        .filter((k) => summary[k] !== undefined)
        .map((k) => [k, summary[k]]),
    );
    await writeFile(join(metricsDir, "metrics.json"), JSON.stringify({ ...m, ...extra }, null, 2) + "\n");
    await writeModelCard(
      ctx.output("model"),
      finetuneCard({
        task: { name: task.name, kind: task.kind, numClasses: task.numClasses, metric: task.metric, suite: set.suite },
        init: p.init,
        params: { ...p },
        lineage: ctx.lineage ?? [],
        splits: m.splits as Record<string, Record<string, number | null>>,
        primary: m.primary,
        bestStep: summary.bestStep,
        steps: summary.steps,
        key: process.env.DNAFLOW_KEY,
      }),
    );
    for (const [split, s] of Object.entries(m.splits))
      ctx.log(
        `${split}: ${Object.entries(s)
          .map(([k, v]) => `${k}=${v === null ? "n/a" : Number.isInteger(v) ? v : v.toFixed(4)}`)
          .join(" ")}`,
      );
    const warnings = (m.collapsed ?? []).map((split) => collapseWarning(task.name, split, m));
    for (const w of warnings) ctx.log(`warning: ${w}`);
    ctx.setMeta({
      ...(warnings.length ? { [WARNINGS_META]: warnings } : {}),
      task: task.name,
      kind: m.kind,
      init: p.init,
      bestStep: summary.bestStep as number,
      steps: summary.steps as number,
      params: (done.params as number) ?? null,
      software: { node: process.version, ...((events.find((e) => e.event === "start")?.software as Record<string, string>) ?? {}) },
      // Not in the outputs: they differ between runs of the same key (throughput, the machine's threads and kernels).
      timing: (done.timing as JsonValue) ?? null,
      numerics: (events.find((e) => e.event === "start")?.numerics as JsonValue) ?? null,
      ...Object.fromEntries(Object.entries(m.splits).map(([k, v]) => [`${k}.${m.primary}`, (v[m.primary] ?? null) as JsonValue])),
    });
  },
});
