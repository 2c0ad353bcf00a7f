// The model card of a model/finetune output: the task, the initialization, hyperparameters and per-split metrics.
import { fmt, type CardResult, type ModelCard } from "./card.js";
import { trainingData, type LineageStep } from "./lineage.js";

export interface FinetuneFacts {
  task: { name: string; kind: "classification" | "regression"; numClasses?: number; metric: string; suite?: string };
  init: string;
  params: Record<string, unknown>;
  lineage: LineageStep[];
  /** Per split, metric name → value (lib/metrics). */
  splits: Record<string, Record<string, number | null>>;
  primary: string;
  bestStep?: number;
  steps?: number;
  key?: string;
}

// Hub metric ids for lib/metrics names.
const HUB: Record<string, string> = {
  mcc: "matthews_correlation",
  accuracy: "accuracy",
  f1: "f1",
  macroF1: "f1",
  precision: "precision",
  recall: "recall",
  pearson: "pearsonr",
  spearman: "spearmanr",
};

export function finetuneCard(f: FinetuneFacts): ModelCard {
  const td = trainingData(f.lineage);
  const dataset = f.task.suite ? `${f.task.suite}/${f.task.name}` : f.task.name;
  const results: CardResult[] = [];
  // The Hub's evaluation results: the test split (dev when there is none), metrics only (not the row count).
  const split = f.splits.test ? "test" : f.splits.dev ? "dev" : undefined;
  for (const [k, v] of Object.entries(split ? f.splits[split] : {})) {
    if (k !== "n" && typeof v === "number" && Number.isFinite(v)) results.push({ type: HUB[k] ?? k, name: `${split} ${k}`, value: v, split });
  }
  const metricNames = [...new Set(results.map((r) => r.type))];
  const rows: Array<[string, string]> = [];
  for (const [split, s] of Object.entries(f.splits))
    rows.push([
      split,
      Object.entries(s)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", "),
    ]);
  const p = f.params;
  const hp = ["preset", "lr", "batchSize", "epochs", "steps", "warmupSteps", "weightDecay", "maxLength", "trainRows", "evalEvery", "seed"]
    .filter((k) => p[k] !== undefined && p[k] !== null)
    .map((k) => [k, typeof p[k] === "object" ? JSON.stringify(p[k]) : String(p[k])] as [string, string]);
  return {
    title: `DNA sequence ${f.task.kind === "regression" ? "regressor" : "classifier"} for ${dataset} (${f.init === "scratch" ? "from scratch" : "finetuned"})`,
    summary:
      `A ${f.task.kind === "regression" ? "regression" : `${f.task.numClasses ?? 2}-class classification`} model for the ${dataset} task, ` +
      `${f.init === "scratch" ? "trained from randomly initialized weights" : "finetuned from a dnaflow-pretrained DNA language model"}; ` +
      `the checkpoint with the lowest dev loss is kept${f.bestStep !== undefined ? ` (step ${f.bestStep}${f.steps !== undefined ? ` of ${f.steps}` : ""})` : ""}. ` +
      "It loads with `AutoModelForSequenceClassification` and `AutoTokenizer` as is.",
    pipelineTag: "text-classification",
    tags: ["dnaflow", "genomics", "dna", "biology", f.task.kind, ...(f.task.suite ? [f.task.suite] : []), `init-${f.init}`],
    datasets: [dataset, ...td.datasets],
    metrics: metricNames,
    evaluation: results.length ? { task: { type: "text-classification", name: f.task.kind }, dataset: { type: dataset, name: dataset }, results } : undefined,
    sections: [
      {
        heading: "Training data",
        rows: [
          ["task", `${dataset} (${f.task.kind}${f.task.numClasses ? `, ${f.task.numClasses} classes` : ""}; metric of record ${f.task.metric})`],
          ...td.rows,
        ],
      },
      { heading: "Training procedure", rows: [["initialization", f.init], ...hp] },
      { heading: "Results", text: `Metric of record: ${f.primary}.`, rows },
      ...(td.recipe ? [{ heading: "Recipe", text: "The upstream stages behind this model and its data, with their params:\n\n" + td.recipe }] : []),
    ],
    usage: [
      "from transformers import AutoModelForSequenceClassification, AutoTokenizer",
      "",
      'model = AutoModelForSequenceClassification.from_pretrained("path/to/this/directory")',
      'tokenizer = AutoTokenizer.from_pretrained("path/to/this/directory")',
      'logits = model(**tokenizer(["ACGTACGTAC"], return_tensors="pt")).logits',
    ].join("\n"),
    key: f.key,
  };
}
