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
  /** Called on every change of an instance's state (see Scheduler.state). */
  onState?(id: string, state: InstanceState, previous: InstanceState): void;
}

/**
 * Where an instance stands in this run. queued: not started, or waiting for its upstream; waiting: its upstream is
 * made, it waits for a -j slot and its resources, or for a lease another runner holds; running: an executor is making
 * it; done: made or cached; failed; skipped: an upstream failed; cancelled: interrupted or stopped by fail-fast.
 * A done upstream found corrupt while a consumer reads it goes back to queued, to be made again.
 */
export type InstanceState = "queued" | "waiting" | "running" | "done" | "failed" | "skipped" | "cancelled";
const FINAL: ReadonlySet<InstanceState> = new Set(["done", "failed", "skipped", "cancelled"]);

class Skipped extends Error {
  override name = "Skipped";
}

/** An input's object does not match its manifest: quarantine and remake it (outside any slot), then try again. */
class NeedsRepair extends Error {
  override name = "NeedsRepair";
  constructor(
    readonly up: PlanEntry,
    readonly problems: string[],
  ) {
    super(`upstream ${up.inst.id} is corrupt: ${problems[0]}`);
  }
}

/** Runs the plan; resolves with the run record (also written to the store). */
export function runPlan(plan: Plan, opts: RunOptions): Promise<RunRecord> {
  return new Scheduler(plan, opts).run();
}

/** One run of a plan. Every instance has a state (queued → waiting → running → done, or failed/skipped/cancelled). */
export class Scheduler {
  readonly record: RunRecord;
  private readonly store: Store;
  private readonly digests: DigestCache;
  private readonly progress = new ProgressBoard(); // latest progress per stage, published with each lease heartbeat (dnaflow watch)
  private readonly emit: EventSink;
  private readonly t0 = Date.now();
  private readonly stop = new AbortController(); // fail-fast and interrupts cancel everything running
  private readonly queue: PQueue;
  private readonly pool: ResourcePool;
  private readonly chosen: PlanEntry[];
  private readonly memo = new Map<string, Promise<void>>();
  private readonly repairs = new Map<string, Promise<void>>();
  private readonly held = new Set<HeldLease>(); // released by the stall guard if the run ever stalls
  private readonly byKey = new Map<string, PlanEntry[]>();
  private readonly states = new Map<string, InstanceState>();
  private beat?: NodeJS.Timeout;

  constructor(
    private readonly plan: Plan,
    private readonly opts: RunOptions,
  ) {
    this.store = opts.store;
    this.digests = opts.digests;
    this.emit = this.progress.tap(opts.emit);
    setMaxListeners(Math.max(10, 4 * opts.jobs + 10), this.stop.signal); // each running job listens: that is expected
    opts.signal.addEventListener("abort", () => this.stop.abort(opts.signal.reason), { once: true });
    this.queue = new PQueue({ concurrency: Math.max(1, opts.jobs) });
    this.pool = new ResourcePool(opts.capacity);
    this.chosen = selectTargets(plan, opts.targets);
    for (const e of plan.entries) {
      this.byKey.set(e.key, [...(this.byKey.get(e.key) ?? []), e]);
      this.states.set(e.inst.id, "queued");
    }
    this.record = {
      id: RunLog.newId(),
      pipeline: plan.pipeline.name,
      file: opts.file,
      started: new Date(this.t0).toISOString(),
      outcome: "running",
      host: hostname(),
      pid: process.pid,
      pidStart: processStartTime(process.pid),
      heartbeat: new Date(this.t0).toISOString(),
      profile: plan.pipeline.profile,
      set: opts.set,
      stages: Object.fromEntries(
        plan.entries.map((e) => [e.inst.id, { key: e.key, status: "planned", ...(e.action === "run" ? { components: e.components } : {}) } as StageRecord]),
      ),
    };
  }

  /** The state of an instance (by id) in this run. */
  state(id: string): InstanceState {
    const s = this.states.get(id);
    if (!s) throw new Error(`no instance '${id}' in this plan`);
    return s;
  }

  /** Every instance's state, by id. */
  snapshot(): Record<string, InstanceState> {
    return Object.fromEntries(this.states);
  }

