// The local executor: each attempt runs here (a builtin in a child Node process, a run: stage as a command) with a
// timeout; its outputs are checked, the manifest written and the object published. `dnaflow exec-stage` runs one
// attempt of it on a Slurm node, so a stage is made by the same code wherever it runs.
import { appendFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Manifest } from "../../cache/manifest.js";
import type { Attempt, AttemptStore } from "../../cache/store.js";
import { longTimeoutSignal } from "../../lib/os/long-timeout.js";
import { sleep } from "../../lib/os/sleep.js";
import { runBuiltin } from "./builtin.js";
import { runCommand } from "./command.js";
import { Cancelled, StageFailure, type JobContext } from "./types.js";
import type { Executor, ExecutorJob } from "./executor.js";
import type { OutputDigest } from "./protocol.js";
import { inputFileDigests, manifestFiles } from "./manifest-files.js";
import { asStageFailure, retryDelay, shouldRetry, waitToRetry } from "./retry.js";
import { rememberOutputDigests } from "./output-digests.js";
import { isSameProcessAlive, killGroup, processStartTime } from "./process-group.js";
import { takeGroupUsage } from "./resource-sampler.js";
import type { StageUsage } from "../../core/usage.js";
import type { PlanEntry } from "../plan/plan.js";
import { formatDuration } from "../spec/units.js";
import { WARNINGS_META, type Resources } from "../stage.js";
import type { InputItem } from "../../core/input-item.js";
import type { JsonValue } from "../../core/json.js";

export const localExecutor: Executor = { name: "local", localResources: true, run: runLocal };

/** Runs the entry until it is published or out of retries. Resolves with the seconds the successful attempt took. */
async function runLocal({ entry, inputs, resources }: ExecutorJob, ctx: JobContext): Promise<number> {
  const { inst } = entry;
  for (let n = 1; ; n++) {
    if (ctx.signal.aborted) throw new Cancelled("cancelled");
    try {
      return await runAttempt(entry, inputs, resources, n, ctx);
    } catch (e) {
      if (ctx.signal.aborted) throw new Cancelled("cancelled");
      const failure = asStageFailure(e);
      const retry = shouldRetry(inst.retries, n, failure);
      const delay = retryDelay(inst.retries, n);
      ctx.emit({
        type: "stage-failed",
        id: inst.id,
        key: entry.key,
        error: failure.message,
        attempt: n,
        retryInMs: retry ? delay : undefined,
        log: lastLog(ctx.store.attempts, entry.key),
      });
      if (!retry) throw failure;
      await waitToRetry(delay, ctx.signal);
    }
  }
}

function lastLog(attempts: AttemptStore, key: string): string | undefined {
  return attempts.logsOf(key).at(-1);
}

/** Stops attempts of this key left by a killed engine on this host; waits while a live engine holds one. */
async function clearStaleAttempts(entry: PlanEntry, ctx: JobContext): Promise<void> {
  const host = hostname();
  for (;;) {
    let waiting = false;
    for (const a of ctx.store.attempts.of(entry.key)) {
      if (a.owner && a.owner.host !== host) continue; // another machine's attempt: its lease decides (not local state)
      if (a.owner && a.owner.pid !== process.pid && isSameProcessAlive(a.owner.pid, a.owner.pidStart)) {
        waiting = true;
        continue;
      }
      if (a.owner?.childPgid) killGroup(a.owner.childPgid, "SIGKILL");
      await ctx.store.attempts.removeDir(a.dir);
    }
    if (!waiting || ctx.store.hasObject(entry.key)) return;
    ctx.emit({ type: "stage-waiting", id: entry.inst.id, reason: "another dnaflow process on this host is running it" });
    await sleep(500, ctx.signal);
    if (ctx.signal.aborted) throw new Cancelled("cancelled");
  }
}

