// dnaflow compare RUN... : one report across separately run pipelines (run ids, or pipeline names = their latest run).
// The runs' records and objects are read here, through the Store interface; lib/report gets them as plain data.
import { resolve } from "node:path";
import type { RunRecord } from "../../../cache/runs.js";
import type { ObjectStore, RunStore } from "../../../cache/store.js";
import { compareRuns, writeReport, type ComparedRun, type RenderedReport, type ReportOptions, type RunObject } from "../../../lib/report/index.js";
import { SpecError } from "../../../core/errors.js";
import { storeFor } from "../context.js";

export interface CompareOptions {
  store?: string;
  out?: string;
  metric?: string;
  split?: string;
  reference?: string[];
  baseline?: string;
}

export async function compareCmd(runs: string[], opts: CompareOptions): Promise<number> {
  const store = storeFor(undefined, opts.store);
  let baseline: { axis: string; value: string } | undefined;
  if (opts.baseline) {
    const [axis, value] = opts.baseline.split("=");
    if (!axis || value === undefined) throw new SpecError([{ message: `--baseline '${opts.baseline}': expected AXIS=VALUE, e.g. init=scratch` }]);
    baseline = { axis, value };
  }
  let report;
  try {
    report = await compareStoreRuns(
      store,
      runs,
      {
        ...(opts.metric ? { metric: opts.metric } : {}),
        ...(opts.split ? { split: opts.split } : {}),
        references: opts.reference ?? [],
        ...(baseline ? { baseline } : {}),
      },
      (m) => process.stderr.write(`warning: ${m}\n`),
    );
  } catch (e) {
    throw new SpecError([{ message: (e as Error).message }]);
  }
  process.stdout.write(report.terminal + "\n");
  if (opts.out) {
    writeReport(resolve(opts.out), report);
    process.stderr.write(`wrote ${resolve(opts.out)}/report.html, report.md, results.csv\n`);
  }
  return 0;
}

/** Reads the named runs from the store and renders the comparison; `warn` hears which run a name resolved to. */
export async function compareStoreRuns(
  store: ObjectStore & RunStore,
  runs: string[],
  opts: Partial<ReportOptions> = {},
  warn: (message: string) => void = () => {},
): Promise<RenderedReport> {
  const warnings: string[] = [];
  const records = runs.map((r) => findRun(store, r, (m) => (warnings.push(m), warn(m))));
  const compared = await Promise.all(records.map((rec) => readRun(store, rec)));
  return compareRuns(compared, `dnaflow compare: ${runs.join(" vs ")}`, opts, warnings);
}

/**
 * A run record by id, or for a pipeline name its latest complete run: finished ok and covering as many stages as the
 * largest of its recent runs (`dnaflow run FILE STAGE` makes a partial run, which would silently hide most results).
 * `warn` says when that is not simply the latest run.
 */
export function findRun(store: RunStore, idOrPipeline: string, warn: (message: string) => void = () => {}): RunRecord {
  const log = store.runs;
  const byId = log.read(idOrPipeline);
  if (byId) return byId;
  const recent = log.recent(idOrPipeline, 50);
  if (!recent.length) {
    const known = log
      .index()
      .slice(-5)
      .map((e) => `${e.id} (${e.pipeline})`);
    throw new Error(`no run '${idOrPipeline}' in ${store.location} (a run id or a pipeline name; recent: ${known.join(", ") || "none"})`);
  }
  const size = (r: RunRecord) => Object.keys(r.stages).length;
  const most = Math.max(...recent.map(size));
  const complete = recent.find((r) => r.outcome === "ok" && size(r) === most);
  const latest = recent[0];
  if (!complete) {
    warn(
      `${idOrPipeline}: no complete run (finished ok with all ${most} stages) among its last ${recent.length}; using the latest, ${latest.id} (${latest.outcome}, ${size(latest)} stages)`,
    );
    return latest;
  }
  if (complete !== latest)
    warn(
      `${idOrPipeline}: the latest run ${latest.id} is partial (${latest.outcome}, ${size(latest)} of ${most} stages); using ${complete.id}, the latest complete run (name a run id to choose another)`,
    );
  return complete;
}

/** The objects of a run's stages that ran or were cached and are still in the store, made readable. */
async function readRun(store: ObjectStore, rec: RunRecord): Promise<ComparedRun> {
  const objects: RunObject[] = [];
  for (const [instance, st] of Object.entries(rec.stages)) {
    if (st.status !== "ran" && st.status !== "cached") continue;
    let manifest = store.readManifest(st.key);
    if (!manifest && (await store.isPublished(st.key))) {
      await store.materialize(st.key);
      manifest = store.readManifest(st.key);
    }
    if (!manifest) continue; // collected since: nothing to show
    const { stage, params, inputs } = manifest.components;
    objects.push({
      instance,
      key: st.key,
      uses: "uses" in stage ? stage.uses : "",
      params: params ?? {},
      upstream: Object.values(inputs ?? {}).flatMap((list) => list.flatMap((i) => ("upstream" in i ? [i.upstream] : []))),
      outputs: Object.fromEntries(Object.keys(manifest.outputs).map((o) => [o, store.outputPath(st.key, o)])),
    });
  }
  return { id: rec.id, pipeline: rec.pipeline, objects };
}
