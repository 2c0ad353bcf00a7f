// The Slurm executor: each attempt of a stage is one batch job running `dnaflow exec-stage` against the same store,
// which publishes the object exactly as a local run would. The engine submits, polls, cancels and collects logs.
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { PlanEntry } from "../../plan/plan.js";
import { formatDuration } from "../../spec/units.js";
import { Cancelled, StageFailure, type JobContext } from "../types.js";
import type { Executor, ExecutorJob } from "../executor.js";
import { scancel, slurmCmd, trackJob, untrackJob } from "./cli.js";
import { collectJobOutput } from "./logs.js";
import { clearResult, readProgress, readResult, type JobProgress } from "./result.js";
import { jobScript, sbatchArgs } from "./sbatch.js";
import { describe, isActive, isHeld, isLost, queryJob, type JobInfo } from "./state.js";
import { sleep } from "../../../lib/os/sleep.js";
import { rememberOutputDigests } from "../output-digests.js";
import { asStageFailure, retryDelay, shouldRetry, waitToRetry } from "../retry.js";

/** A job that ended without a verdict from the stage (node failure, preemption, killed): worth resubmitting. */
export class LostJob extends StageFailure {
  override name = "LostJob";
}

const envInt = (name: string, def: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n >= 0 && process.env[name] !== "" && process.env[name] !== undefined ? n : def;
};
const pollMs = () => envInt("DNAFLOW_SLURM_POLL_MS", 2000);
/** Lost jobs are resubmitted this many times without using up the stage's retries. */
const maxResubmits = () => envInt("DNAFLOW_SLURM_RESUBMITS", 2);
/** How long the engine tolerates scontrol failing (slurmctld restarting) before it gives up on a job. */
const QUERY_GRACE_MS = 5 * 60_000;
/** After scancel, how long to wait for the job to be gone before reporting the stage cancelled anyway. */
const CANCEL_WAIT_MS = 60_000;
/**
 * A job still active this long after its object was published has lost its slurmstepd (killed, crashed): Slurm would
 * show it RUNNING until the node is declared dead (minutes). The object is what counts: cancel the job and go on.
 */
const publishedGrace = () => Math.max(10_000, 5 * pollMs());

/** Pending reasons that no amount of waiting changes: the request exceeds what the partition, account or QOS allow. */
const NEVER_STARTS = /^(Partition(Config|NodeLimit|TimeLimit)|BadConstraints|Invalid(Account|QOS)|(Account|QOS)NotAllowed|QOSMax\w*PerJob\w*)$/;

