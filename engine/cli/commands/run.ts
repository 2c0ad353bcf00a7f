// dnaflow run FILE [STAGE...]: make the pipeline (or the named stages and their upstream).
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FsStore } from "../../../cache/fs-store.js";
import { LayeredStore } from "../../../cache/layered-store.js";
import type { RunRecord } from "../../../cache/runs.js";
import type { ObjectStore, Store } from "../../../cache/store.js";
import { FatalError, SpecError } from "../../../core/errors.js";
import { killAllGroups } from "../../executors/process-group.js";
import { jsonReporter } from "../../reporters/json.js";
import { plainReporter } from "../../reporters/plain.js";
import { ttyReporter } from "../../reporters/tty.js";
import type { EventSink } from "../../run/events.js";
import { Cancelled } from "../../executors/types.js";
import { detectResources } from "../../run/resources.js";
import { runPlan } from "../../run/scheduler.js";
import type { ExecutorName } from "../../spec/types.js";
import { didYouMean } from "../../../core/suggest.js";
import { BUILTIN_CHILD } from "../builtins.js";
import { load, type CommonOptions } from "../context.js";

export interface RunCliOptions extends CommonOptions {
  jobs?: number;
  keepGoing?: boolean;
  json?: boolean;
  python?: string;
  executor?: ExecutorName;
}

export async function runCmd(file: string, targets: string[], opts: RunCliOptions): Promise<number> {
  // Stages inherit the environment: the worker launcher reads DNAFLOW_PYTHON.
  if (opts.python) process.env.DNAFLOW_PYTHON = opts.python;
  const loaded = await load(file, opts);
  const ids = [...new Set(loaded.plan.entries.flatMap((e) => [e.inst.id, e.inst.stageId]))];
  const unknown = targets.filter((t) => !ids.includes(t));
  if (unknown.length) throw new SpecError(unknown.map((t) => ({ message: `unknown stage '${t}'${didYouMean(t, ids)}` })));

  const emit: EventSink = opts.json ? jsonReporter() : process.stderr.isTTY ? ttyReporter() : plainReporter();
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    emit({ type: "interrupt", force: interrupts > 1 });
    if (interrupts === 1) controller.abort(new Cancelled("interrupted"));
    else {
      // Second Ctrl-C: no grace period. Attempt directories stay behind, invisible, and are cleared on the next run.
      killAllGroups();
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const readOnly = readOnlyReason(loaded.store);
  if (readOnly) {
    // Nothing can be written (no run record, no attempt): fine when everything is cached, else say so before starting.
    const toRun = loaded.plan.entries.filter((e) => e.action === "run").map((e) => e.inst.id);
    if (toRun.length) {
      const names = toRun.slice(0, 5).join(", ") + (toRun.length > 5 ? `, … (${toRun.length} in all)` : "");
      throw new FatalError(`store ${loaded.store.location} is read-only (${readOnly}): ${names} would have to run there; nothing was run`);
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    const n = loaded.plan.entries.length;
    emit({ type: "plan", pipeline: loaded.pipeline.name, store: loaded.store.location, total: n, cached: n, toRun: 0, runId: "" });
    for (const e of loaded.plan.entries) emit({ type: "stage-cached", id: e.inst.id, key: e.key });
    emit({
      type: "warning",
      message: `store ${loaded.store.location} is read-only (${readOnly}): everything is cached, so nothing runs; this run is not recorded`,
    });
    emit({ type: "run-done", outcome: "ok", seconds: 0, ran: 0, cached: n, failed: 0, skipped: 0 });
    return 0;
  }
  const capacity = detectResources();
  const record = await runPlan(loaded.plan, {
    store: loaded.store,
    digests: loaded.digests,
    capacity,
    jobs: opts.jobs ?? capacity.cpus,
    keepGoing: !!opts.keepGoing,
    targets,
    signal: controller.signal,
    emit,
    file,
    set: opts.set,
    executor: opts.executor,
    builtinChild: BUILTIN_CHILD,
    cli: { store: loaded.store.location, cache: opts.cache, set: opts.set ?? [], profile: opts.profile },
  });
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (!opts.json)
    showResults(
      loaded.store,
      record,
      loaded.plan.entries.filter((e) => e.inst.def?.showsResults).map((e) => e.inst.id),
    );
  return record.outcome === "ok" ? 0 : record.outcome === "interrupted" ? 130 : 1;
}

/** Why runs cannot be recorded in this store (EROFS, EACCES), or undefined when it is writable. */
function readOnlyReason(store: Store): string | undefined {
  const local = store instanceof FsStore ? store : store instanceof LayeredStore ? store.local : undefined;
  if (!local) return undefined;
  try {
    accessSync(local.layout.runs(), constants.W_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? "not writable";
  }
}

/**
 * Prints what finished stages that declare `showsResults` ask to be shown (manifest meta `show`: a file inside an output,
 * e.g. a report's table; `link`: a file to open, e.g. report.html) — for stages that ran and for cached ones alike.
 */
function showResults(store: ObjectStore, record: RunRecord, ids: string[]): void {
  for (const id of ids) {
    const st = record.stages[id];
    if (st.status !== "ran" && st.status !== "cached") continue;
    const meta = store.readManifest(st.key)?.meta ?? {};
    const at = (rel: unknown) => {
      if (typeof rel !== "string" || rel.includes("..")) return undefined;
      const [output, ...rest] = rel.split("/");
      const p = join(store.outputPath(st.key, output), ...rest);
      return existsSync(p) ? p : undefined;
    };
    const show = at(meta.show);
    const link = at(meta.link);
    if (show) process.stdout.write(`\n${id}:\n${readFileSync(show, "utf8")}`);
    if (link) process.stdout.write(`${show ? "" : `\n${id}: `}${link}\n`);
  }
}
