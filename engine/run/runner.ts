// Runs a plan: every stage to run waits for its upstream, then for a queue slot and its resources. Cached stages do
// not even need their upstream objects (the key already covers them). Inputs are verified against their manifests as
// they are consumed; a corrupted upstream object is quarantined and made again before its consumer runs.
import PQueue from "p-queue";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import type { DigestCache } from "../../cache/digest-cache.js";
import { RunLog, type RunRecord, type StageRecord } from "../../cache/runs.js";
import type { Store } from "../../cache/store.js";
import { ProgressBoard } from "../../cache/progress.js";
import { materializeAndVerify } from "../../cache/verify.js";
import type { Plan, PlanEntry } from "../plan/plan.js";
import type { ExecutorName } from "../spec/types.js";
import type { InputItem, Resources } from "../stage.js";
import type { EventSink } from "./events.js";
import { executorFor } from "./executors.js";
import { stageInputs } from "./stage-inputs.js";
import { Cancelled, type JobContext } from "./job.js";
import { ResourcePool, clampToCapacity } from "./resources.js";

export interface RunOptions {
  store: Store;
  digests: DigestCache;
  capacity: Resources;
  jobs: number;
  keepGoing: boolean;
  /** Instance or stage ids to make (with their upstream); all when empty. */
  targets: string[];
  signal: AbortSignal;
  emit: EventSink;
  file: string;
  set?: string[];
  /** Default executor for stages that name none. */
  executor?: ExecutorName;
  /** How this run was invoked (store, --set, --profile), for executors that re-run one stage elsewhere. */
  cli?: JobContext["cli"];
}

class Skipped extends Error {
  override name = "Skipped";
}

