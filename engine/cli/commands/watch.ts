// dnaflow watch FILE: every running stage of a pipeline — host, step/total, loss, tokens/s, ETA, heartbeat age — read
// from the progress records running attempts publish with their lease heartbeat (cache/progress.ts), so it works from
// any machine that reads the store. A stage whose record stops changing for its lease TTL is shown as silent.
import type { ProgressRecord } from "../../../cache/progress.js";
import type { ObjectStore } from "../../../cache/store.js";
import type { ProgressStore } from "../../../cache/progress.js";
import { formatDuration } from "../../spec/units.js";
import { load, type CommonOptions } from "../context.js";

export type WatchState = "running" | "silent" | "stopped";

export interface WatchRow {
  stage: string;
  key: string;
  state: WatchState;
  host: string;
  pid: number;
  attempt?: number;
  done?: number;
  total?: number;
  unit?: string;
  loss?: number | null;
  tokensPerS?: number | null;
  etaS?: number;
  /** Seconds since the record was last written. */
  heartbeatAgeS: number;
  ttlS: number;
  metrics?: ProgressRecord["metrics"];
}

export interface WatchSnapshot {
  pipeline: string;
  store: string;
  at: string;
  counts: { done: number; running: number; silent: number; stopped: number; pending: number };
  stages: WatchRow[];
}

/** Remembers when this watcher saw each record change, on its own monotonic clock (no cross-machine clock needed). */
class Observer {
  private seen = new Map<string, { beat: number; at: number }>();

  /** Age of the last heartbeat: wall-clock age until a change has been observed, then time since that change. */
  ageS(r: ProgressRecord): number {
    const wall = Math.max(0, (Date.now() - Date.parse(r.written)) / 1000);
    const prev = this.seen.get(r.key);
    const now = performance.now();
    if (!prev) {
      this.seen.set(r.key, { beat: r.beat, at: now - wall * 1000 });
      return wall;
    }
    if (prev.beat !== r.beat) this.seen.set(r.key, { beat: r.beat, at: now });
    return (now - this.seen.get(r.key)!.at) / 1000;
  }
}

async function snapshot(
  pipeline: string,
  entries: Array<{ id: string; key: string }>,
  store: ObjectStore & ProgressStore,
  seen: Observer,
): Promise<WatchSnapshot> {
  await (store as ObjectStore & { refresh?: () => Promise<void> }).refresh?.(); // a remote store lists what is published now
  const published = store.publishedKeys();
  const records = new Map((await store.listProgress()).map((r) => [r.key, r]));
  const counts = { done: 0, running: 0, silent: 0, stopped: 0, pending: 0 };
  const stages: WatchRow[] = [];
  for (const e of entries) {
    const r = records.get(e.key);
    if (published.has(e.key)) {
      counts.done++;
      continue;
    }
    if (!r) {
      counts.pending++;
      continue;
    }
    const age = seen.ageS(r);
    const state: WatchState = r.ended ? "stopped" : age * 1000 > r.ttlMs ? "silent" : "running";
    counts[state]++;
    const num = (v: unknown) => (typeof v === "number" ? v : v === null ? null : undefined);
    stages.push({
      stage: e.id,
      key: e.key,
      state,
      host: r.host,
      pid: r.pid,
      attempt: r.attempt,
      done: r.done,
      total: r.total,
      unit: r.unit,
      loss: num(r.metrics?.loss),
      tokensPerS: num(r.metrics?.tokensPerS),
      etaS: state === "running" && r.etaS !== undefined ? Math.max(0, r.etaS - age) : undefined,
      heartbeatAgeS: Math.round(age * 10) / 10,
      ttlS: r.ttlMs / 1000,
      metrics: r.metrics,
    });
  }
  return { pipeline, store: store.location, at: new Date().toISOString(), counts, stages };
}

const fmtNum = (v: number | null | undefined, digits: number) => (typeof v === "number" ? v.toFixed(digits) : "-");

export function renderSnapshot(s: WatchSnapshot): string {
  const c = s.counts;
  const out = [
    `${s.pipeline} · ${s.store} · ${s.at.replace("T", " ").replace(/\.\d+Z$/, "Z")}`,
    `  ${c.done} done · ${c.running} running · ${c.silent} silent · ${c.stopped} stopped · ${c.pending} pending`,
  ];
  if (!s.stages.length) return out.join("\n");
  const rows = s.stages.map((r) => [
    r.state === "silent" ? "SILENT" : r.state,
    r.stage,
    r.host,
    r.done !== undefined ? `${r.done}${r.total !== undefined ? `/${r.total}` : ""}${r.unit && r.unit !== "steps" ? ` ${r.unit}` : ""}` : "starting",
    fmtNum(r.loss, 4),
    typeof r.tokensPerS === "number" ? Math.round(r.tokensPerS).toLocaleString("en-US") : "-",
    r.etaS !== undefined ? formatDuration(r.etaS * 1000) : "-",
    `${formatDuration(r.heartbeatAgeS * 1000)} ago${r.state === "silent" ? ` (TTL ${r.ttlS}s)` : ""}`,
  ]);
  const head = ["state", "stage", "host", "step", "loss", "tokens/s", "ETA", "heartbeat"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "  " + cells.map((x, i) => (i === cells.length - 1 ? x : x.padEnd(widths[i]))).join("  ");
  return [...out, line(head), ...rows.map(line)].join("\n");
}

export async function watchCmd(file: string, opts: CommonOptions & { once?: boolean; json?: boolean; interval?: string }): Promise<number> {
  const { plan, store } = await load(file, opts);
  const entries = plan.entries.map((e) => ({ id: e.inst.id, key: e.key }));
  const seen = new Observer();
  const intervalMs = Math.max(200, Number(opts.interval ?? 2) * 1000);
  const tty = process.stdout.isTTY && !opts.json;
  let stop = false;
  const onSig = () => (stop = true);
  process.once("SIGINT", onSig);
  process.once("SIGTERM", onSig);
  try {
    for (;;) {
      const s = await snapshot(plan.pipeline.name, entries, store, seen);
      const text = opts.json ? JSON.stringify(s) : renderSnapshot(s);
      // A terminal is redrawn in place; anything else gets one block of plain lines per refresh.
      process.stdout.write(tty ? `\x1b[H\x1b[2J${text}\n` : `${text}\n`);
      if (opts.once || stop) return 0;
      const allDone = s.counts.pending + s.counts.running + s.counts.silent + s.counts.stopped === 0;
      if (allDone) return 0;
      await new Promise((r) => setTimeout(r, intervalMs));
      if (stop) return 0;
    }
  } finally {
    process.off("SIGINT", onSig);
    process.off("SIGTERM", onSig);
  }
}