  async run(): Promise<RunRecord> {
    const { plan, opts, store, record, emit, chosen } = this;
    const toRun = chosen.filter((e) => e.action === "run").length;
    emit({ type: "plan", pipeline: plan.pipeline.name, store: store.location, total: chosen.length, cached: chosen.length - toRun, toRun, runId: record.id });
    if (toRun) store.runs.write(record); // so a crash mid-run still leaves "stopped before it finished" for --explain
    // While it runs, the record says so with a heartbeat (and the stages done so far): `status` on another host can
    // tell a live run from one whose engine is gone.
    this.beat = setInterval(() => {
      record.heartbeat = new Date().toISOString();
      if (toRun) store.runs.touch(record);
    }, RUN_HEARTBEAT_MS);
    this.beat.unref();

    for (const e of chosen) {
      const { cpus, gpus } = e.inst.resources;
      if (this.executorOf(e).localResources && e.action === "run" && (cpus > opts.capacity.cpus || gpus > opts.capacity.gpus)) {
        emit({
          type: "warning",
          message: `${e.inst.id} asks for ${cpus} cpus/${gpus} gpus; this machine has ${opts.capacity.cpus}/${opts.capacity.gpus}: clamped`,
        });
      }
    }

    // Node exits when its event loop empties, even with promises pending: a scheduling bug that leaves stages waiting on
    // each other would end the engine silently (exit 13), the record "running", leases held. Say so instead.
    const unguard = guardStall(async () => {
      const stuck = Object.entries(record.stages)
        .filter(([, s]) => s.status === "planned")
        .map(([id]) => id);
      const error = `internal error: the scheduler stalled with ${stuck.length} stage(s) unfinished (${stuck.slice(0, 5).join(", ")}${stuck.length > 5 ? ", …" : ""}); this is a dnaflow bug, please report it with this run record (${record.id})`;
      emit({ type: "warning", message: error });
      for (const id of stuck) record.stages[id].status = "cancelled";
      await Promise.all([...this.held].map((l) => l.release().catch(() => {})));
      this.finish("failed", { error });
    });

    const results = await Promise.allSettled(
      chosen.map((e) =>
        this.ensure(e).catch((err) => {
          if (err instanceof Skipped) {
            this.setStatus(e, { status: "skipped", error: err.message });
            emit({ type: "stage-skipped", id: e.inst.id, reason: err.message });
          } else if (err instanceof Cancelled || this.stop.signal.aborted) {
            if (record.stages[e.inst.id].status === "planned") this.setStatus(e, { status: "cancelled" });
          } else {
            for (const x of this.sameKey(e)) this.setStatus(x, { status: "failed", error: String(err?.message ?? err) });
            if (!opts.keepGoing) this.stop.abort(new Cancelled("fail-fast"));
          }
          throw err;
        }),
      ),
    );
    await this.queue.onIdle();
    unguard();
    this.finish(opts.signal.aborted ? "interrupted" : results.some((r) => r.status === "rejected") ? "failed" : "ok");
    return record;
  }

  private executorOf(e: PlanEntry) {
    return executorFor(e, this.opts.executor ?? "local");
  }

  private sameKey(e: PlanEntry): PlanEntry[] {
    return this.byKey.get(e.key)!;
  }

  private setStatus(e: PlanEntry, s: Partial<StageRecord>): void {
    Object.assign(this.record.stages[e.inst.id], s);
  }

  /** Moves every instance of `e`'s key to `state` (they are one piece of work). */
  private moveTo(e: PlanEntry, state: InstanceState): void {
    for (const x of this.sameKey(e)) {
      const previous = this.states.get(x.inst.id)!;
      if (previous === state) continue;
      this.states.set(x.inst.id, state);
      this.opts.onState?.(x.inst.id, state, previous);
    }
  }

  private markCached(e: PlanEntry): void {
    for (const x of this.sameKey(e)) {
      this.setStatus(x, { status: "cached" });
      this.emit({ type: "stage-cached", id: x.inst.id, key: x.key });
    }
    this.moveTo(e, "done");
  }

