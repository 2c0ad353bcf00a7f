// dnaflow status FILE --trace: one row per stage with what it used (wall, CPU, peak RSS, I/O, input MB/s, GPU), read
// from the manifests, sortable by any column; --html writes a self-contained timeline. Like Nextflow's trace and
// timeline reports: the way to find the slow and the hungry stage.
import { writeFileSync } from "node:fs";
import type { Manifest } from "../../../cache/manifest.js";
import { listTree } from "../../../cache/digest.js";
import { SpecError } from "../../../core/errors.js";
import type { PlanEntry } from "../../plan/plan.js";
import { formatBytes, formatDuration } from "../../spec/units.js";
import { load, type CommonOptions, type Loaded } from "../context.js";

export interface TraceRow {
  stage: string;
  state: "done" | "failed" | "pending";
  key: string;
  started?: string;
  finished?: string;
  wallS?: number;
  cpuS?: number;
  /** The kernel's part of cpuS (system time): page cache, disk and memory costs show here, not in user time. */
  sysS?: number;
  /** CPU seconds / wall seconds × 100: 200 means two cores busy. */
  cpuPct?: number;
  peakRssBytes?: number;
  readBytes?: number;
  writeBytes?: number;
  /** Bytes of the stage's inputs (upstream outputs per their manifests, external files by size). */
  inputBytes?: number;
  /** inputBytes / wall, in MB (10^6) per second. */
  inputMBps?: number;
  gpu?: string;
  gpuPeakBytes?: number;
  gpuUtilPct?: number;
  host?: string;
}

export const TRACE_COLUMNS = [
  "stage",
  "state",
  "started",
  "wall",
  "cpu",
  "sys",
  "cpu%",
  "rss",
  "read",
  "written",
  "input",
  "MB/s",
  "gpu",
  "gpu-mem",
  "gpu%",
] as const;
const SORT_FIELD: Record<string, keyof TraceRow> = {
  stage: "stage",
  state: "state",
  started: "started",
  wall: "wallS",
  cpu: "cpuS",
  sys: "sysS",
  "cpu%": "cpuPct",
  rss: "peakRssBytes",
  read: "readBytes",
  written: "writeBytes",
  input: "inputBytes",
  "MB/s": "inputMBps",
  gpu: "gpu",
  "gpu-mem": "gpuPeakBytes",
  "gpu%": "gpuUtilPct",
};

async function inputBytes(entry: PlanEntry, keys: Map<string, string>, manifestOf: (key: string) => Manifest | undefined): Promise<number | undefined> {
  let total = 0;
  for (const list of Object.values(entry.inst.inputs)) {
    for (const item of list) {
      if (item.kind === "file") {
        try {
          for (const f of await listTree(item.path)) total += f.size;
        } catch {
          return undefined;
        }
        continue;
      }
      const m = manifestOf(keys.get(item.from.id) ?? "");
      if (!m) return undefined;
      for (const f of m.files) if (f.path === item.output || f.path.startsWith(item.output + "/")) total += f.size;
    }
  }
  return total;
}

export async function traceRows(loaded: Loaded): Promise<TraceRow[]> {
  const last = loaded.store.runs.recent(loaded.pipeline.name, 1)[0];
  const keys = new Map(loaded.plan.entries.map((e) => [e.inst.id, e.key]));
  const cache = new Map<string, Manifest | undefined>();
  const manifestOf = (key: string) => {
    if (!cache.has(key)) cache.set(key, key && loaded.store.hasObject(key) ? loaded.store.readManifest(key) : undefined);
    return cache.get(key);
  };
  const rows: TraceRow[] = [];
  for (const e of loaded.plan.entries) {
    const m = e.action === "cached" ? manifestOf(e.key) : undefined;
    const rec = last?.stages[e.inst.id];
    const state = m ? "done" : rec?.key === e.key && rec.status === "failed" ? "failed" : "pending";
    const row: TraceRow = { stage: e.inst.id, state, key: e.key };
    if (m) {
      const r = m.resources;
      const wall = m.timings.seconds;
      const inBytes = await inputBytes(e, keys, manifestOf);
      Object.assign(row, {
        started: m.timings.started,
        finished: m.timings.finished,
        wallS: wall,
        host: m.host,
        inputBytes: inBytes,
        inputMBps: inBytes !== undefined && wall > 0 ? inBytes / 1e6 / wall : undefined,
      });
      if (r) {
        Object.assign(row, {
          cpuS: r.cpuSeconds,
          sysS: r.systemSeconds,
          cpuPct: wall > 0 ? (100 * r.cpuSeconds) / wall : undefined,
          peakRssBytes: r.peakRssBytes,
          readBytes: r.readBytes,
          writeBytes: r.writeBytes,
        });
        if (r.gpu) Object.assign(row, { gpu: r.gpu.devices.join("+"), gpuPeakBytes: r.gpu.peakMemoryBytes, gpuUtilPct: r.gpu.meanUtilization });
      }
    }
    rows.push(row);
  }
  return rows;
}

