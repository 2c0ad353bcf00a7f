// The model card of a model/pretrain output: architecture, training data (from the recipe), training params, results.
import { fmt, type ModelCard } from "./card.js";
import { trainingData, type LineageStep } from "./lineage.js";

export interface PretrainFacts {
  params: {
    model: Record<string, unknown> & { family: string; layers: number; hidden: number; heads: number };
    masking: Record<string, unknown> & { strategy: string };
    optimizer: Record<string, unknown>;
    steps: number;
    batchSize: number;
    seed: number;
  };
  lineage: LineageStep[];
  /** From the token shards' meta.json: what the model actually saw. */
  data?: { sequences?: number; bases?: number; totalTokens?: number; count?: number; maxLength?: number; tokenizerKind?: string; vocabSize?: number };
  parameters?: number;
  finalLoss?: number | null;
  validLoss?: number | null;
  key?: string;
}

const MASKING: Record<string, string> = {
  bert: "BERT masking (15% of tokens: 80% [MASK], 10% random, 10% kept)",
  "kmer-span": "contiguous k-mer span masking (DNABERT)",
  randommask: "RandomMask curriculum (span length grows by phase)",
};

export function pretrainCard(f: PretrainFacts): ModelCard {
  const p = f.params;
  const td = trainingData(f.lineage);
  const kind = f.data?.tokenizerKind;
  const results: Array<[string, string]> = [["final training loss (masked tokens)", fmt(f.finalLoss)]];
  if (f.validLoss !== undefined && f.validLoss !== null) results.push(["validation loss (masked tokens)", fmt(f.validLoss)]);
  const d = f.data ?? {};
  return {
    title: `${p.model.family} DNA language model (${p.model.layers} layers × ${p.model.hidden} hidden${kind ? `, ${kind} tokens` : ""})`,
    summary:
      `A ${p.model.family} masked language model pretrained on DNA with ${MASKING[p.masking.strategy] ?? p.masking.strategy}, ` +
      `${p.steps} steps of ${p.batchSize} sequences${f.parameters ? `, ${f.parameters.toLocaleString("en-US")} parameters` : ""}. ` +
      "It loads with `AutoModelForMaskedLM` and `AutoTokenizer` as is; finetune it for sequence classification or regression.",
    pipelineTag: "fill-mask",
    tags: [
      "dnaflow",
      "genomics",
      "dna",
      "biology",
      "masked-language-modeling",
      p.model.family,
      `masking-${p.masking.strategy}`,
      ...(kind ? [`tokenizer-${kind}`] : []),
    ],
    datasets: td.datasets,
    metrics: ["loss"],
    sections: [
      {
        heading: "Training data",
        rows: [
          ...td.rows,
          ...(d.sequences !== undefined
            ? ([["sequences / bases", `${d.sequences.toLocaleString("en-US")} / ${(d.bases ?? 0).toLocaleString("en-US")}`]] as Array<[string, string]>)
            : []),
          ...(d.totalTokens !== undefined
            ? ([
                [
                  "training rows / tokens",
                  `${(d.count ?? 0).toLocaleString("en-US")} rows of ≤ ${d.maxLength} tokens, ${d.totalTokens.toLocaleString("en-US")} tokens`,
                ],
              ] as Array<[string, string]>)
            : []),
          ...(d.vocabSize !== undefined ? ([["vocabulary", `${d.vocabSize} tokens`]] as Array<[string, string]>) : []),
        ],
      },
      {
        heading: "Training procedure",
        rows: [
          ["architecture", JSON.stringify(p.model)],
          ["masking", JSON.stringify(p.masking)],
          ["optimizer (AdamW, linear warmup/decay)", JSON.stringify(p.optimizer)],
          ["steps", String(p.steps)],
          ["batch size (sequences)", String(p.batchSize)],
          ["seed", String(p.seed)],
        ],
      },
      { heading: "Results", rows: results },
      ...(td.recipe ? [{ heading: "Recipe", text: "The upstream stages that made the training data, with their params:\n\n" + td.recipe }] : []),
    ],
    usage: [
      "from transformers import AutoModelForMaskedLM, AutoTokenizer, pipeline",
      "",
      'model = AutoModelForMaskedLM.from_pretrained("path/to/this/directory")',
      'tokenizer = AutoTokenizer.from_pretrained("path/to/this/directory")',
      'fill = pipeline("fill-mask", model=model, tokenizer=tokenizer)',
    ].join("\n"),
    key: f.key,
  };
}
