// Aggregates results across matrix instances: per task × variant the mean and spread over seeds, per-variant
// averages, gain over a baseline (scratch) variant with paired statistics (bootstrap CI, Wilcoxon, sign test), the
// same against the classical k-mer baseline, collapsed models, and the published reference numbers that apply.
import type { MatrixCoords } from "../../core/instance-id.js";
import { reference, referenceNames, type ReferenceModel } from "../reference-results/references.js";
import { globToRegExp } from "../benchmark/select.js";
import { suites } from "../benchmark/suites.js";
import { pairedStats, type PairedStats } from "../metrics/paired.js";
import { BASELINE_AXIS, type ResultRecord } from "./data.js";

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
  /** Runs (seeds) that predicted a single class on the report's split, and on dev. */
  collapsed: number;
  collapsedDev: number;
}

/** A paired comparison: `variant` minus `baseline`, matched on task and seed (and the axes both have). */
export interface PairedComparison {
  variant: Variant;
  baseline: Variant;
  stats: PairedStats;
  tasks: number;
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
  /** Gain statistics over paired results: each variant vs the baseline variant, and each model vs the k-mer baseline. */
  paired: PairedComparison[];
  references: ReferenceModel[];
  warnings: string[];
}

const key = (c: MatrixCoords) =>
  JSON.stringify(
    Object.keys(c)
      .sort()
      .map((k) => [k, c[k]]),
  );

function meanSd(v: number[]): { mean: number | null; sd: number | null } {
  if (!v.length) return { mean: null, sd: null };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return { mean, sd: null };
  return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) };
}

/** A variant's name when no axis varies: the classical baseline's model (e.g. "4-mer logistic-regression"), else "result". */
function soleLabel(r: ResultRecord, c: MatrixCoords): string {
  return r.classical && c[BASELINE_AXIS] !== undefined ? String(c[BASELINE_AXIS]) : "result";
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
    if (!variants.has(id)) variants.set(id, { id, coords: c, label: axes.map((a) => `${a}=${c[a] ?? "–"}`).join(" · ") || soleLabel(r, c) });
  }
  const variantOf = (r: ResultRecord) => key(variantCoords(r.coords));
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
      const collapsed = rs.filter((r) => r.collapsed?.includes(o.split)).length;
      const collapsedDev = rs.filter((r) => r.collapsed?.includes("dev")).length;
      for (const r of rs)
        if (r.collapsed?.length) warnings.push(`${r.source}: ${task} predicts a single class on ${r.collapsed.join(" and ")} (collapsed model, MCC 0)`);
      cells.push({
        task,
        variant: v,
        metric,
        mean,
        sd,
        n: vals.length,
        others: Object.fromEntries(Object.entries(others).map(([k, xs]) => [k, meanSd(xs).mean])),
        collapsed,
        collapsedDev,
      });
    }

  const gains: Summary["gains"] = [];
  if (o.baseline) {
    const { axis, value } = o.baseline;
    if (!results.some((r) => r.coords[axis] === value)) warnings.push(`baseline ${axis}=${value}: no result has it`);
    for (const v of variants.values()) {
      if (v.coords[axis] === value || !(axis in v.coords)) continue;
      const base = baselineFor(v, axis, value, [...variants.values()]);
      if (!base) continue;
      gains.push({ variant: v, baseline: base });
      for (const c of cells.filter((c) => c.variant === v)) {
        const b = cells.find((x) => x.variant === base && x.task === c.task);
        c.gain = b && b.mean !== null && c.mean !== null ? c.mean - b.mean : null;
      }
    }
  }
  const paired: PairedComparison[] = [];
  const valueOf = (r: ResultRecord, metric: string) => r.splits[o.split]?.[metric] ?? null;
  const pair = (v: Variant, base: Variant, bySeed: boolean) => {
    const diffs: number[] = [];
    const tasksSeen = new Set<string>();
    for (const r of results.filter((r) => variantOf(r) === v.id)) {
      const metric = o.metric ?? r.primary;
      const b = results.find((x) => variantOf(x) === base.id && x.task === r.task && (!bySeed || x.coords[o.seedAxis] === r.coords[o.seedAxis]));
      const a = valueOf(r, metric);
      const bv = b ? valueOf(b, metric) : null;
      if (a === null || bv === null) continue;
      diffs.push(a - bv);
      tasksSeen.add(r.task);
    }
    if (diffs.length) paired.push({ variant: v, baseline: base, stats: pairedStats(diffs, { seed: 42 }), tasks: tasksSeen.size });
  };
  for (const g of gains) pair(g.variant, g.baseline, true);
  // every language-model variant against the classical baseline (eval/baseline: one fit per task, no seeds)
  const classical = [...variants.values()].filter((v) => results.some((r) => variantOf(r) === v.id && r.classical));
  if (classical.length === 1) for (const v of variants.values()) if (!results.some((r) => variantOf(r) === v.id && r.classical)) pair(v, classical[0], false);

  const averages = [...variants.values()].map((v) => {
    const cs = cells.filter((c) => c.variant === v && c.mean !== null);
    return { variant: v, mean: cs.length ? cs.reduce((a, c) => a + c.mean!, 0) / cs.length : null, tasks: cs.length, complete: cs.length === tasks.length };
  });
  return { options: o, tasks, variants: [...variants.values()], axes, cells, averages, gains, paired, references: refs, warnings: [...new Set(warnings)] };
}

/**
 * The baseline variant for `v`: axis = value and agreeing with v on every other axis the baseline has. A baseline may
 * lack axes v has (scratch has no pretraining `steps`): then every steps value is compared with the one scratch.
 */
function baselineFor(v: Variant, axis: string, value: string | number | boolean, all: Variant[]): Variant | undefined {
  const fits = all.filter((b) => b.coords[axis] === value && Object.entries(b.coords).every(([k, x]) => k === axis || v.coords[k] === x));
  return fits.sort((a, b) => Object.keys(b.coords).length - Object.keys(a.coords).length)[0];
}

/** A reference model's value for a task on the 0–1 scale, or null. Task names may carry the suite prefix (gue/tf/0). */
export function referenceValue(r: ReferenceModel, task: string): number | null {
  const t = task.startsWith(`${r.suite}/`) ? task.slice(r.suite.length + 1) : task;
  const v = r.tasks[t];
  return v === undefined ? null : v / r.scale;
}

/** The reference averages, with whether the report's own tasks cover the same set. */
export function referenceAverages(r: ReferenceModel, tasks: string[]) {
  const inSuite = new Set((suites().get(r.suite)?.tasks ?? []).map((t) => t.name));
  return r.averages.map((a) => {
    const re = globToRegExp(a.over);
    // only tasks of the reference's suite count (a task outside GUE is not one of the 28, whatever its name)
    const covered = tasks.map((t) => (t.startsWith(`${r.suite}/`) ? t.slice(r.suite.length + 1) : t)).filter((t) => inSuite.has(t) && re.test(t)).length;
    return { ...a, value01: a.value / r.scale, covered };
  });
}