async function runAttempt(entry: PlanEntry, inputs: Record<string, InputItem[]>, resources: Resources, n: number, ctx: JobContext): Promise<number> {
  const { inst, key } = entry;
  await clearStaleAttempts(entry, ctx);
  if (ctx.store.hasObject(key)) return 0; // published meanwhile by another runner
  const owner = { host: hostname(), pid: process.pid, pidStart: processStartTime(process.pid), instance: inst.id, started: new Date().toISOString() };
  const attempt = await ctx.store.attempts.begin(key, owner);
  const started = new Date();
  appendFileSync(attempt.logFile, `# dnaflow: ${inst.id} key ${key} attempt ${n} (${attempt.id}) on ${owner.host} at ${started.toISOString()}\n`);
  ctx.emit({ type: "stage-start", id: inst.id, key, attempt: n, reasons: entry.reasons });
  const timeout = inst.timeoutMs ? longTimeoutSignal(inst.timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([ctx.signal, timeout]) : ctx.signal;
  const meta: Record<string, JsonValue> = {};
  const written = new Map<string, OutputDigest>();
  let pgid: number | undefined; // the stage's process group: its resource usage goes into the manifest
  try {
    const req = {
      inst,
      key,
      attempt,
      inputs,
      checkpointDir: ctx.store.checkpointDir(key),
      resources,
      pipelineDir: ctx.pipelineDir,
      builtinChild: ctx.builtinChild,
      signal,
      onProgress: (done: number, total?: number, unit?: string, metrics?: Record<string, number | string | null>) =>
        ctx.emit({ type: "stage-progress", id: inst.id, done, total, unit, ...(metrics ? { metrics } : {}) }),
      onMeta: (m: Record<string, JsonValue>) => {
        Object.assign(meta, m);
        const w = m[WARNINGS_META]; // a stage's warnings reach the terminal as warning events, besides the manifest
        if (Array.isArray(w)) for (const message of w) ctx.emit({ type: "warning", message: `${inst.id}: ${String(message)}` });
      },
      onDigests: (files: OutputDigest[]) => files.forEach((f) => written.set(f.path, f)),
      onSpawn: (g: number) => ((pgid = g), ctx.store.attempts.updateOwner(attempt, { ...owner, childPgid: g })),
    };
    try {
      await (inst.def ? runBuiltin(req) : runCommand(req));
    } catch (e) {
      if (timeout?.aborted && !ctx.signal.aborted) throw new StageFailure(`timed out after ${formatDuration(inst.timeoutMs!)}`);
      throw e;
    }
    const usage = takeGroupUsage(pgid);
    const files = () => manifestFiles(attempt.outDir, written, inputFileDigests(inputs, ctx.digests));
    const manifest = await buildManifest(entry, attempt, meta, files, started, ctx.pipelineName, usage);
    const result = await ctx.store.publish(attempt, manifest);
    rememberOutputDigests(ctx.store, ctx.digests, key, manifest);
    const seconds = manifest.timings.seconds;
    appendFileSync(attempt.logFile, `# dnaflow: ${result} after ${seconds.toFixed(2)}s\n`);
    ctx.emit({ type: "stage-done", id: inst.id, key, seconds, published: result });
    return seconds;
  } catch (e) {
    takeGroupUsage(pgid);
    appendFileSync(attempt.logFile, `# dnaflow: attempt failed: ${(e as Error)?.message ?? e}\n`);
    await ctx.store.attempts.discard(attempt);
    throw e;
  }
}

async function buildManifest(
  entry: PlanEntry,
  attempt: Attempt,
  meta: Record<string, JsonValue>,
  listFiles: () => Promise<Manifest["files"]>,
  started: Date,
  pipeline: string,
  usage?: StageUsage,
): Promise<Manifest> {
  const outputs: Manifest["outputs"] = {};
  for (const name of entry.inst.outputs) {
    const p = join(attempt.outDir, name);
    if (!existsSync(p)) throw new StageFailure(`stage did not write its output '${name}' (expected a file or directory at ${p})`);
    outputs[name] = statSync(p).isDirectory() ? "dir" : "file";
  }
  const extra = readdirSync(attempt.outDir).filter((n) => !(n in outputs));
  if (extra.length) throw new StageFailure(`stage wrote undeclared outputs: ${extra.join(", ")} (declare them in outputs:)`);
  const files = await listFiles();
  const finished = new Date();
  return {
    format: entry.components.format,
    key: entry.key,
    instance: entry.inst.id,
    pipeline,
    components: entry.components,
    outputs,
    files,
    meta,
    timings: { started: started.toISOString(), finished: finished.toISOString(), seconds: (finished.getTime() - started.getTime()) / 1000 },
    host: hostname(),
    attempt: attempt.id,
    ...(usage ? { resources: usage } : {}),
  };
}