export function sortRows(rows: TraceRow[], column: string | undefined, descending: boolean): TraceRow[] {
  if (!column) return rows;
  const field = SORT_FIELD[column];
  if (!field) throw new SpecError([{ message: `unknown trace column '${column}' (one of: ${TRACE_COLUMNS.join(", ")})` }]);
  const cmp = (a: TraceRow, b: TraceRow) => {
    const x = a[field],
      y = b[field];
    if (x === undefined) return y === undefined ? 0 : 1; // missing values last either way
    if (y === undefined) return -1;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return descending ? -c : c;
  };
  return [...rows].sort(cmp);
}

/** Left-aligned; numbers are right-aligned. */
const TEXT_COLUMNS = new Set<string>(["stage", "state", "started", "gpu"]);
const dash = (v: number | undefined, f: (n: number) => string) => (v === undefined ? "-" : f(v));

function table(rows: TraceRow[]): string {
  const cells = rows.map((r) => [
    r.stage,
    r.state,
    r.started ? r.started.replace("T", " ").slice(0, 19) : "-",
    dash(r.wallS, (s) => formatDuration(s * 1000)),
    dash(r.cpuS, (s) => s.toFixed(1) + "s"),
    dash(r.sysS, (s) => s.toFixed(1) + "s"),
    dash(r.cpuPct, (p) => p.toFixed(0) + "%"),
    dash(r.peakRssBytes, formatBytes),
    dash(r.readBytes, formatBytes),
    dash(r.writeBytes, formatBytes),
    dash(r.inputBytes, formatBytes),
    dash(r.inputMBps, (v) => v.toFixed(1)),
    r.gpu ?? "-",
    dash(r.gpuPeakBytes, formatBytes),
    dash(r.gpuUtilPct, (p) => p.toFixed(0) + "%"),
  ]);
  const all = [[...TRACE_COLUMNS], ...cells];
  const widths = TRACE_COLUMNS.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  return (
    all
      .map((c) =>
        c
          .map((v, i) => (TEXT_COLUMNS.has(TRACE_COLUMNS[i]) ? v.padEnd(widths[i]) : v.padStart(widths[i])))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** A self-contained HTML timeline: one bar per finished stage, positioned by its start and end, labelled with its usage. */
export function timelineHtml(name: string, rows: TraceRow[]): string {
  const done = rows.filter((r) => r.started && r.finished);
  const t0 = Math.min(...done.map((r) => Date.parse(r.started!)));
  const t1 = Math.max(...done.map((r) => Date.parse(r.finished!)));
  const span = Math.max(1, t1 - t0);
  const bars = done
    .sort((a, b) => Date.parse(a.started!) - Date.parse(b.started!))
    .map((r) => {
      const left = (100 * (Date.parse(r.started!) - t0)) / span;
      const width = Math.max(0.2, (100 * (Date.parse(r.finished!) - Date.parse(r.started!))) / span);
      const label = [formatDuration(r.wallS! * 1000), dash(r.cpuS, (s) => `${s.toFixed(1)} CPU s`), dash(r.peakRssBytes, (b) => `${formatBytes(b)} RSS`)]
        .filter((x) => x !== "-")
        .join(" · ");
      return `<div class="row"><div class="name" title="${esc(r.key)}">${esc(r.stage)}</div><div class="lane"><div class="bar" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%"></div><span class="label" style="left:${Math.min(left + width, 85).toFixed(3)}%">${esc(label)}</span></div></div>`;
    })
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(name)} — timeline</title><style>
body{font:13px system-ui,sans-serif;margin:1.5em}.row{display:flex;align-items:center;height:22px}.name{width:32em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.lane{position:relative;flex:1;height:16px;background:#f3f3f3}.bar{position:absolute;top:2px;height:12px;background:#3b7dd8;border-radius:2px}
.label{position:absolute;top:0;padding-left:4px;color:#444;white-space:nowrap;font-size:11px}</style></head><body>
<h1>${esc(name)}</h1><p>${done.length} stages from the store's manifests, ${formatDuration(span)} from the first start to the last finish.</p>
${bars}
</body></html>
`;
}

export async function traceCmd(file: string, opts: CommonOptions & { sort?: string; desc?: boolean; json?: boolean; html?: string }): Promise<number> {
  const loaded = await load(file, opts);
  const rows = sortRows(await traceRows(loaded), opts.sort, !!opts.desc);
  if (opts.html) writeFileSync(opts.html, timelineHtml(loaded.pipeline.name, rows));
  process.stdout.write(opts.json ? JSON.stringify(rows, null, 2) + "\n" : table(rows));
  return 0;
}
