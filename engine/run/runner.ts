// Runs a plan: every stage to run waits for its upstream, then for a queue slot and its resources, and only then takes
// its lease (a key another runner holds is retried later, without a slot). Cached stages do not even need their
// upstream objects (the key already covers them). Inputs are verified against their manifests as they are consumed; a
// corrupted upstream object is quarantined and made again — with the consumer's slot given back — before it runs.
import PQueue from "p-queue";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import type { DigestCache } from "../../cache/digest-cache.js";
import { RUN_HEARTBEAT_MS, RunLog, type RunRecord, type StageRecord } from "../../cache/runs.js";
import type { Store } from "../../cache/store.js";
import { ProgressBoard } from "../../cache/progress.js";
import { materializeAndVerify } from "../../cache/verify.js";
import type { Plan, PlanEntry } from "../plan/plan.js";
import type { ExecutorName } from "../spec/types.js";
import type { InputItem } from "../../core/input-item.js";
import type { Resources } from "../stage.js";
import type { EventSink } from "./events.js";
import { executorFor } from "./executors.js";
import { stageInputs } from "./stage-inputs.js";
import { Cancelled, type JobContext } from "../executors/types.js";
import { guardStall } from "./stall-guard.js";
import { processStartTime } from "../executors/process-group.js";
import type { HeldLease } from "../../cache/lease/leases.js";
import { ResourcePool, clampToCapacity } from "./resources.js";
import { sleep } from "../../lib/os/sleep.js";

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
  builtinChild: JobContext["builtinChild"];
}

class Skipped extends Error {
  override name = "Skipped";
}

