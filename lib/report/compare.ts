// `dnaflow compare RUN_A RUN_B …`: the same report across separately run pipelines, from the store's run records.
// Every stage instance a run made or reused is looked at: an output holding metrics.json is a result, one holding
// metrics.jsonl with loss events is a pretraining curve. Each run becomes a `run` axis value; results of different
// stages or setups that would otherwise pool into one mean get a `stage` (or `setup`) coordinate.
// `dnaflow compare RUN_A RUN_B …`: the same report across separately run pipelines. The CLI reads the runs' records
// and objects from the store (engine/cli/commands/compare.ts) and passes them here as plain data. Every stage instance
// a run made or reused is looked at: an output holding metrics.json is a result, one holding metrics.jsonl with loss
// events is a pretraining curve. Each run becomes a `run` axis value; results of different stages or setups that would
// otherwise pool into one mean get a `stage` (or `setup`) coordinate.
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { coordsFromInstanceId, stageIdOf } from "../../core/instance-id.js";
import type { InputItem } from "../../core/input-item.js";
import { curvesFromInputs, resultsFromInputs, type ReportData, type ResultRecord } from "./data.js";
import { renderReport, type RenderedReport } from "./render.js";
import type { ReportOptions } from "./summarize.js";

/** One published object a run made or reused, as read from the store by the caller. */
export interface RunObject {
  /** Stage instance id, e.g. "finetune[seed=1,task=tf/0]". */
  instance: string;
  key: string;
  /** The builtin that made it ("" for a run: stage). */
  uses: string;
  /** Its params (the key's components). */
  params: Record<string, unknown>;
  /** Keys of the upstream objects it read: an eval/metrics stage's result replaces theirs. */
  upstream: string[];
  /** Output name → readable path of the published output. */
  outputs: Record<string, string>;
}

/** A run as compare sees it: its id, pipeline name, and the objects of its stages that ran or were cached. */
export interface ComparedRun {
  id: string;
  pipeline: string;
  objects: RunObject[];
}

/** Params that tell two stages' setups apart: everything but the repeat (seed) and task, which are coordinates. */
function setupDigest(params: Record<string, unknown>, seedAxis: string, taskAxis: string): string {
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => k !== seedAxis && k !== taskAxis && k !== "seed"));
  return createHash("sha256").update(canonicalJson(rest)).digest("hex").slice(0, 8);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/**
 * Results that share every coordinate but the seed yet come from different setups (two finetune stages with other
 * batch sizes) must not be pooled into one mean ± sd: they get a `stage` coordinate (the stage id), and where that
 * does not separate them, a `setup` coordinate (a digest of the params other than seed and task).
 */
function separateSetups(found: Array<{ r: ResultRecord; stage: string; setup: string }>, seedAxis: string): void {
  const groupKey = (x: { r: ResultRecord }, extra: string[] = []) =>
    JSON.stringify([
      x.r.task,
      Object.entries(x.r.coords)
        .filter(([k]) => k !== seedAxis)
        .sort(),
      extra,
    ]);
  const mixed = (by: (x: (typeof found)[number]) => string, what: (x: (typeof found)[number]) => string) => {
    const groups = new Map<string, Set<string>>();
    for (const x of found) (groups.get(by(x)) ?? groups.set(by(x), new Set()).get(by(x))!).add(what(x));
    return [...groups.values()].some((g) => g.size > 1);
  };
  if (
    !mixed(
      (x) => groupKey(x),
      (x) => x.setup,
    )
  )
    return;
  for (const x of found) x.r.coords.stage = x.stage;
  if (
    !mixed(
      (x) => groupKey(x),
      (x) => x.setup,
    )
  )
    return;
  for (const x of found) x.r.coords.setup = x.setup;
}

/** Results and loss curves of several runs; run labels are the pipeline names (with the id when repeated). */
export async function collectFromRuns(runs: ComparedRun[], taskAxis = "task", seedAxis = "seed"): Promise<ReportData> {
  const names = runs.map((r) => r.pipeline);
  const labels = runs.map((r, i) => (names.filter((n) => n === names[i]).length > 1 ? `${r.pipeline}@${r.id}` : r.pipeline));
  const data: ReportData = { results: [], curves: [] };
  const seen = new Map<string, { r: ResultRecord; stage: string; setup: string; key: string }>();
  const replaced = new Set<string>();
  for (const [i, run] of runs.entries()) {
    for (const obj of [...run.objects].sort((a, b) => (a.instance < b.instance ? -1 : 1))) {
      const { instance } = obj;
      const coords = { ...coordsFromInstanceId(instance), run: labels[i] };
      for (const [output, path] of Object.entries(obj.outputs)) {
        const item: InputItem = { path, from: `${labels[i]}:${instance}`, matrix: coords };
        const isDir = statSync(path).isDirectory();
        const hasMetrics = isDir ? existsSync(join(path, "metrics.json")) : output === "metrics" || path.endsWith("metrics.json");
        if (hasMetrics) {
          let results: ResultRecord[];
          try {
            results = await resultsFromInputs([item], taskAxis);
          } catch {
            continue; // not a metrics file after all
          }
          const stage = stageIdOf(instance);
          const setup = setupDigest(obj.params, seedAxis, taskAxis);
          // An eval/metrics stage recomputes an upstream stage's metrics: keep its result, not the upstream's too.
          if (obj.uses === "eval/metrics") for (const up of obj.upstream) replaced.add(up);
          for (const r of results) seen.set(JSON.stringify([r.task, Object.entries(r.coords).sort(), instance, output]), { r, stage, setup, key: obj.key });
        }
        if (isDir && existsSync(join(path, "metrics.jsonl"))) data.curves.push(...curvesFromInputs([item]));
      }
    }
  }
  const found = [...seen.values()].filter((x) => !replaced.has(x.key));
  separateSetups(found, seedAxis);
  data.results = found.map((x) => x.r);
  return data;
}

/** Collects and renders; the caller prints `terminal` and writes the files with writeReport(dir, report). */
export async function compareRuns(runs: ComparedRun[], title: string, opts: Partial<ReportOptions> = {}, warnings: string[] = []): Promise<RenderedReport> {
  const data = await collectFromRuns(runs, "task", opts.seedAxis ?? "seed");
  return renderReport(data, { title, ...opts }, warnings);
}
