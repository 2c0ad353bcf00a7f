// `dnaflow compare RUN_A RUN_B …`: the same report across separately run pipelines, from the store's run records.
// Every stage instance a run made or reused is looked at: an output holding metrics.json is a result, one holding
// metrics.jsonl with loss events is a pretraining curve. Each run becomes a `run` axis value.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RunLog, type RunRecord } from "../../cache/runs.js";
import type { Manifest } from "../../cache/manifest.js";
import type { InputItem, MatrixCoords } from "../../engine/stage.js";
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

/** A run record by id, or the latest run of a pipeline by name. */
export function findRun(store: string, idOrPipeline: string): RunRecord {
  const log = new RunLog(join(store, "runs"));
  const rec = log.read(idOrPipeline) ?? log.recent(idOrPipeline, 1)[0];
  if (!rec) {
    const known = log.index().slice(-5).map((e) => `${e.id} (${e.pipeline})`);
    throw new Error(`no run '${idOrPipeline}' in ${store} (a run id or a pipeline name; recent: ${known.join(", ") || "none"})`);
  }
  return rec;
}

/** Results and loss curves of several runs; `runLabels` default to the pipeline names (with the id when repeated). */
export async function collectFromRuns(store: string, runs: string[], taskAxis = "task"): Promise<ReportData> {
  const recs = runs.map((r) => findRun(store, r));
  const names = recs.map((r) => r.pipeline);
  const labels = recs.map((r, i) => (names.filter((n) => n === names[i]).length > 1 ? `${r.pipeline}@${r.id}` : r.pipeline));
  const data: ReportData = { results: [], curves: [] };
  const seen = new Map<string, ResultRecord>();
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
          for (const r of results) {
            const k = JSON.stringify([r.task, Object.entries(r.coords).sort()]);
            // The same instance may have metrics from finetune and from eval/metrics: keep one, eval/metrics first.
            if (!seen.has(k) || uses === "eval/metrics") seen.set(k, r);
          }
        }
        if (isDir && existsSync(join(path, "metrics.jsonl"))) data.curves.push(...curvesFromInputs([item]));
      }
    }
  }
  data.results = [...seen.values()];
  return data;
}

/** Collects and renders; the caller prints `terminal` and writes the files with writeReport(dir, report). */
export async function compareRuns(store: string, runs: string[], opts: Partial<ReportOptions> = {}): Promise<RenderedReport> {
  const data = await collectFromRuns(store, runs);
  return renderReport(data, { title: `dnaflow compare: ${runs.join(" vs ")}`, ...opts });
}