/** An input's object does not match its manifest: quarantine and remake it (outside any slot), then try again. */
class NeedsRepair extends Error {
  override name = "NeedsRepair";
  constructor(readonly up: PlanEntry, readonly problems: string[]) {
    super(`upstream ${up.inst.id} is corrupt: ${problems[0]}`);
  }
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
    pid: process.pid,
    pidStart: processStartTime(process.pid),
    heartbeat: new Date(t0).toISOString(),
    profile: plan.pipeline.profile,
    set: opts.set,
    stages: Object.fromEntries(
      plan.entries.map((e) => [e.inst.id, { key: e.key, status: "planned", ...(e.action === "run" ? { components: e.components } : {}) } as StageRecord]),
    ),
  };
  const toRun = chosen.filter((e) => e.action === "run").length;
  emit({ type: "plan", pipeline: plan.pipeline.name, store: store.location, total: chosen.length, cached: chosen.length - toRun, toRun, runId: record.id });
  if (toRun) store.runs.write(record); // so a crash mid-run still leaves "stopped before it finished" for --explain
  // While it runs, the record says so with a heartbeat (and the stages done so far): `status` on another host can
  // tell a live run from one whose engine is gone.
  const beat = setInterval(() => {
    record.heartbeat = new Date().toISOString();
    if (toRun) store.runs.touch(record);
  }, RUN_HEARTBEAT_MS);
  beat.unref();

  for (const e of chosen) {
    const { cpus, gpus } = e.inst.resources;
    const local = executorFor(e, opts.executor ?? "local").localResources;
    if (local && e.action === "run" && (cpus > opts.capacity.cpus || gpus > opts.capacity.gpus)) {
      emit({ type: "warning", message: `${e.inst.id} asks for ${cpus} cpus/${gpus} gpus; this machine has ${opts.capacity.cpus}/${opts.capacity.gpus}: clamped` });
    }
  }

  const memo = new Map<string, Promise<void>>();
  const repairs = new Map<string, Promise<void>>();
  const held = new Set<HeldLease>(); // released by the stall guard if the run ever stalls
  const setStatus = (e: PlanEntry, s: Partial<StageRecord>) => Object.assign(record.stages[e.inst.id], s);
  const byKey = new Map<string, PlanEntry[]>();
  for (const e of plan.entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  const sameKey = (e: PlanEntry) => byKey.get(e.key)!;
  const markCached = (e: PlanEntry) => {
    for (const x of sameKey(e)) setStatus(x, { status: "cached" }), emit({ type: "stage-cached", id: x.inst.id, key: x.key });
  };

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
    const isDone = () => store.isPublished(e.key);
    let told = "";
    const repaired = new Set<string>();
    for (;;) {
      if (stop.signal.aborted) throw new Cancelled("cancelled");
      // The lease is taken only once the stage has its slot and resources, so a runner never sits on leases of stages
      // it cannot start yet: a second runner sharing the store makes them meanwhile.
      const outcome = await inSlot(e, async () => {
        const got = await store.leases
          .tryAcquire(e.key, e.inst.id, { isDone, onWait: (reason) => emit({ type: "stage-waiting", id: e.inst.id, reason }) })
          .catch((err) => {
            throw stop.signal.aborted ? new Cancelled("cancelled") : err;
          });
        if (!("held" in got)) return got;
        let inputs;
        try {
          inputs = await checkedInputs(e);
        } catch (err) {
          await got.held.release();
          if (err instanceof NeedsRepair) return { repair: err };
          throw err;
        }
        await runLeased(e, inputs, got.held);
        return { ran: true } as const;
      });
      if ("done" in outcome) return markCached(e);
      if ("ran" in outcome) return;
      if ("repair" in outcome) {
        // Repaired with this stage's slot and lease given back: the remake needs a slot (and CPUs) itself, so holding
        // them while it waits would deadlock (at -j 1, or when this stage holds every CPU).
        const { up, problems } = outcome.repair;
        if (repaired.has(up.key)) throw new Error(`upstream ${up.inst.id} is still corrupt after being made again: ${problems[0]}`);
        repaired.add(up.key);
        await repair(up, problems).catch((err) => {
          throw err instanceof Cancelled ? err : new Skipped(`upstream ${up.inst.id} failed while being made again`);
        });
        continue;
      }
      // Held by another runner: wait without a slot (this runner's other ready stages use it), then try again.
      if (outcome.busy !== told) emit({ type: "stage-waiting", id: e.inst.id, reason: `held by ${outcome.busy}; waiting` }), (told = outcome.busy);
      await sleep(store.leases.opts.pollMs, stop.signal);
      if (await isDone()) return markCached(e);
    }
  };

  /** Runs `fn` holding a -j slot and (for executors that run here) the stage's resources. */
  const inSlot = <T>(e: PlanEntry, fn: () => Promise<T>): Promise<T> =>
    queue.add(
      async () => {
        if (stop.signal.aborted) throw new Cancelled("cancelled");
        const release = executorFor(e, opts.executor ?? "local").localResources
          ? await pool.acquire(clampToCapacity(e.inst.resources, opts.capacity), stop.signal).catch(() => {
              throw new Cancelled("cancelled");
            })
          : () => {};
        try {
          return await fn();
        } finally {
          release();
        }
      },
      { throwOnTimeout: true },
    ) as Promise<T>;

  const runLeased = async (e: PlanEntry, inputs: Record<string, InputItem[]>, lease: HeldLease): Promise<void> => {
    held.add(lease);
    lease.onBeat = () => progress.beat(store, e.key, e.inst.id).then(() => store.pushCheckpoint(e.key));
    const signal = AbortSignal.any([stop.signal, lease.lost]);
    try {
      await store.pullCheckpoint(e.key);
      const executor = executorFor(e, opts.executor ?? "local");
      const t = Date.now();
      const jobCtx = { store, digests, pipelineName: plan.pipeline.name, pipelineDir: plan.pipeline.dir, pipelineFile: plan.pipeline.file, signal, emit, cli: opts.cli, builtinChild: opts.builtinChild };
      const seconds = await executor.run({ entry: e, inputs, resources: e.inst.resources }, jobCtx);
      await store.clearCheckpoint(e.key);
      for (const x of sameKey(e)) setStatus(x, { status: "ran", seconds: seconds || (Date.now() - t) / 1000 });
    } catch (err) {
      throw lease.lost.aborted && !stop.signal.aborted ? lease.lost.reason : err;
    } finally {
      await progress.end(store, e.key, e.inst.id);
      await lease.release();
      held.delete(lease);
    }
  };

  /**
   * Input paths of an entry, after making each upstream object readable here (a remote store downloads it: only once
   * this runner holds the stage's lease) and checking it against its manifest; NeedsRepair names a corrupt one.
   */
  const checkedInputs = (e: PlanEntry): Promise<Record<string, InputItem[]>> =>
    stageInputs(e, plan, store, async (up, output) => {
      const problems = await materializeAndVerify(store, up.key, digests, output).catch((err) => {
        if (repairs.has(up.key)) return ["quarantined, being made again"]; // another consumer found it corrupt first
        throw err;
      });
      if (problems.length) throw new NeedsRepair(up, problems);
    });

  const repair = (up: PlanEntry, problems: string[]): Promise<void> => {
    let p = repairs.get(up.key);
    if (!p) {
      emit({ type: "corrupt", id: up.inst.id, key: up.key, problems }); // once, though several consumers may find it
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

  const finish = (outcome: "ok" | "failed" | "interrupted", extra?: Partial<RunRecord>) => {
    clearInterval(beat);
    const statuses = Object.values(record.stages).map((s) => s.status);
    const count = (s: string) => statuses.filter((x) => x === s).length;
    Object.assign(record, { outcome, finished: new Date().toISOString(), heartbeat: new Date().toISOString() }, extra);
    store.runs.write(record);
    digests.save();
    emit({ type: "run-done", outcome, seconds: (Date.now() - t0) / 1000, ran: count("ran"), cached: count("cached"), failed: count("failed"), skipped: count("skipped") });
  };
  // Node exits when its event loop empties, even with promises pending: a scheduling bug that leaves stages waiting on
  // each other would end the engine silently (exit 13), the record "running", leases held. Say so instead.
  const unguard = guardStall(async () => {
    const stuck = Object.entries(record.stages).filter(([, s]) => s.status === "planned").map(([id]) => id);
    const error = `internal error: the scheduler stalled with ${stuck.length} stage(s) unfinished (${stuck.slice(0, 5).join(", ")}${stuck.length > 5 ? ", …" : ""}); this is a dnaflow bug, please report it with this run record (${record.id})`;
    emit({ type: "warning", message: error });
    for (const id of stuck) record.stages[id].status = "cancelled";
    await Promise.all([...held].map((l) => l.release().catch(() => {})));
    finish("failed", { error });
  });

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
  unguard();
  finish(opts.signal.aborted ? "interrupted" : results.some((r) => r.status === "rejected") ? "failed" : "ok");
  return record;
}

function selectTargets(plan: Plan, targets: string[]): PlanEntry[] {
  if (!targets.length) return plan.entries;
  const wanted = new Set<PlanEntry>();
  for (const t of targets) for (const e of plan.entries) if (e.inst.id === t || e.inst.stageId === t) wanted.add(e);
  return plan.entries.filter((e) => wanted.has(e));
}
