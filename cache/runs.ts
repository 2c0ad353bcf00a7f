// Run records: what each run planned and did. They are the history behind `plan --explain`, `status`, and gc roots.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { KeyComponents } from "../core/key.js";
import { writeFileAtomic } from "./atomic.js";
import type { FsLayout } from "./layout.js";

export type StageOutcome = "cached" | "ran" | "failed" | "skipped" | "cancelled" | "planned";

export interface StageRecord {
  key: string;
  status: StageOutcome;
  /** Only for stages that did not come from the cache: a cached object's manifest already holds its components. */
  components?: KeyComponents;
  seconds?: number;
  error?: string;
}

export interface RunRecord {
  id: string;
  pipeline: string;
  /** Pipeline file as given (informational). */
  file: string;
  started: string;
  finished?: string;
  outcome: "ok" | "failed" | "interrupted" | "running";
  host: string;
  /** The engine's process (with its start time, so a reused pid is not taken for it): `status` judges liveness. */
  pid?: number;
  pidStart?: string;
  /** Rewritten every RUN_HEARTBEAT_MS while the run is going (informational across hosts: clocks differ). */
  heartbeat?: string;
  /** Why the run ended abnormally (an internal error), when it is not a stage's failure. */
  error?: string;
  profile?: string;
  set?: string[];
  stages: Record<string, StageRecord>;
}

/** How often a running engine rewrites its run record's heartbeat. */
export const RUN_HEARTBEAT_MS = 30_000;

/** A run that finished, every stage made or cached: the whole pipeline as it stood (not a subset, not interrupted). */
export function isComplete(r: RunRecord): boolean {
  return r.outcome === "ok" && Object.values(r.stages).every((s) => s.status === "ran" || s.status === "cached");
}

interface IndexEntry {
  id: string;
  pipeline: string;
  started: string;
  outcome: RunRecord["outcome"];
}

export class RunLog {
  constructor(private readonly layout: FsLayout) {}

  static newId(now = new Date()): string {
    return `${now
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}-${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  }

  write(rec: RunRecord): void {
    writeFileAtomic(this.layout.runRecord(rec.id), JSON.stringify(rec));
    const index = this.index().filter((e) => e.id !== rec.id);
    index.push({ id: rec.id, pipeline: rec.pipeline, started: rec.started, outcome: rec.outcome });
    writeFileAtomic(this.layout.runIndex(), JSON.stringify(index));
  }

  /** Rewrites only the record (a heartbeat): the index entry does not change while a run goes on. */
  touch(rec: RunRecord): void {
    writeFileAtomic(this.layout.runRecord(rec.id), JSON.stringify(rec));
  }

  index(): IndexEntry[] {
    const p = this.layout.runIndex();
    if (!existsSync(p)) return [];
    try {
      return JSON.parse(readFileSync(p, "utf8"));
    } catch {
      // A damaged index is rebuilt from the records themselves.
      return readdirSync(this.layout.runs())
        .map((f) => this.layout.runIdOf(f))
        .filter((id): id is string => !!id)
        .map((id) => this.read(id))
        .filter((r): r is RunRecord => !!r)
        .map((r) => ({ id: r.id, pipeline: r.pipeline, started: r.started, outcome: r.outcome }));
    }
  }

  read(id: string): RunRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.layout.runRecord(id), "utf8"));
    } catch {
      return undefined;
    }
  }

  /** Most recent runs of a pipeline, newest first. */
  recent(pipeline: string, n = 1): RunRecord[] {
    return this.index()
      .filter((e) => e.pipeline === pipeline)
      .sort((a, b) => (a.started < b.started ? 1 : -1))
      .slice(0, n)
      .map((e) => this.read(e.id))
      .filter((r): r is RunRecord => !!r);
  }

  /**
   * The runs whose objects gc keeps for a pipeline: its last `n` complete runs and every run newer than the oldest of
   * them (a subset or interrupted run never unroots the full pipeline); every run while it has fewer than `n` complete.
   */
  roots(pipeline: string, n = 1): RunRecord[] {
    const out: RunRecord[] = [];
    let complete = 0;
    const newestFirst = this.index()
      .filter((e) => e.pipeline === pipeline)
      .sort((a, b) => (a.started < b.started ? 1 : -1));
    for (const e of newestFirst) {
      const r = this.read(e.id);
      if (!r) continue;
      out.push(r);
      if (isComplete(r) && ++complete >= n) break;
    }
    return out;
  }

  pipelines(): string[] {
    return [...new Set(this.index().map((e) => e.pipeline))];
  }

  remove(id: string): void {
    const index = this.index().filter((e) => e.id !== id);
    writeFileAtomic(this.layout.runIndex(), JSON.stringify(index));
  }
}