  /** Makes `e`'s key once (every consumer awaits the same promise); its instances end in a final state. */
  private ensure(e: PlanEntry): Promise<void> {
    let p = this.memo.get(e.key);
    if (!p) {
      p = this.make(e).catch((err) => {
        const cancelled = err instanceof Cancelled || (this.stop.signal.aborted && !(err instanceof Skipped));
        if (!FINAL.has(this.state(e.inst.id)) || !cancelled) this.moveTo(e, err instanceof Skipped ? "skipped" : cancelled ? "cancelled" : "failed");
        throw err;
      });
      this.memo.set(e.key, p);
    }
    return p;
  }

  private async make(e: PlanEntry): Promise<void> {
    const { plan, store, stop, emit, record } = this;
    if (e.action === "cached") {
      for (const x of this.sameKey(e)) {
        if (record.stages[x.inst.id].status !== "planned") continue;
        this.setStatus(x, { status: "cached" });
        emit({ type: "stage-cached", id: x.inst.id, key: x.key });
      }
      this.moveTo(e, "done");
      return;
    }
    const deps = e.inst.deps.map((d) => plan.byId.get(d.id)!);
    const settled = await Promise.allSettled(deps.map((d) => this.ensure(d)));
    const bad = settled.findIndex((s) => s.status === "rejected");
    if (bad >= 0) {
      const reason = (settled[bad] as PromiseRejectedResult).reason;
      if (reason instanceof Cancelled) throw reason;
      throw new Skipped(`upstream ${deps[bad].inst.id} ${reason instanceof Skipped ? "was skipped" : "failed"}`);
    }
    if (stop.signal.aborted) throw new Cancelled("cancelled");
    this.moveTo(e, "waiting");
    const isDone = () => store.isPublished(e.key);
    let told = "";
    const repaired = new Set<string>();
    for (;;) {
      if (stop.signal.aborted) throw new Cancelled("cancelled");
      // The lease is taken only once the stage has its slot and resources, so a runner never sits on leases of stages
      // it cannot start yet: a second runner sharing the store makes them meanwhile.
      const outcome = await this.inSlot(e, async () => {
        const got = await store.leases
          .tryAcquire(e.key, e.inst.id, { isDone, onWait: (reason) => emit({ type: "stage-waiting", id: e.inst.id, reason }) })
          .catch((err) => {
            throw stop.signal.aborted ? new Cancelled("cancelled") : err;
          });
        if (!("held" in got)) return got;
        let inputs;
        try {
          inputs = await this.checkedInputs(e);
        } catch (err) {
          await got.held.release();
          if (err instanceof NeedsRepair) return { repair: err };
          throw err;
        }
        await this.runLeased(e, inputs, got.held);
        return { ran: true } as const;
      });
      if ("done" in outcome) return this.markCached(e);
      if ("ran" in outcome) return;
      if ("repair" in outcome) {
        // Repaired with this stage's slot and lease given back: the remake needs a slot (and CPUs) itself, so holding
        // them while it waits would deadlock (at -j 1, or when this stage holds every CPU).
        const { up, problems } = outcome.repair;
        if (repaired.has(up.key)) throw new Error(`upstream ${up.inst.id} is still corrupt after being made again: ${problems[0]}`);
        repaired.add(up.key);
        await this.repair(up, problems).catch((err) => {
          throw err instanceof Cancelled ? err : new Skipped(`upstream ${up.inst.id} failed while being made again`);
        });
        continue;
      }
      // Held by another runner: wait without a slot (this runner's other ready stages use it), then try again.
      if (outcome.busy !== told) {
        emit({ type: "stage-waiting", id: e.inst.id, reason: `held by ${outcome.busy}; waiting` });
        told = outcome.busy;
      }
      await sleep(store.leases.opts.pollMs, stop.signal);
      // Outside the slot: a stage another runner published is seen as such without waiting for a slot or its resources.
      if (await isDone()) return this.markCached(e);
    }
  }

