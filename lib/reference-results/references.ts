// Published reference numbers a report can show beside its own results, selected by name (`reference: [dnabert2]`).
// Values are MCC × 100 as printed in the papers' tables; the report divides by `scale`. Task names follow the suite
// YAML files (stages/data/suites/). Transcribed via the project's fixture notes (../shared/fixtures/SOURCES.md).

export interface ReferenceAverage {
  /** Task glob within the suite the average is over, e.g. "**" (all) or "EMP/*". */
  over: string;
  tasks: number;
  value: number;
}

export interface ReferenceModel {
  name: string;
  label: string;
  suite: "gue" | "nt";
  metric: "mcc";
  /** Published values are on this scale (100: percent). */
  scale: number;
  source: string;
  /** Per-task values, keyed by task name in the suite. */
  tasks: Record<string, number>;
  averages: ReferenceAverage[];
  approximate?: boolean;
}

export const REFERENCES: ReferenceModel[] = [
  {
    name: "dnabert2",
    label: "DNABERT-2 (published)",
    suite: "gue",
    metric: "mcc",
    scale: 100,
    source: "Zhou et al., DNABERT-2: Efficient Foundation Model and Benchmark for Multi-Species Genome, ICLR 2024 (GUE results tables)",
    tasks: { "prom/prom_core_all": 69.37, "tf/0": 71.99, "EMP/H3": 78.27 },
    averages: [{ over: "**", tasks: 28, value: 66.8 }],
  },
  {
    name: "nt-2500m-multi",
    label: "NT-2500M-multi (published)",
    suite: "gue",
    metric: "mcc",
    scale: 100,
    source: "Nucleotide Transformer 2.5B multi-species as evaluated on GUE in Zhou et al., ICLR 2024 (GUE results tables)",
    tasks: {},
    averages: [{ over: "**", tasks: 28, value: 66.93 }],
  },
  {
    name: "dnabert-6",
    label: "DNABERT 6-mer (published)",
    suite: "gue",
    metric: "mcc",
    scale: 100,
    source: "DNABERT (Ji et al., Bioinformatics 2021), 6-mer model, as evaluated on GUE in Zhou et al., ICLR 2024; average approximate (~60.5)",
    tasks: {},
    averages: [{ over: "**", tasks: 28, value: 60.5 }],
    approximate: true,
  },
  {
    name: "randommask",
    label: "RandomMask (published)",
    suite: "gue",
    metric: "mcc",
    scale: 100,
    source: "RandomMask (Liang et al., Rethinking the BERT-like Pretraining for DNA Sequences, 2023): GUE EMP (epigenetic marks) average MCC",
    tasks: {},
    averages: [{ over: "EMP/*", tasks: 10, value: 65.83 }],
  },
];

export function reference(name: string): ReferenceModel | undefined {
  return REFERENCES.find((r) => r.name === name);
}

export const referenceNames = () => REFERENCES.map((r) => r.name);
