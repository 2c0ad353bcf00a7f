// What a report is made of: metric results with their matrix coordinates, and pretraining loss curves.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { InputItem } from "../../core/input-item.js";
import type { MatrixCoords } from "../../core/instance-id.js";
import { StageInputError } from "../../core/errors.js";
import { readMetricsArtifact, type SplitMetrics, type TaskKind } from "../metrics/index.js";

export interface ResultRecord {
  /** What produced it: a stage instance id, a run, or a path. */
  source: string;
  task: string;
  kind: TaskKind;
  /** The metric of record for the task (mcc, pearson). */
  primary: string;
  /** Matrix coordinates without the task axis (tokenizer, masking, init, seed, …). */
  coords: MatrixCoords;
  splits: Record<string, SplitMetrics>;
  /** Splits where a classifier predicted one class for every row (metrics.json `collapsed`). */
  collapsed?: string[];
  /** From eval/baseline (the classical k-mer model), not a language model. */
  classical?: boolean;
}

/** The coordinate that marks the classical baseline's rows (eval/baseline) when its instance has no `model` axis. */
export const BASELINE_AXIS = "model";

export interface LossPoint {
  step: number;
  loss: number;
  phase?: string;
}

export interface LossCurve {
  source: string;
  coords: MatrixCoords;
  points: LossPoint[];
}

export interface ReportData {
  results: ResultRecord[];
  curves: LossCurve[];
}

/** Results from metrics artifacts (metrics.json files or folders holding one) bound to a fan-in input. */
export async function resultsFromInputs(items: InputItem[], taskAxis = "task"): Promise<ResultRecord[]> {
  const out: ResultRecord[] = [];
  for (const it of items) {
    const m = await readMetricsArtifact(it.path);
    const { [taskAxis]: axisTask, ...coords } = it.matrix;
    const task = m.task ?? (axisTask !== undefined ? String(axisTask) : undefined);
    if (!task) throw new StageInputError(`${it.path}: no task (metrics.json has no "task" and the instance has no '${taskAxis}' axis)`);
    // eval/baseline's metrics carry `baseline` (its model): a `model` coordinate sets its rows apart from the LMs'
    const b = m.baseline as { model?: string; k?: number } | undefined;
    if (b && typeof b === "object" && !(BASELINE_AXIS in coords)) coords[BASELINE_AXIS] = `${b.k ?? "k"}-mer ${b.model ?? "baseline"}`;
    const collapsed = Array.isArray(m.collapsed) ? m.collapsed.filter((x): x is string => typeof x === "string") : undefined;
    out.push({
      source: it.from ?? basename(it.path), // never an absolute path in a published report
      task,
      kind: m.kind,
      primary: m.primary,
      coords,
      splits: m.splits,
      ...(collapsed ? { collapsed } : {}),
      ...(b ? { classical: true } : {}),
    });
  }
  return out;
}

/** Where a pretraining output keeps its event log: metrics.jsonl in the folder (or one folder down), or the file itself. */
export function findEventLog(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if (!statSync(path).isDirectory()) return path;
  const direct = join(path, "metrics.jsonl");
  if (existsSync(direct)) return direct;
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)))
    if (e.isDirectory() && existsSync(join(path, e.name, "metrics.jsonl"))) return join(path, e.name, "metrics.jsonl");
  return undefined;
}

/**
 * Loss points from a JSON-lines event log. Tolerant: any line that parses to an object with numeric `step` and `loss`
 * counts (whatever its `event`, so "progress" and "train" both do, but "eval" lines with their own loss are skipped);
 * other lines, including broken ones (a log cut short by a crash), are ignored.
 */
export function readLossCurve(text: string): LossPoint[] {
  const out: LossPoint[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (!e || typeof e !== "object" || typeof e.step !== "number" || typeof e.loss !== "number") continue;
    if (typeof e.event === "string" && /^(eval|valid|validation|dev)$/i.test(e.event)) continue;
    if (!Number.isFinite(e.step) || !Number.isFinite(e.loss)) continue;
    const p: LossPoint = { step: e.step, loss: e.loss };
    if (typeof e.phase === "string" || typeof e.phase === "number") p.phase = String(e.phase);
    out.push(p);
  }
  return out.sort((a, b) => a.step - b.step);
}

export function curvesFromInputs(items: InputItem[]): LossCurve[] {
  const out: LossCurve[] = [];
  for (const it of items) {
    const log = findEventLog(it.path);
    if (!log) continue;
    const points = readLossCurve(readFileSync(log, "utf8"));
    if (points.length) out.push({ source: it.from ?? basename(it.path), coords: it.matrix, points });
  }
  return out;
}

/** Steps where the phase changes: [{step, phase}] for each new phase after the first point. */
export function phaseBoundaries(points: LossPoint[]): Array<{ step: number; phase: string }> {
  const out: Array<{ step: number; phase: string }> = [];
  let last: string | undefined;
  for (const p of points) {
    if (p.phase === undefined) continue;
    if (last !== undefined && p.phase !== last) out.push({ step: p.step, phase: p.phase });
    last = p.phase;
  }
  return out;
}
