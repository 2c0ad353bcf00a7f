// dnaflow exec-stage FILE --stage ID --key KEY --store DIR: makes one stage instance against the store, by the same
// code as a local run (the local executor: attempt dir, run, manifest, atomic publish). A cluster job runs this; the submitting
// engine passes the key it planned, and a pipeline or input that changed since then is refused (exit 2) rather than
// publishing under a key nobody asked for. Exit 0 published (or already there), 1 failed, 2 mismatch, 130 cancelled.
import { hostname } from "node:os";
import { materializeAndVerify } from "../../../cache/verify.js";
import { writeResult, clearResult, progressFileFor, writeProgress, type ExecResult } from "../../executors/slurm/result.js";
import { Cancelled, StageFailure } from "../../executors/types.js";
import { plainReporter } from "../../reporters/plain.js";
import type { EventSink } from "../../run/events.js";
import { localExecutor } from "../../executors/local.js";
import { stageInputs } from "../../run/stage-inputs.js";
import { BUILTIN_CHILD } from "../builtins.js";
import { load, type CommonOptions } from "../context.js";

export interface ExecStageOptions extends CommonOptions {
  stage: string;
  key: string;
  /** JSON verdict for the submitting engine (removed first, so a requeued job never leaves a stale one). */
  result?: string;
}

export async function execStageCmd(file: string, opts: ExecStageOptions): Promise<number> {
  if (opts.result) {
    clearResult(opts.result);
    clearResult(progressFileFor(opts.result));
  }
  const finish = (code: number, r: Omit<ExecResult, "host">): number => {
    if (opts.result) writeResult(opts.result, { ...r, host: hostname() });
    if (r.error) process.stderr.write(`dnaflow exec-stage: ${r.error}\n`);
    return code;
  };
  const controller = new AbortController();
  const onSignal = (sig: string) => controller.abort(new Cancelled(`terminated by ${sig}`));
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    let loaded;
    try {
      loaded = await load(file, opts);
    } catch (e) {
      return finish(2, { outcome: "mismatch", error: `cannot load ${file} on ${hostname()}: ${(e as Error).message}`, inputError: true });
    }
    const { plan, store, digests } = loaded;
    const entry = plan.byId.get(opts.stage);
    if (!entry) {
      return finish(2, {
        outcome: "mismatch",
        error: `stage '${opts.stage}' is not in ${file} any more: the pipeline changed since the job was submitted`,
        inputError: true,
      });
    }
    if (entry.key !== opts.key) {
      return finish(2, {
        outcome: "mismatch",
        error: `stage '${opts.stage}' plans to key ${entry.key} here, not ${opts.key}: the pipeline, its params or its input files changed since the job was submitted (or this node sees different files or environment)`,
        inputError: true,
      });
    }
    if (await store.isPublished(entry.key)) {
      process.stdout.write(`dnaflow exec-stage: ${opts.stage} ${entry.key} is already published\n`);
      return finish(0, { outcome: "exists", seconds: 0 });
    }
    let inputs;
    try {
      inputs = await stageInputs(entry, plan, store, async (up, output) => {
        if (!(await store.isPublished(up.key))) {
          throw new StageFailure(
            `upstream ${up.inst.id} (${up.key}) is not in the store ${store.location} on ${hostname()}: is the store on a filesystem the nodes share?`,
          );
        }
        const problems = await materializeAndVerify(store, up.key, digests, output);
        if (problems.length) throw new StageFailure(`upstream ${up.inst.id} (${up.key}) does not match its manifest on ${hostname()}: ${problems[0]}`);
      });
    } catch (e) {
      return finish(1, { outcome: "failed", error: (e as Error).message });
    }
    const plain = plainReporter(process.stdout);
    let published: "published" | "exists" = "published";
    let progressAt = 0;
    const emit: EventSink = (e) => {
      if (e.type === "stage-done") published = e.published;
      // The submitting engine polls this file and shows the stage's progress (at most twice a second, and the end).
      if (e.type === "stage-progress" && opts.result && (Date.now() - progressAt >= 500 || e.done === e.total)) {
        progressAt = Date.now();
        writeProgress(progressFileFor(opts.result), { done: e.done, total: e.total, unit: e.unit });
      }
      plain(e);
    };
    const ctx = {
      store,
      digests,
      pipelineName: plan.pipeline.name,
      pipelineDir: plan.pipeline.dir,
      pipelineFile: plan.pipeline.file,
      signal: controller.signal,
      emit,
      builtinChild: BUILTIN_CHILD,
    };
    // One attempt per job: retries (with their backoff) are separate jobs, so a retry need not hold an allocation
    // and may land on another node.
    const single = { ...entry, inst: { ...entry.inst, retries: { max: 0, backoffMs: 0 } } };
    try {
      const seconds = await localExecutor.run({ entry: single, inputs, resources: entry.inst.resources }, ctx);
      return finish(0, { outcome: published, seconds });
    } catch (e) {
      if (e instanceof Cancelled || controller.signal.aborted)
        return finish(130, { outcome: "cancelled", error: String((controller.signal.reason as Error)?.message ?? "cancelled") });
      const f = e as StageFailure;
      return finish(1, { outcome: "failed", error: f.message ?? String(e), inputError: !!f.inputError });
    }
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}
