// Runs the Python worker from inside a builtin stage: `python -m worker <command> --config <json>`, JSON-lines events
// on stdout in the stage protocol (schema/protocol.schema.json: progress, log, error, done, and the worker's start,
// checkpoint, eval); stderr (tracebacks, library warnings) goes to the stage log as it is.
import { execa } from "execa";
import { appendFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { StageInputError } from "../../core/errors.js";
import type { StageContext } from "../stage.js";
import { INSTALLING, WORKER_DIR, workerPython } from "./interpreter.js";

export interface WorkerEvent {
  event: string;
  [k: string]: unknown;
}

export interface WorkerRun {
  /** Every event the worker emitted, in order, except `progress` (one per step: too many to hold for long runs) and `log`. */
  events: WorkerEvent[];
}

/**
 * Spawns the worker and relays its events: `progress` → ctx.progress(done, total, unit, metrics), `log` → ctx.log (the
 * stage log), every event → `eventsFile`
 * (JSON lines) when given. An `error` event fails the stage with the worker's message (as bad input when the worker
 * marks it so). SIGTERM on cancel lets the worker write a last checkpoint. With
 * `processes` > 1 the worker runs under torchrun (DDP, one process per GPU).
 */
export async function runWorker<P>(
  ctx: StageContext<P>,
  command: string,
  config: Record<string, unknown>,
  opts: { eventsFile?: string; extraArgs?: string[]; processes?: number } = {},
): Promise<WorkerRun> {
  const toLog = (l: string) => process.stderr.write(l + "\n"); // this process's stderr is the stage log
  // A first run installs the worker's packages (once per machine; other stages wait for it): its own progress line.
  const python = await workerPython({ log: toLog, onInstalling: () => ctx.progress(0, undefined, INSTALLING) });
  const configFile = join(ctx.workDir, `${command}-config.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // Several processes (one per GPU, DDP): torchrun starts them; only rank 0 prints events.
  const launcher = (opts.processes ?? 1) > 1 ? ["-m", "torch.distributed.run", "--standalone", `--nproc-per-node=${opts.processes}`] : [];
  const child = execa(python, [...launcher, "-m", "worker", command, "--config", configFile, ...(opts.extraArgs ?? [])], {
    cwd: ctx.workDir,
    env: { ...process.env, PYTHONPATH: [dirname(WORKER_DIR), process.env.PYTHONPATH].filter(Boolean).join(":"), PYTHONUNBUFFERED: "1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
    reject: false,
    cancelSignal: ctx.signal,
    forceKillAfterDelay: 30_000,
    killSignal: "SIGTERM",
  });
  const events: WorkerEvent[] = [];
  let error: WorkerEvent | undefined;
  for await (const line of createInterface({ input: child.stdout! })) {
    let e: WorkerEvent;
    try {
      e = JSON.parse(line);
    } catch {
      toLog(line);
      continue;
    }
    if (opts.eventsFile) appendFileSync(opts.eventsFile, line + "\n");
    if (e.event === "progress") {
      if (typeof e.done === "number") ctx.progress(e.done, e.total as number | undefined, e.unit as string | undefined, watchedMetrics(e.metrics));
      continue;
    }
    if (e.event === "log") {
      ctx.log(String(e.message));
      continue;
    }
    events.push(e);
    if (e.event === "error") error = e;
  }
  const r = await child;
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (error) {
    const msg = `worker ${command}: ${error.message}`;
    throw error.inputError ? new StageInputError(msg) : new Error(msg);
  }
  if (r.exitCode !== 0) throw new Error(`worker ${command} exited with ${r.signal ?? r.exitCode} (see the stage log)`);
  return { events };
}

/** The metrics of a worker `progress` event that `dnaflow watch` shows (scalars only; the rest stays in the events file). */
export function watchedMetrics(metrics: unknown): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  const m = (metrics ?? {}) as Record<string, unknown>;
  for (const k of ["loss", "lr", "gradNorm", "tokensPerS", "stepS", "maskRatio", "phase", "epoch"]) {
    const v = m[k];
    if (typeof v === "number" || typeof v === "string" || v === null) out[k] = v;
  }
  return out;
}