  /** Runs `fn` holding a -j slot and (for executors that run here) the stage's resources. */
  private inSlot<T>(e: PlanEntry, fn: () => Promise<T>): Promise<T> {
    const { stop, opts } = this;
    return this.queue.add(
      async () => {
        if (stop.signal.aborted) throw new Cancelled("cancelled");
        const release = this.executorOf(e).localResources
          ? await this.pool.acquire(clampToCapacity(e.inst.resources, opts.capacity), stop.signal).catch(() => {
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
  }

  private async runLeased(e: PlanEntry, inputs: Record<string, InputItem[]>, lease: HeldLease): Promise<void> {
    const { store, plan, opts, stop, progress } = this;
    this.held.add(lease);
    lease.onBeat = () => progress.beat(store, e.key, e.inst.id).then(() => store.pushCheckpoint(e.key));
    const signal = AbortSignal.any([stop.signal, lease.lost]);
    try {
      await store.pullCheckpoint(e.key);
      const executor = this.executorOf(e);
      const t = Date.now();
      const jobCtx = {
        store,
        digests: this.digests,
        pipelineName: plan.pipeline.name,
        pipelineDir: plan.pipeline.dir,
        pipelineFile: plan.pipeline.file,
        signal,
        emit: this.emit,
        cli: opts.cli,
        builtinChild: opts.builtinChild,
      };
      this.moveTo(e, "running");
      const seconds = await executor.run({ entry: e, inputs, resources: e.inst.resources }, jobCtx);
      await store.clearCheckpoint(e.key);
      for (const x of this.sameKey(e)) this.setStatus(x, { status: "ran", seconds: seconds || (Date.now() - t) / 1000 });
      this.moveTo(e, "done");
    } catch (err) {
      throw lease.lost.aborted && !stop.signal.aborted ? lease.lost.reason : err;
    } finally {
      await progress.end(store, e.key, e.inst.id);
      await lease.release();
      this.held.delete(lease);
    }
  }

  /**
   * Input paths of an entry, after making each upstream object readable here (a remote store downloads it: only once
   * this runner holds the stage's lease) and checking it against its manifest; NeedsRepair names a corrupt one.
   */
  private checkedInputs(e: PlanEntry): Promise<Record<string, InputItem[]>> {
    return stageInputs(e, this.plan, this.store, async (up, output) => {
      const problems = await materializeAndVerify(this.store, up.key, this.digests, output).catch((err) => {
        if (this.repairs.has(up.key)) return ["quarantined, being made again"]; // another consumer found it corrupt first
        throw err;
      });
      if (problems.length) throw new NeedsRepair(up, problems);
    });
  }

  private repair(up: PlanEntry, problems: string[]): Promise<void> {
    let p = this.repairs.get(up.key);
    if (!p) {
      this.emit({ type: "corrupt", id: up.inst.id, key: up.key, problems }); // once, though several consumers may find it
      p = (async () => {
        await this.store.quarantine(up.key, problems.join("; "));
        for (const x of this.sameKey(up)) {
          Object.assign(x, { action: "run", reasons: [`object was corrupt: ${problems[0]}`] });
          this.record.stages[x.inst.id] = { key: x.key, status: "planned", components: x.components };
        }
        this.moveTo(up, "queued");
        this.memo.delete(up.key);
        await this.ensure(up);
      })();
      this.repairs.set(up.key, p);
    }
    return p;
  }

  private finish(outcome: "ok" | "failed" | "interrupted", extra?: Partial<RunRecord>): void {
    const { record } = this;
    clearInterval(this.beat);
    const statuses = Object.values(record.stages).map((s) => s.status);
    const count = (s: string) => statuses.filter((x) => x === s).length;
    Object.assign(record, { outcome, finished: new Date().toISOString(), heartbeat: new Date().toISOString() }, extra);
    this.store.runs.write(record);
    this.digests.save();
    this.emit({
      type: "run-done",
      outcome,
      seconds: (Date.now() - this.t0) / 1000,
      ran: count("ran"),
      cached: count("cached"),
      failed: count("failed"),
      skipped: count("skipped"),
    });
  }
}

function selectTargets(plan: Plan, targets: string[]): PlanEntry[] {
  if (!targets.length) return plan.entries;
  const wanted = new Set<PlanEntry>();
  for (const t of targets) for (const e of plan.entries) if (e.inst.id === t || e.inst.stageId === t) wanted.add(e);
  return plan.entries.filter((e) => wanted.has(e));
}
