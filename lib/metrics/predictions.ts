// predictions.csv → metrics.json: the files a finetune stage writes, and the metrics computed from them in TypeScript.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { StageInputError } from "../../core/errors.js";
import { column, isEmptyLine, readCsv } from "../benchmark/csv.js";
import { classificationMetrics } from "./classification.js";
import { regressionMetrics } from "./regression.js";

export type TaskKind = "classification" | "regression";

/** Metrics of one split: row count and each metric (null where undefined, e.g. Pearson of a constant). */
export type SplitMetrics = { n: number } & Record<string, number | null>;

/** metrics.json, format 1 (docs/evaluation.md). Writers may add fields (epochs, seconds, history, …). */
export interface MetricsFile {
  format: 1;
  task?: string;
  kind: TaskKind;
  numClasses?: number;
  /** The metric a report shows by default: "mcc" for classification, "pearson" for regression. */
  primary: string;
  splits: Record<string, SplitMetrics>;
  /** Splits where every prediction is the same class (a collapsed classifier: MCC 0); classification only. */
  collapsed?: string[];
  [extra: string]: unknown;
}

export interface PredictionRow {
  split: string;
  row: number;
  label: number;
  prediction: number;
  line: number;
}

export const PRIMARY: Record<TaskKind, string> = { classification: "mcc", regression: "pearson" };

/** Reads predictions.csv (header split,row,label,prediction; more columns, e.g. prob_0.., are ignored). */
export async function readPredictions(path: string): Promise<PredictionRow[]> {
  const t = await readCsv(path);
  const cols = ["split", "row", "label", "prediction"].map((c) => column(t, c, path));
  const out: PredictionRow[] = [];
  for (const r of t.records) {
    if (isEmptyLine(r)) throw new StageInputError(`${path}:${r.line}: empty line`);
    if (r.fields.length !== t.header.length)
      throw new StageInputError(`${path}:${r.line}: expected ${t.header.length} columns (${t.header.join(",")}), found ${r.fields.length}`);
    const [split, row, label, prediction] = cols.map((i) => r.fields[i].trim());
    const num = (name: string, v: string) => {
      const x = v === "" ? NaN : Number(v);
      if (!Number.isFinite(x)) throw new StageInputError(`${path}:${r.line}: ${name} '${v}' is not a number`);
      return x;
    };
    if (!split) throw new StageInputError(`${path}:${r.line}: missing split`);
    out.push({ split, row: num("row", row), label: num("label", label), prediction: num("prediction", prediction), line: r.line });
  }
  return out;
}

/** Metrics per split. `kind` defaults to classification when every label and prediction is an integer. */
export function metricsFromPredictions(rows: PredictionRow[], o: { kind?: TaskKind; task?: string; numClasses?: number; where?: string } = {}): MetricsFile {
  const kind = o.kind ?? (rows.every((r) => Number.isInteger(r.label) && Number.isInteger(r.prediction)) ? "classification" : "regression");
  if (kind === "classification") {
    const bad = rows.find((r) => !Number.isInteger(r.label) || !Number.isInteger(r.prediction));
    if (bad)
      throw new StageInputError(
        `${o.where ?? "predictions"}:${bad.line}: classification needs integer label and prediction, got ${bad.label},${bad.prediction}`,
      );
  }
  const bySplit = new Map<string, PredictionRow[]>();
  for (const r of rows) bySplit.set(r.split, [...(bySplit.get(r.split) ?? []), r]);
  const splits: Record<string, SplitMetrics> = {};
  for (const [split, rs] of bySplit) {
    const y = rs.map((r) => r.label);
    const p = rs.map((r) => r.prediction);
    const m = kind === "classification" ? classificationMetrics(y, p) : regressionMetrics(y, p);
    splits[split] = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isFinite(v) ? v : null])) as SplitMetrics;
  }
  const out: MetricsFile = { format: 1, kind, primary: PRIMARY[kind], splits };
  if (kind === "classification")
    out.collapsed = [...bySplit].filter(([, rs]) => rs.length > 1 && rs.every((r) => r.prediction === rs[0].prediction)).map(([s]) => s);
  if (o.task) out.task = o.task;
  if (o.numClasses !== undefined) out.numClasses = o.numClasses;
  return out;
}

/** Reads a metrics artifact: a metrics.json file, or a directory with metrics.json (or only predictions.csv) in it. */
export async function readMetricsArtifact(path: string): Promise<MetricsFile> {
  let file = path;
  if (statSync(path).isDirectory()) {
    file = join(path, "metrics.json");
    if (!existsSync(file)) {
      const preds = join(path, "predictions.csv");
      if (existsSync(preds)) return metricsFromPredictions(await readPredictions(preds), { where: preds });
      throw new StageInputError(`${path}: no metrics.json or predictions.csv in this directory`);
    }
  }
  let m: MetricsFile;
  try {
    m = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new StageInputError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (!m || typeof m !== "object" || typeof m.splits !== "object" || m.splits === null)
    throw new StageInputError(`${file}: not a metrics file (expected {"kind", "splits": {"test": {...}}}; see docs/evaluation.md)`);
  if (m.kind !== "classification" && m.kind !== "regression") m.kind = "mcc" in (Object.values(m.splits)[0] ?? {}) ? "classification" : "regression";
  m.primary ??= PRIMARY[m.kind];
  return m;
}

/** The warning for a split where a classifier predicted one class for every row. */
export function collapseWarning(task: string, split: string, m: Pick<MetricsFile, "splits">): string {
  const n = m.splits[split]?.n;
  return `${task}: the model predicts a single class for all ${n ?? ""} ${split} rows (collapsed; MCC 0): it learned nothing usable — try selectBy: mcc, another lr or more epochs`.replace(
    "all  ",
    "all ",
  );
}