/** Job scripts, outputs and result files of a key: $DNAFLOW_SLURM_DIR/<store hash>/<key>, else <store>/state/slurm/<key>. */
export function slurmDir(ctx: Pick<JobContext, "store">, key: string): string {
  const base = process.env.DNAFLOW_SLURM_DIR;
  const dir = base ? join(base, createHash("sha256").update(ctx.store.location).digest("hex").slice(0, 12), key) : ctx.store.statePath(join("slurm", key));
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface JobRecord {
  job: string;
  attempt: number;
  submitted: string;
  host: string;
  pid: number;
}

function lastRecord(dir: string): JobRecord | undefined {
  try {
    const lines = readFileSync(join(dir, "jobs.jsonl"), "utf8").trim().split("\n");
    return JSON.parse(lines.at(-1)!);
  } catch {
    return undefined;
  }
}

export const slurmExecutor: Executor = { name: "slurm", localResources: false, run: runSlurm };

/** Submits an attempt as a batch job and follows it; a failed one is resubmitted under the stage's retry policy. */
async function runSlurm({ entry, resources }: ExecutorJob, ctx: JobContext): Promise<number> {
  // The inputs are not used here: the job computes (and verifies) them on the node, from the store.
  const { inst, key } = entry;
  const cli = ctx.cli ?? { store: ctx.store.location, set: [] };
  const dir = slurmDir(ctx, key);
  const args = sbatchArgs(inst, resources, { output: join(dir, "slurm-%j.out"), chdir: ctx.pipelineDir });
  const script = join(dir, "job.sh");
  writeFileSync(
    script,
    jobScript(
      { pipelineFile: ctx.pipelineFile, instanceId: inst.id, key, store: cli.store, cache: cli.cache, set: cli.set, profile: cli.profile, resultDir: dir },
      args,
    ),
    { mode: 0o755 },
  );
  // A job left running by an engine that was killed: wait for it instead of submitting the stage twice.
  let adopt: string | undefined;
  const prev = lastRecord(dir);
  if (prev) {
    const q = await queryJob(prev.job);
    if (!("error" in q) && isActive(q.state)) adopt = prev.job;
  }
  let failures = 0;
  let lost = 0;
  for (let n = 1; ; n++) {
    if (ctx.signal.aborted) throw new Cancelled("cancelled");
    const before = new Set(ctx.store.attempts.logsOf(key));
    let jobId: string | undefined;
    try {
      if (adopt) {
        jobId = adopt;
        adopt = undefined;
        ctx.emit({ type: "stage-waiting", id: inst.id, reason: `slurm job ${jobId} from an earlier run is still there: waiting for it` });
      } else {
        ctx.digests.save(); // digests hashed while planning: the job's own planning need not hash those files again
        jobId = await submit(args, script);
        appendFileSync(
          join(dir, "jobs.jsonl"),
          JSON.stringify({ job: jobId, attempt: n, submitted: new Date().toISOString(), host: hostname(), pid: process.pid } satisfies JobRecord) + "\n",
        );
        ctx.emit({ type: "stage-waiting", id: inst.id, reason: `submitted as slurm job ${jobId}` });
      }
      return await followJob(entry, jobId, n, dir, before, ctx);
    } catch (e) {
      if (e instanceof Cancelled || ctx.signal.aborted) throw new Cancelled("cancelled");
      const failure = asStageFailure(e);
      const log = ctx.store.attempts
        .logsOf(key)
        .filter((l) => !before.has(l))
        .at(-1);
      if (failure instanceof LostJob && lost < maxResubmits()) {
        lost++;
        ctx.emit({
          type: "stage-failed",
          id: inst.id,
          key,
          error: `${failure.message}; resubmitting (${lost}/${maxResubmits()})`,
          attempt: n,
          retryInMs: 0,
          log,
        });
        continue;
      }
      failures++;
      const retry = shouldRetry(inst.retries, failures, failure);
      const delay = retryDelay(inst.retries, failures);
      ctx.emit({ type: "stage-failed", id: inst.id, key, error: failure.message, attempt: n, retryInMs: retry ? delay : undefined, log });
      if (!retry) throw failure;
      await waitToRetry(delay, ctx.signal);
    }
  }
}

async function submit(args: string[], script: string): Promise<string> {
  const r = await slurmCmd("sbatch", [...args, script]);
  if (r.missing)
    throw new StageFailure("sbatch is not on PATH: run dnaflow with --executor slurm on a Slurm submit host (Debian: apt-get install slurm-client)", true);
  const id = /^(\d+)/.exec(r.stdout.trim())?.[1];
  if (r.code === 0 && id) return id;
  const msg = (r.stderr || r.stdout).trim() || `exit ${r.code}`;
  // slurmctld busy or restarting: worth another try; anything else (bad partition, account, limits) is not.
  if (/contact|timed? ?out|try again|temporarily|busy/i.test(msg)) throw new LostJob(`sbatch failed: ${msg}`);
  throw new StageFailure(`sbatch refused the job: ${msg} (sbatch ${args.join(" ")})`, true);
}

/** Polls the job to its end, then turns what happened into the stage's outcome. */
async function followJob(entry: PlanEntry, jobId: string, n: number, dir: string, before: Set<string>, ctx: JobContext): Promise<number> {
  const { inst, key } = entry;
  const resultFile = join(dir, `result-${jobId}.json`);
  trackJob(jobId);
  let started = false;
  const start = () => {
    if (!started) {
      started = true;
      ctx.emit({ type: "stage-start", id: inst.id, key, attempt: n, reasons: entry.reasons });
    }
  };
  const progressFile = join(dir, `progress-${jobId}.json`);
  let shown: JobProgress | undefined;
  const relayProgress = () => {
    const p = readProgress(progressFile);
    if (!p || (shown && p.done === shown.done && p.total === shown.total)) return;
    start();
    shown = p;
    ctx.emit({ type: "stage-progress", id: inst.id, done: p.done, total: p.total, unit: p.unit });
  };
  let info: JobInfo & { cancelledPublished?: boolean };
  try {
    info = await waitForEnd(jobId, ctx.signal, {
      running: () => (start(), relayProgress()),
      waiting: (reason) => ctx.emit({ type: "stage-waiting", id: inst.id, reason }),
      published: () => ctx.store.isPublished(key),
      args: sbatchArgsOf(dir),
    });
  } catch (e) {
    if (e instanceof Cancelled || ctx.signal.aborted) {
      await cancelJob(jobId);
      untrackJob(jobId);
      collectJobOutput(ctx.store.attempts, key, before, jobId, join(dir, `slurm-${jobId}.out`), "CANCELLED by dnaflow (interrupted)");
      throw new Cancelled("cancelled");
    }
    untrackJob(jobId); // waitForEnd cancelled it (a job that can never start)
    throw e;
  }
  untrackJob(jobId);
  start();
  relayProgress();
  clearResult(progressFile);
  const result = readResult(resultFile);
  const summary =
    describe(info) +
    (info.cancelledPublished ? ` (by dnaflow: still active ${formatDuration(publishedGrace())} after its object was published, its slurmstepd gone)` : "");
  const log = collectJobOutput(ctx.store.attempts, key, before, jobId, join(dir, `slurm-${jobId}.out`), summary);
  clearResult(resultFile);
  if (await ctx.store.isPublished(key)) {
    const m = ctx.store.hasObject(key) ? ctx.store.readManifest(key) : undefined; // a remote store: made local on use
    if (m) rememberOutputDigests(ctx.store, ctx.digests, key, m);
    const seconds = result?.seconds || m?.timings.seconds || 0;
    ctx.emit({ type: "stage-done", id: inst.id, key, seconds, published: result?.outcome === "exists" ? "exists" : "published" });
    return seconds;
  }
  const where = `slurm job ${jobId}: ${summary}; log ${log}`;
  if (result?.outcome === "failed" || result?.outcome === "mismatch") throw new StageFailure(`${result.error} (${where})`, !!result.inputError);
  if (info.state === "TIMEOUT")
    throw new StageFailure(`${where}: reached its time limit ${info.timeLimit ?? ""} (slurm: time:, else the stage's timeout + 5m)`);
  if (info.state === "OUT_OF_MEMORY") throw new StageFailure(`${where}: ran out of memory (raise resources.memory)`);
  if (info.state === "CANCELLED") throw new StageFailure(`${where}: cancelled outside dnaflow (scancel or an administrator); not resubmitted`, true);
  // No result from a job that never restarted: exec-stage could not run there (configuration). After a requeue the same
  // symptom means Slurm's relaunch failed (seen under load): that job is lost, not misconfigured.
  if (info.state === "COMPLETED" || (!result && !info.signal && info.exitCode && !isLost(info.state) && info.restarts === 0)) {
    throw new StageFailure(
      `${where}: dnaflow exec-stage ended without publishing or a result (is the same dnaflow installed on the nodes, and the store shared?)`,
      true,
    );
  }
  throw new LostJob(`${where}: ended without publishing (node failure, preemption or the job was killed)`);
}

interface Watch {
  running(): void;
  waiting(reason: string): void;
  /** The stage's object is in the store (whoever made it). */
  published(): Promise<boolean>;
  /** The sbatch options, to name them when a request can never be satisfied. */
  args: string;
}

/** The sbatch options recorded in the job script's header (for messages). */
function sbatchArgsOf(dir: string): string {
  try {
    return /^# submitted as: sbatch (.*) <this script>$/m.exec(readFileSync(join(dir, "job.sh"), "utf8"))?.[1] ?? "";
  } catch {
    return "";
  }
}

/**
 * Resolves with the job's final state; rejects with Cancelled when `signal` aborts (the caller cancels the job). A job
 * still active long after its object was published is cancelled (`cancelledPublished`); one that can never start
 * (its request exceeds the partition) is cancelled and fails the stage at once with Slurm's reason.
 */
async function waitForEnd(jobId: string, signal: AbortSignal, w: Watch): Promise<JobInfo & { cancelledPublished?: boolean }> {
  let lastWait = "";
  let restarts = 0;
  let failingSince: number | undefined;
  let publishedSince: number | undefined;
  for (;;) {
    if (signal.aborted) throw new Cancelled("cancelled");
    const q = await queryJob(jobId);
    if ("error" in q) {
      failingSince ??= Date.now();
      if (Date.now() - failingSince > QUERY_GRACE_MS) {
        throw new LostJob(`cannot learn the state of slurm job ${jobId} for ${formatDuration(QUERY_GRACE_MS)}: ${q.error}`);
      }
    } else {
      failingSince = undefined;
      if (!isActive(q.state)) return q;
      if (q.restarts > restarts) {
        restarts = q.restarts;
        w.waiting(
          `slurm job ${jobId} was requeued (restart ${restarts}${q.reason && q.reason !== "None" ? `, ${q.reason}` : ""}): waiting for it to run again`,
        );
      }
      if (isHeld(q)) {
        await cancelJob(jobId);
        throw new LostJob(`slurm job ${jobId} is held (${q.state}, ${q.reason}) and would never run: cancelled it`);
      }
      if (q.state === "PENDING" && NEVER_STARTS.test(q.reason ?? "")) {
        await cancelJob(jobId);
        throw new StageFailure(
          `slurm job ${jobId} can never start: pending (${q.reason}): no partition it may use satisfies the request (sbatch ${w.args}); ` +
            `lower the stage's resources or pick a partition that has them (slurm: { partition: … }); cancelled it`,
          true,
        );
      }
      if (q.state !== "PENDING" && (await w.published())) {
        publishedSince ??= Date.now();
        if (Date.now() - publishedSince >= publishedGrace()) {
          await cancelJob(jobId);
          const after = await queryJob(jobId);
          return { ...("error" in after ? q : after), cancelledPublished: true };
        }
      } else publishedSince = undefined;
      if (q.state === "RUNNING") w.running();
      else if (q.state === "PENDING" && q.reason && `${q.reason}/${restarts}` !== lastWait) {
        lastWait = `${q.reason}/${restarts}`;
        if (q.reason !== "None") w.waiting(`slurm job ${jobId} pending (${q.reason})`);
      }
    }
    await sleep(pollMs(), signal);
  }
}

/** scancel, then wait (bounded) until Slurm says the job has ended, so nothing of it runs on after we return. */
async function cancelJob(jobId: string): Promise<void> {
  await scancel(jobId);
  const t0 = Date.now();
  while (Date.now() - t0 < CANCEL_WAIT_MS) {
    const q = await queryJob(jobId);
    if (!("error" in q) && !isActive(q.state)) return;
    await sleep(Math.min(500, pollMs()));
  }
}
