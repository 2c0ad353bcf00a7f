// A Hugging Face model card (README.md): YAML front matter the Hub reads (library_name, pipeline_tag, tags, datasets,
// metrics, model-index) and markdown sections. Pure function of its facts: no times, hosts or paths, so a published
// model directory stays byte-identical on every machine (https://huggingface.co/docs/hub/model-cards).
import yaml from "js-yaml";

export interface CardResult {
  /** Metric type as the Hub names it: loss, mcc, accuracy, f1, pearsonr, spearmanr, ... */
  type: string;
  name: string;
  value: number;
  split?: string;
}

export interface ModelCard {
  title: string;
  /** One paragraph under the title. */
  summary: string;
  pipelineTag: "fill-mask" | "text-classification";
  tags: string[];
  /** Hub dataset ids or names of the data (e.g. a benchmark task), as the Hub's `datasets` field. */
  datasets: string[];
  metrics: string[];
  /** Task and dataset the results are on, for the Hub's model-index (evaluation results widget). */
  evaluation?: { task: { type: string; name: string }; dataset: { type: string; name: string }; results: CardResult[] };
  sections: Array<{ heading: string; text?: string; rows?: Array<[string, string]> }>;
  /** Python that loads the model (shown under "How to use"). */
  usage: string;
  /** The dnaflow key the directory is published under (computed before the run, so not circular). */
  key?: string;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderModelCard(c: ModelCard): string {
  const front: Record<string, unknown> = {
    library_name: "transformers",
    pipeline_tag: c.pipelineTag,
    tags: c.tags,
    ...(c.datasets.length ? { datasets: c.datasets } : {}),
    metrics: c.metrics,
  };
  if (c.evaluation) {
    front["model-index"] = [
      {
        name: c.title,
        results: [
          {
            task: c.evaluation.task,
            dataset: c.evaluation.dataset,
            metrics: c.evaluation.results.map((r) => ({ type: r.type, value: r.value, name: r.name })),
          },
        ],
      },
    ];
  }
  const out = ["---", yaml.dump(front, { lineWidth: -1, noRefs: true }).trimEnd(), "---", "", `# ${c.title}`, "", c.summary, ""];
  for (const s of c.sections) {
    out.push(`## ${s.heading}`, "");
    if (s.text) out.push(s.text, "");
    if (s.rows?.length) {
      out.push("| | |", "|---|---|", ...s.rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`), "");
    }
  }
  out.push("## How to use", "", "```python", c.usage.trimEnd(), "```", "");
  out.push(
    "## Provenance",
    "",
    "Made by dnaflow, a content-hashed pipeline engine for genomic language models: the same pipeline and inputs give this directory byte for byte.",
    ...(c.key ? ["", `dnaflow key: \`${c.key}\``] : []),
    "",
  );
  return out.join("\n");
}

/** A number as the card shows it: up to 4 decimals, no trailing zeros (deterministic for a given value). */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
}