export async function runPlan(plan: Plan, opts: RunOptions): Promise<RunRecord> {
  const { store, digests } = opts;
  const progress = new ProgressBoard(); // latest progress per stage, published with each lease heartbeat (dnaflow watch)
  const emit = progress.tap(opts.emit);
  const t0 = Date.now();
  const stop = new AbortController(); // fail-fast and interrupts cancel everything running
  setMaxListeners(Math.max(10, 4 * opts.jobs + 10), stop.signal); // each running job listens: that is expected
  opts.signal.addEventListener("abort", () => stop.abort(opts.signal.reason), { once: true });
  const queue = new PQueue({ concurrency: Math.max(1, opts.jobs) });
  const pool = new ResourcePool(opts.capacity);
  const chosen = selectTargets(plan, opts.targets);
  const record: RunRecord = {
    id: RunLog.newId(),
    pipeline: plan.pipeline.name,
    file: opts.file,
    started: new Date(t0).toISOString(),
    outcome: "running",
    host: hostname(),
    profile: plan.pipeline.profile,
    set: opts.set,
    stages: Object.fromEntries(
      plan.entries.map((e) => [e.inst.id, { key: e.key, status: "planned", ...(e.action === "run" ? { components: e.components } : {}) } as StageRecord]),
    ),
  };
  const toRun = chosen.filter((e) => e.action === "run").length;
  emit({ type: "plan", pipeline: plan.pipeline.name, store: store.location, total: chosen.length, cached: chosen.length - toRun, toRun, runId: record.id });
  if (toRun) store.runs.write(record); // so a crash mid-run still leaves "stopped before it finished" for --explain

  for (const e of chosen) {
    const { cpus, gpus } = e.inst.resources;
    const local = executorFor(e, opts.executor ?? "local").localResources;
    if (local && e.action === "run" && (cpus > opts.capacity.cpus || gpus > opts.capacity.gpus)) {
      emit({ type: "warning", message: `${e.inst.id} asks for ${cpus} cpus/${gpus} gpus; this machine has ${opts.capacity.cpus}/${opts.capacity.gpus}: clamped` });
    }
  }

  const memo = new Map<string, Promise<void>>();
  const repairs = new Map<string, Promise<void>>();
  const setStatus = (e: PlanEntry, s: Partial<StageRecord>) => Object.assign(record.stages[e.inst.id], s);
  const byKey = new Map<string, PlanEntry[]>();
  for (const e of plan.entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  const sameKey = (e: PlanEntry) => byKey.get(e.key)!;

  const ensure = (e: PlanEntry): Promise<void> => {
    let p = memo.get(e.key);
    if (!p) memo.set(e.key, (p = make(e)));
    return p;
  };

  const make = async (e: PlanEntry): Promise<void> => {
    if (e.action === "cached") {
      for (const x of sameKey(e)) if (record.stages[x.inst.id].status === "planned") setStatus(x, { status: "cached" }), emit({ type: "stage-cached", id: x.inst.id, key: x.key });
      return;
    }
    const deps = e.inst.deps.map((d) => plan.byId.get(d.id)!);
    const settled = await Promise.allSettled(deps.map(ensure));
    const bad = settled.findIndex((s) => s.status === "rejected");
    if (bad >= 0) {
      const reason = (settled[bad] as PromiseRejectedResult).reason;
      if (reason instanceof Cancelled) throw reason;
      throw new Skipped(`upstream ${deps[bad].inst.id} ${reason instanceof Skipped ? "was skipped" : "failed"}`);
    }
    if (stop.signal.aborted) throw new Cancelled("cancelled");
    // Runners sharing the store make each key once: hold its lease, or wait for whoever holds it.
    const got = await store.leases
      .acquire(e.key, e.inst.id, {
        signal: stop.signal,
        isDone: () => store.isPublished(e.key),
        onWait: (reason) => emit({ type: "stage-waiting", id: e.inst.id, reason }),
      })
      .catch((err) => {
        throw stop.signal.aborted ? new Cancelled("cancelled") : err;
      });
    if ("done" in got) {
      for (const x of sameKey(e)) setStatus(x, { status: "cached" }), emit({ type: "stage-cached", id: x.inst.id, key: x.key });
      return;
    }
    const lease = got.held;
    lease.onBeat = () => progress.beat(store, e.key, e.inst.id).then(() => store.pushCheckpoint(e.key));
    try {
      await runLeased(e, AbortSignal.any([stop.signal, lease.lost]));
    } catch (err) {
      throw lease.lost.aborted && !stop.signal.aborted ? lease.lost.reason : err;
    } finally {
      await progress.end(store, e.key, e.inst.id);
      await lease.release();
    }
  };

  const runLeased = async (e: PlanEntry, signal: AbortSignal): Promise<void> => {
    await store.pullCheckpoint(e.key);
    await queue.add(async () => {
      if (stop.signal.aborted) throw new Cancelled("cancelled");
      const executor = executorFor(e, opts.executor ?? "local");
      const release = executor.localResources
        ? await pool.acquire(clampToCapacity(e.inst.resources, opts.capacity), stop.signal).catch(() => {
            throw new Cancelled("cancelled");
          })
        : () => {};
      try {
        const inputs = await verifiedInputs(e);
        const t = Date.now();
        const jobCtx = { store, digests, pipelineName: plan.pipeline.name, pipelineDir: plan.pipeline.dir, pipelineFile: plan.pipeline.file, signal, emit, cli: opts.cli };
        const seconds = await executor.run(e, inputs, e.inst.resources, jobCtx);
        await store.clearCheckpoint(e.key);
        for (const x of sameKey(e)) setStatus(x, { status: "ran", seconds: seconds || (Date.now() - t) / 1000 });
      } finally {
        release();
      }
    });
  };

  /** Input paths of an entry, after checking each upstream object against its manifest (repairing corrupt ones). */
  const verifiedInputs = (e: PlanEntry): Promise<Record<string, InputItem[]>> =>
    stageInputs(e, plan, store, async (up, output) => {
      for (let tries = 0; ; tries++) {
        const problems = await materializeAndVerify(store, up.key, digests, output);
        if (!problems.length) return;
        if (tries > 0) throw new Error(`upstream ${up.inst.id} is still corrupt after being made again: ${problems[0]}`);
        emit({ type: "corrupt", id: up.inst.id, key: up.key, problems });
        await repair(up, problems);
      }
    });

  const repair = (up: PlanEntry, problems: string[]): Promise<void> => {
    let p = repairs.get(up.key);
    if (!p) {
      p = (async () => {
        await store.quarantine(up.key, problems.join("; "));
        for (const x of sameKey(up)) {
          Object.assign(x, { action: "run", reasons: [`object was corrupt: ${problems[0]}`] });
          record.stages[x.inst.id] = { key: x.key, status: "planned", components: x.components };
        }
        memo.delete(up.key);
        await ensure(up);
      })();
      repairs.set(up.key, p);
    }
    return p;
  };

  const results = await Promise.allSettled(
    chosen.map((e) =>
      ensure(e).catch((err) => {
        if (err instanceof Skipped) {
          setStatus(e, { status: "skipped", error: err.message });
          emit({ type: "stage-skipped", id: e.inst.id, reason: err.message });
        } else if (err instanceof Cancelled || stop.signal.aborted) {
          if (record.stages[e.inst.id].status === "planned") setStatus(e, { status: "cancelled" });
        } else {
          for (const x of sameKey(e)) setStatus(x, { status: "failed", error: String(err?.message ?? err) });
          if (!opts.keepGoing) stop.abort(new Cancelled("fail-fast"));
        }
        throw err;
      }),
    ),
  );
  await queue.onIdle();
  const statuses = Object.values(record.stages).map((s) => s.status);
  const count = (s: string) => statuses.filter((x) => x === s).length;
  record.outcome = opts.signal.aborted ? "interrupted" : results.some((r) => r.status === "rejected") ? "failed" : "ok";
  record.finished = new Date().toISOString();
  store.runs.write(record);
  digests.save();
  emit({ type: "run-done", outcome: record.outcome, seconds: (Date.now() - t0) / 1000, ran: count("ran"), cached: count("cached"), failed: count("failed"), skipped: count("skipped") });
  return record;
}

function selectTargets(plan: Plan, targets: string[]): PlanEntry[] {
  if (!targets.length) return plan.entries;
  const wanted = new Set<PlanEntry>();
  for (const t of targets) for (const e of plan.entries) if (e.inst.id === t || e.inst.stageId === t) wanted.add(e);
  return plan.entries.filter((e) => wanted.has(e));
}
