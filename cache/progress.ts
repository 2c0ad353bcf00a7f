// Live progress of running stages, for `dnaflow watch` on any machine that reads the store. The runner keeps each
// running stage's latest progress event (step/total, loss, tokens/s) and writes one small record per key with every
// lease heartbeat, at the layout's progress(key) (cache/layout.ts) on a filesystem or S3 store. The record is removed
// once the key is published and marked `ended` when the attempt stops without publishing. Not part of any object:
// it holds hosts and times, which never enter published outputs.
import { hostname } from "node:os";

export interface ProgressRecord {
  v: 1;
  key: string;
  stage: string;
  pipeline?: string;
  runId?: string;
  host: string;
  pid: number;
  attempt?: number;
  /** When the attempt started (ISO, the writer's clock). */
  started?: string;
  /** When this record was written (ISO, the writer's clock): the age of the last heartbeat. */
  written: string;
  /** Increments with every write: a watcher that sees it unchanged for a TTL on its own clock knows the writer is silent. */
  beat: number;
  /** The lease TTL the writer runs with: silent past it. */
  ttlMs: number;
  done?: number;
  total?: number;
  unit?: string;
  /** Units per second over this attempt so far, and the remaining time it implies. */
  rate?: number;
  etaS?: number;
  /** The latest metrics the stage reported with its progress (loss, lr, tokensPerS, ...). */
  metrics?: Record<string, number | string | null>;
  /** Set when the attempt stopped without publishing (failed, cancelled, lease lost). */
  ended?: string;
}

interface Live {
  attempt?: number;
  started?: string;
  done?: number;
  total?: number;
  unit?: string;
  metrics?: Record<string, number | string | null>;
  first?: { t: number; done: number };
  last?: { t: number; done: number };
}

/** The run events this board reads (engine/run/events.ts; declared here so the store layer does not import the engine). */
type Observed =
  | { type: "plan"; runId: string; pipeline: string }
  | { type: "stage-start"; id: string; attempt: number }
  | { type: "stage-progress"; id: string; done: number; total?: number; unit?: string; metrics?: Record<string, number | string | null> }
  | { type: "other" };

/** What a store provides for progress records. */
export interface ProgressStore {
  writeProgress(rec: ProgressRecord): Promise<void>;
  removeProgress(key: string): Promise<void>;
  /** Every progress record in the store (one listing). */
  listProgress(): Promise<ProgressRecord[]>;
}

/** The latest progress of each running stage of one run, fed from the run's event stream. */
export class ProgressBoard {
  private readonly live = new Map<string, Live>();
  private beats = 0;
  runId?: string;
  pipeline?: string;

  /** Wraps an event sink: every event still reaches it; the ones about progress are also kept here. */
  tap<E extends { type: string }>(sink: (e: E) => void): (e: E) => void {
    return (e) => {
      this.observe(e as unknown as Observed);
      sink(e);
    };
  }

  observe(e: Observed): void {
    if (e.type === "plan") {
      this.runId = e.runId;
      this.pipeline = e.pipeline;
    } else if (e.type === "stage-start") this.live.set(e.id, { attempt: e.attempt, started: new Date().toISOString() });
    else if (e.type === "stage-progress") {
      const s = this.live.get(e.id) ?? {};
      const t = performance.now();
      if (!s.first || e.done < s.first.done) s.first = { t, done: e.done };
      s.last = { t, done: e.done };
      Object.assign(s, { done: e.done, total: e.total, unit: e.unit });
      if (e.metrics) s.metrics = e.metrics;
      this.live.set(e.id, s);
    }
  }

  record(key: string, stage: string, ttlMs: number): ProgressRecord {
    const s = this.live.get(stage) ?? {};
    const rec: ProgressRecord = {
      v: 1,
      key,
      stage,
      pipeline: this.pipeline,
      runId: this.runId,
      host: hostname(),
      pid: process.pid,
      attempt: s.attempt,
      started: s.started,
      written: new Date().toISOString(),
      beat: ++this.beats,
      ttlMs,
      done: s.done,
      total: s.total,
      unit: s.unit,
      metrics: s.metrics,
    };
    if (s.first && s.last && s.last.t > s.first.t && s.last.done > s.first.done) {
      rec.rate = ((s.last.done - s.first.done) * 1000) / (s.last.t - s.first.t);
      if (s.total !== undefined) rec.etaS = Math.max(0, (s.total - s.last.done) / rec.rate);
    }
    return rec;
  }

  /** At each lease heartbeat: publish where the stage is. Never fails the heartbeat. */
  async beat(store: ProgressStore & { leases: { opts: { ttlMs: number } } }, key: string, stage: string): Promise<void> {
    await store.writeProgress(this.record(key, stage, store.leases.opts.ttlMs)).catch(() => {});
  }

  /** When the attempt lets go of its lease: a published key needs no record; otherwise say it stopped. */
  async end(
    store: ProgressStore & { leases: { opts: { ttlMs: number } }; isPublished(key: string): Promise<boolean> },
    key: string,
    stage: string,
  ): Promise<void> {
    try {
      if (await store.isPublished(key)) await store.removeProgress(key);
      else await store.writeProgress({ ...this.record(key, stage, store.leases.opts.ttlMs), ended: new Date().toISOString() });
    } catch {
      // Progress is advisory: it never fails a stage.
    }
    this.live.delete(stage);
  }
}

export function parseProgress(text: string): ProgressRecord | undefined {
  try {
    const r = JSON.parse(text);
    return r && r.v === 1 && typeof r.key === "string" && typeof r.beat === "number" ? r : undefined;
  } catch {
    return undefined; // torn or foreign: ignored
  }
}
