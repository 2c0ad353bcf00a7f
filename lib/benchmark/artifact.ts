// The benchmark task artifact (output `tasks` of data/benchmark@1): tasks.json + <task>/<split>.csv. See docs/evaluation.md.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SplitData } from "./task-csv.js";

export interface SplitInfo {
  /** Path of the normalized CSV relative to the artifact root, e.g. "prom/prom_core_tata/train.csv". */
  file: string;
  rows: number;
  minLength: number;
  maxLength: number;
  /** Classification: rows per class index (length numClasses). */
  classCounts?: number[];
  /** sha256 of the source file this split was read from. */
  sourceSha256: string;
}

export interface TaskInfo {
  /** Task path inside the source, e.g. "prom/prom_core_tata" or "tf/0". */
  name: string;
  kind: "classification" | "regression";
  /** Classification: labels are 0..numClasses-1. */
  numClasses?: number;
  /** Classification: one name per class index (the label values as written). */
  labelNames?: string[];
  /** Regression: the range and mean of the labels over all splits. */
  labelRange?: { min: number; max: number; mean: number };
  /** The metric of record: mcc (classification) or pearson (regression), or the suite's. */
  metric: string;
  splits: Record<string, SplitInfo>;
}

export interface TaskSet {
  format: 1;
  /** Known task list the tasks come from (gue, nt), if any. */
  suite?: string;
  /** Where the data came from: "local" or the URL. */
  source: string;
  tasks: TaskInfo[];
}

export function readTaskSet(dir: string): TaskSet {
  return JSON.parse(readFileSync(join(dir, "tasks.json"), "utf8")) as TaskSet;
}

/** `auto`: integer labels everywhere → classification, else regression. */
export function taskKind(splits: Record<string, SplitData>, kind: "auto" | "classification" | "regression"): "classification" | "regression" {
  if (kind !== "auto") return kind;
  return Object.values(splits).every((s) => s.labels.every((l) => /^[+-]?\d+$/.test(l))) ? "classification" : "regression";
}

/** Describes one task from its parsed splits. `kind` auto: integer labels everywhere → classification. */
export function describeTask(
  name: string,
  splits: Record<string, SplitData & { sha256: string }>,
  o: { kind: "auto" | "classification" | "regression"; metric?: string },
): TaskInfo {
  const all = Object.values(splits);
  const kind = taskKind(splits, o.kind);
  const info: TaskInfo = { name, kind, metric: o.metric ?? (kind === "classification" ? "mcc" : "pearson"), splits: {} };
  let max = -Infinity;
  let min = Infinity;
  let sum = 0;
  let n = 0;
  for (const s of all)
    for (const v of s.values) {
      max = Math.max(max, v);
      min = Math.min(min, v);
      sum += v;
      n++;
    }
  if (kind === "classification") {
    info.numClasses = max + 1;
    info.labelNames = Array.from({ length: max + 1 }, (_, i) => String(i));
  } else info.labelRange = { min, max, mean: n ? sum / n : 0 };
  for (const [split, s] of Object.entries(splits)) {
    let minLength = s.sequences.length ? Infinity : 0;
    let maxLength = 0;
    for (const x of s.sequences) {
      minLength = Math.min(minLength, x.length);
      maxLength = Math.max(maxLength, x.length);
    }
    const si: SplitInfo = {
      file: `${name}/${split}.csv`,
      rows: s.sequences.length,
      minLength,
      maxLength,
      sourceSha256: s.sha256,
    };
    if (kind === "classification") {
      si.classCounts = new Array(info.numClasses).fill(0);
      for (const v of s.values) si.classCounts![v]++;
    }
    info.splits[split] = si;
  }
  return info;
}
