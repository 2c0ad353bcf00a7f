// report/summary: collects metrics over matrix instances (fan-in) and pretraining loss curves into report.html
// (self-contained, inline SVG), report.md and results.csv; the table goes to the stage log. Inputs: docs/evaluation.md.
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { referenceNames } from "../../lib/reference-results/references.js";
import { curvesFromInputs, renderReport, resultsFromInputs, writeReport } from "../../lib/report/index.js";

const summaryParams = t.params({
  title: t.string({ default: "dnaflow report" }),
  split: t.string({ default: "test", description: "Split whose metrics are reported." }),
  metric: t.string({ description: "Metric to report (mcc, accuracy, f1, pearson, spearman, …); default: each task's metric of record." }),
  reference: t.array(t.enum(referenceNames()), { default: [], description: "Published numbers to show: " + referenceNames().join(", ") }),
  baseline: t.object(
    { axis: t.string(), value: t.types(["string", "number", "boolean"]) },
    {
      required: ["axis", "value"],
      description: "Gain chart baseline: the instances with this matrix axis value, e.g. { axis: init, value: scratch }.",
    },
  ),
  seedAxis: t.string({ default: "seed", description: "Axis of repeats, aggregated to mean ± sd." }),
  taskAxis: t.string({ default: "task", description: "Axis naming the task when metrics.json has no task." }),
});

export type SummaryParams = Static<typeof summaryParams>;

export default defineStage<SummaryParams>({
  name: "report/summary",
  version: 1,
  description: "Report over matrix instances: results table (terminal, markdown, CSV) and an HTML page with SVG charts",
  params: summaryParams,
  inputs: {
    metrics: { many: true, description: "metrics.json files or folders holding one (finetune or eval/metrics outputs), fanned in over the matrix." },
    pretrain: { many: true, optional: true, description: "Pretraining outputs with metrics.jsonl (loss events) for the loss curves." },
  },
  revision: 2, // 1: report.txt added; 2: paired gains, the k-mer baseline, collapsed models, gain-by-axis chart
  showsResults: true,
  keysInputLabels: true, // results.csv and the tables name each row's source instance and its coordinates
  outputs: ["report"],
  resources: { cpus: 1, memory: "1G" },
  async run(ctx) {
    const p = ctx.params;
    const items = ctx.inputs("metrics");
    if (!items.length) throw new StageInputError("report/summary: the metrics input has no artifacts");
    const results = await resultsFromInputs(items, p.taskAxis);
    const curves = ctx.hasInput("pretrain") ? curvesFromInputs(ctx.inputs("pretrain")) : [];
    if (ctx.hasInput("pretrain") && !curves.length) ctx.log("warning: no loss events (metrics.jsonl lines with numeric step and loss) in the pretrain input");
    const r = renderReport(
      { results, curves },
      { title: p.title, split: p.split, metric: p.metric, references: p.reference, baseline: p.baseline, seedAxis: p.seedAxis },
    );
    writeReport(ctx.output("report"), r);
    for (const line of r.terminal.trimEnd().split("\n")) ctx.log(line);
    await writeFile(join(ctx.output("report"), "report.txt"), r.terminal.trimEnd() + "\n");
    // `show`/`link` ask the CLI to print this file, and where the HTML is, when a run that includes the stage ends.
    ctx.setMeta({
      results: results.length,
      tasks: r.summary.tasks.length,
      variants: r.summary.variants.length,
      curves: curves.length,
      show: "report/report.txt",
      link: "report/report.html",
    });
  },
});
