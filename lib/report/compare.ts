// `dnaflow compare RUN_A RUN_B …`: the same report across separately run pipelines, from the store's run records.
// Every stage instance a run made or reused is looked at: an output holding metrics.json is a result, one holding
// metrics.jsonl with loss events is a pretraining curve. Each run becomes a `run` axis value; results of different
// stages or setups that would otherwise pool into one mean get a `stage` (or `setup`) coordinate.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RunLog, type RunRecord } from "../../cache/runs.js";
import type { Manifest } from "../../cache/manifest.js";
import type { InputItem } from "../../engine/stage.js";
import type { MatrixCoords } from "../../core/instance-id.js";
import { curvesFromInputs, resultsFromInputs, type ReportData, type ResultRecord } from "./data.js";
import { renderReport, type RenderedReport } from "./render.js";
import type { ReportOptions } from "./summarize.js";

/** Matrix coordinates from an instance id: "finetune[seed=1,task=tf/0]" → { seed: 1, task: "tf/0" }. */
export function coordsFromInstanceId(id: string): MatrixCoords {
  const m = /^[^[]+\[(.*)\]$/.exec(id);
  if (!m) return {};
  const out: MatrixCoords = {};
  for (const part of m[1].split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const v = part.slice(eq + 1);
    out[part.slice(0, eq)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === "true" ? true : v === "false" ? false : v;
  }
  return out;
}

/**
 * A run record by id, or for a pipeline name its latest complete run: finished ok and covering as many stages as the
 * largest of its recent runs (`dnaflow run FILE STAGE` makes a partial run, which would silently hide most results).
 * `warn` says when that is not simply the latest run.
 */
export function findRun(store: string, idOrPipeline: string, warn: (message: string) => void = () => {}): RunRecord {
  const log = new RunLog(join(store, "runs"));
  const byId = log.read(idOrPipeline);
  if (byId) return byId;
  const recent = log.recent(idOrPipeline, 50);
  if (!recent.length) {
    const known = log.index().slice(-5).map((e) => `${e.id} (${e.pipeline})`);
    throw new Error(`no run '${idOrPipeline}' in ${store} (a run id or a pipeline name; recent: ${known.join(", ") || "none"})`);
  }
  const size = (r: RunRecord) => Object.keys(r.stages).length;
  const most = Math.max(...recent.map(size));
  const complete = recent.find((r) => r.outcome === "ok" && size(r) === most);
  const latest = recent[0];
  if (!complete) {
    warn(`${idOrPipeline}: no complete run (finished ok with all ${most} stages) among its last ${recent.length}; using the latest, ${latest.id} (${latest.outcome}, ${size(latest)} stages)`);
    return latest;
  }
  if (complete !== latest)
    warn(`${idOrPipeline}: the latest run ${latest.id} is partial (${latest.outcome}, ${size(latest)} of ${most} stages); using ${complete.id}, the latest complete run (name a run id to choose another)`);
  return complete;
}

/** Params that tell two stages' setups apart: everything but the repeat (seed) and task, which are coordinates. */
function setupDigest(params: Record<string, unknown>, seedAxis: string, taskAxis: string): string {
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => k !== seedAxis && k !== taskAxis && k !== "seed"));
  return createHash("sha256").update(canonicalJson(rest)).digest("hex").slice(0, 8);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

/**
 * Results that share every coordinate but the seed yet come from different setups (two finetune stages with other
 * batch sizes) must not be pooled into one mean ± sd: they get a `stage` coordinate (the stage id), and where that
 * does not separate them, a `setup` coordinate (a digest of the params other than seed and task).
 */
function separateSetups(found: Array<{ r: ResultRecord; stage: string; setup: string }>, seedAxis: string): void {
  const groupKey = (x: { r: ResultRecord }, extra: string[] = []) =>
    JSON.stringify([x.r.task, Object.entries(x.r.coords).filter(([k]) => k !== seedAxis).sort(), extra]);
  const mixed = (by: (x: (typeof found)[number]) => string, what: (x: (typeof found)[number]) => string) => {
    const groups = new Map<string, Set<string>>();
    for (const x of found) (groups.get(by(x)) ?? groups.set(by(x), new Set()).get(by(x))!).add(what(x));
    return [...groups.values()].some((g) => g.size > 1);
  };
  if (!mixed((x) => groupKey(x), (x) => x.setup)) return;
  for (const x of found) x.r.coords.stage = x.stage;
  if (!mixed((x) => groupKey(x), (x) => x.setup)) return;
  for (const x of found) x.r.coords.setup = x.setup;
}

/** Results and loss curves of several runs; `runLabels` default to the pipeline names (with the id when repeated). */
export async function collectFromRuns(store: string, runs: string[], taskAxis = "task", warn: (message: string) => void = () => {}, seedAxis = "seed"): Promise<ReportData & { warnings: string[] }> {
  const warnings: string[] = [];
  const recs = runs.map((r) => findRun(store, r, (m) => (warnings.push(m), warn(m))));
  const names = recs.map((r) => r.pipeline);
  const labels = recs.map((r, i) => (names.filter((n) => n === names[i]).length > 1 ? `${r.pipeline}@${r.id}` : r.pipeline));
  const data: ReportData = { results: [], curves: [] };
  const seen = new Map<string, { r: ResultRecord; stage: string; setup: string; key: string }>();
  const replaced = new Set<string>();
  for (const [i, rec] of recs.entries()) {
    for (const [instance, st] of Object.entries(rec.stages).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (st.status !== "ran" && st.status !== "cached") continue;
      const objDir = join(store, "objects", st.key);
      const mf = join(objDir, "manifest.json");
      if (!existsSync(mf)) continue;
      const manifest = JSON.parse(readFileSync(mf, "utf8")) as Manifest;
      const coords = { ...coordsFromInstanceId(instance), run: labels[i] };
      const uses = "uses" in manifest.components.stage ? manifest.components.stage.uses : "";
      for (const output of Object.keys(manifest.outputs)) {
        const path = join(objDir, "out", output);
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
          const stage = instance.replace(/\[.*$/, "");
          const setup = setupDigest(manifest.components.params ?? {}, seedAxis, taskAxis);
          // An eval/metrics stage recomputes an upstream stage's metrics: keep its result, not the upstream's too.
          if (uses === "eval/metrics")
            for (const list of Object.values(manifest.components.inputs ?? {})) for (const i of list) if ("upstream" in i) replaced.add(i.upstream);
          for (const r of results) seen.set(JSON.stringify([r.task, Object.entries(r.coords).sort(), instance, output]), { r, stage, setup, key: st.key });
        }
        if (isDir && existsSync(join(path, "metrics.jsonl"))) data.curves.push(...curvesFromInputs([item]));
      }
    }
  }
  const found = [...seen.values()].filter((x) => !replaced.has(x.key));
  separateSetups(found, seedAxis);
  data.results = found.map((x) => x.r);
  return { ...data, warnings };
}

/** Collects and renders; the caller prints `terminal` and writes the files with writeReport(dir, report). */
export async function compareRuns(store: string, runs: string[], opts: Partial<ReportOptions> = {}, warn?: (message: string) => void): Promise<RenderedReport> {
  const data = await collectFromRuns(store, runs, "task", warn, opts.seedAxis ?? "seed");
  return renderReport(data, { title: `dnaflow compare: ${runs.join(" vs ")}`, ...opts }, data.warnings);
}
