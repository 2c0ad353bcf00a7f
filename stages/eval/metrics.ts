// eval/metrics: predictions.csv → metrics.json (per split: MCC, accuracy, macro F1/precision/recall, or Pearson,
// Spearman, MSE, R²), so a finetune stage only has to write its predictions; a classifier predicting one class for a
// whole split is flagged (collapsed). Formats: docs/evaluation.md.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { t, type Static } from "../../core/schema.js";
import { defineStage, WARNINGS_META } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { readTaskSet } from "../../lib/benchmark/artifact.js";
import { collapseWarning, metricsFromPredictions, readPredictions, type TaskKind } from "../../lib/metrics/index.js";

const evalParams = t.params({
  task: t.string({ description: "Task name, e.g. prom/prom_core_tata; with the `tasks` input it gives the kind and class count." }),
  kind: t.enum(["auto", "classification", "regression"], { default: "auto", description: "auto: the task's kind, else integers → classification." }),
});

export type EvalParams = Static<typeof evalParams>;

export default defineStage<EvalParams>({
  name: "eval/metrics",
  version: 1,
  revision: 2, // 2: metrics.json lists collapsed splits (classification)
  description: "Metrics from predictions.csv (split,row,label,prediction) → metrics/metrics.json",
  params: evalParams,
  inputs: {
    predictions: { description: "predictions.csv, or a folder containing it (e.g. a finetune output)." },
    tasks: { optional: true, description: "The data/benchmark artifact, for the task's kind and class count." },
  },
  outputs: ["metrics"],
  resources: { cpus: 1, memory: "1G" },
  async run(ctx) {
    let path = ctx.input("predictions");
    if (statSync(path).isDirectory()) path = join(path, "predictions.csv");
    if (!existsSync(path)) throw new StageInputError(`${path}: not found`);
    let kind: TaskKind | undefined = ctx.params.kind === "auto" ? undefined : ctx.params.kind;
    let numClasses: number | undefined;
    if (ctx.hasInput("tasks")) {
      if (!ctx.params.task) throw new StageInputError("eval/metrics: with the `tasks` input, name the task (task: prom/prom_core_tata)");
      const set = readTaskSet(ctx.input("tasks"));
      const t = set.tasks.find((x) => x.name === ctx.params.task);
      if (!t) throw new StageInputError(`eval/metrics: no task '${ctx.params.task}' in the tasks input (has: ${set.tasks.map((x) => x.name).join(", ")})`);
      kind ??= t.kind;
      numClasses = t.numClasses;
    }
    const m = metricsFromPredictions(await readPredictions(path), { kind, task: ctx.params.task, numClasses, where: path });
    const out = ctx.output("metrics");
    mkdirSync(out, { recursive: true });
    await writeFile(join(out, "metrics.json"), JSON.stringify(m, null, 2) + "\n");
    for (const [split, s] of Object.entries(m.splits))
      ctx.log(
        `${split}: ${Object.entries(s)
          .map(([k, v]) => `${k}=${v === null ? "n/a" : Number.isInteger(v) ? v : v.toFixed(4)}`)
          .join(" ")}`,
      );
    const warnings = (m.collapsed ?? []).map((split) => collapseWarning(ctx.params.task ?? "predictions", split, m));
    for (const w of warnings) ctx.log(`warning: ${w}`);
    ctx.setMeta({
      kind: m.kind,
      ...(warnings.length ? { [WARNINGS_META]: warnings } : {}),
      ...Object.fromEntries(Object.entries(m.splits).map(([k, v]) => [`${k}.${m.primary}`, v[m.primary] ?? null])),
    });
  },
});
