// Aggregates results across matrix instances: per task × variant the mean and spread over seeds, per-variant
// averages, gain over a baseline (scratch) variant, and the published reference numbers that apply.
import type { MatrixCoords } from "../../engine/stage.js";
import { reference, referenceNames, type ReferenceModel } from "../reference-results/references.js";
import { globToRegExp } from "../benchmark/select.js";
import type { ResultRecord } from "./data.js";

export interface ReportOptions {
  title: string;
  /** Split whose metrics are reported (default test). */
  split: string;
  /** Metric to report; default: each task's metric of record (mcc, pearson). */
  metric?: string;
  /** Published reference numbers to show, by name (lib/reference-results). */
  references: string[];
  /** The variant the gain chart compares against: the instances with `axis` = `value` (e.g. init = scratch). */
  baseline?: { axis: string; value: string | number | boolean };
  /** Axis whose values are repeats: aggregated into mean ± sd (default seed). */
  seedAxis: string;
}

export const DEFAULT_OPTIONS: ReportOptions = { title: "dnaflow report", split: "test", references: [], seedAxis: "seed" };

export interface Variant {
  id: string;
  label: string;
  coords: MatrixCoords;
}

export interface Cell {
  task: string;
  variant: Variant;
  metric: string;
  mean: number | null;
  sd: number | null;
  n: number;
  /** Means of the other metrics of the split (accuracy, f1, spearman, …). */
  others: Record<string, number | null>;
  gain?: number | null;
}

export interface Summary {
  options: ReportOptions;
  tasks: string[];
  variants: Variant[];
  /** Axes that differ between variants (shown as table columns). */
  axes: string[];
  cells: Cell[];
  averages: Array<{ variant: Variant; mean: number | null; tasks: number; complete: boolean }>;
  /** Variants (not the baseline) with their baseline counterpart; gains live in the cells. */
  gains: Array<{ variant: Variant; baseline: Variant }>;
  references: ReferenceModel[];
  warnings: string[];
}

const key = (c: MatrixCoords) => JSON.stringify(Object.keys(c).sort().map((k) => [k, c[k]]));

function meanSd(v: number[]): { mean: number | null; sd: number | null } {
  if (!v.length) return { mean: null, sd: null };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return { mean, sd: null };
  return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) };
}

export function summarize(results: ResultRecord[], opts: Partial<ReportOptions> = {}): Summary {
  const o: ReportOptions = { ...DEFAULT_OPTIONS, ...opts };
  const warnings: string[] = [];
  const unknown = o.references.filter((r) => !reference(r));
  if (unknown.length) warnings.push(`unknown reference ${unknown.join(", ")} (known: ${referenceNames().join(", ")})`);
  const refs = o.references.map(reference).filter((r): r is ReferenceModel => !!r);

  const variantCoords = (c: MatrixCoords) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== o.seedAxis));
  const allAxes = [...new Set(results.flatMap((r) => Object.keys(variantCoords(r.coords))))].sort();
  const axes = allAxes.filter((a) => new Set(results.map((r) => JSON.stringify(r.coords[a] ?? null))).size > 1);
  const variants = new Map<string, Variant>();
  for (const r of results) {
    const c = variantCoords(r.coords);
    const id = key(c);
    if (!variants.has(id)) variants.set(id, { id, coords: c, label: axes.map((a) => `${a}=${c[a] ?? "–"}`).join(" · ") || "result" });
  }
  const tasks = [...new Set(results.map((r) => r.task))].sort();
  const cells: Cell[] = [];
  for (const task of tasks)
    for (const v of variants.values()) {
      const rs = results.filter((r) => r.task === task && key(variantCoords(r.coords)) === v.id);
      if (!rs.length) continue;
      const metric = o.metric ?? rs[0].primary;
      const vals: number[] = [];
      const others: Record<string, number[]> = {};
      for (const r of rs) {
        const s = r.splits[o.split];
        if (!s) {
          warnings.push(`${r.source}: no '${o.split}' split (has ${Object.keys(r.splits).join(", ") || "none"})`);
          continue;
        }
        const x = s[metric];
        if (x === undefined) warnings.push(`${r.source}: no metric '${metric}' in split ${o.split}`);
        else if (x !== null) vals.push(x);
        for (const [k, val] of Object.entries(s)) if (k !== metric && k !== "n" && typeof val === "number") (others[k] ??= []).push(val);
      }
      const { mean, sd } = meanSd(vals);
      cells.push({ task, variant: v, metric, mean, sd, n: vals.length, others: Object.fromEntries(Object.entries(others).map(([k, xs]) => [k, meanSd(xs).mean])) });
    }

  const gains: Summary["gains"] = [];
  if (o.baseline) {
    const { axis, value } = o.baseline;
    if (!results.some((r) => r.coords[axis] === value)) warnings.push(`baseline ${axis}=${value}: no result has it`);
    for (const v of variants.values()) {
      if (v.coords[axis] === value || !(axis in v.coords)) continue;
      const base = variants.get(key({ ...v.coords, [axis]: value }));
      if (!base) continue;
      gains.push({ variant: v, baseline: base });
      for (const c of cells.filter((c) => c.variant === v)) {
        const b = cells.find((x) => x.variant === base && x.task === c.task);
        c.gain = b && b.mean !== null && c.mean !== null ? c.mean - b.mean : null;
      }
    }
  }
  const averages = [...variants.values()].map((v) => {
    const cs = cells.filter((c) => c.variant === v && c.mean !== null);
    return { variant: v, mean: cs.length ? cs.reduce((a, c) => a + c.mean!, 0) / cs.length : null, tasks: cs.length, complete: cs.length === tasks.length };
  });
  return { options: o, tasks, variants: [...variants.values()], axes, cells, averages, gains, references: refs, warnings: [...new Set(warnings)] };
}

/** A reference model's value for a task on the 0–1 scale, or null. Task names may carry the suite prefix (gue/tf/0). */
export function referenceValue(r: ReferenceModel, task: string): number | null {
  const t = task.startsWith(`${r.suite}/`) ? task.slice(r.suite.length + 1) : task;
  const v = r.tasks[t];
  return v === undefined ? null : v / r.scale;
}

/** The reference averages, with whether the report's own tasks cover the same set. */
export function referenceAverages(r: ReferenceModel, tasks: string[]) {
  return r.averages.map((a) => {
    const re = globToRegExp(a.over);
    const covered = tasks.filter((t) => re.test(t.startsWith(`${r.suite}/`) ? t.slice(r.suite.length + 1) : t)).length;
    return { ...a, value01: a.value / r.scale, covered };
  });
}
