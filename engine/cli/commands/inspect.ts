// dnaflow status / show / log: what the store knows about a pipeline's stages.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { RUN_HEARTBEAT_MS, type RunRecord } from "../../../cache/runs.js";
import { isSameProcessAlive } from "../../executors/process-group.js";
import { SpecError } from "../../../core/errors.js";
import type { PlanEntry } from "../../plan/plan.js";
import { formatDuration } from "../../spec/units.js";
import { didYouMean } from "../../../core/suggest.js";
import { fileAndStage, load, type CommonOptions, type Loaded } from "../context.js";

function entryFor(loaded: Loaded, stage: string): PlanEntry {
  const matches = loaded.plan.entries.filter((e) => e.inst.id === stage || e.inst.stageId === stage);
  if (!matches.length) {
    throw new SpecError([
      {
        message: `unknown stage '${stage}'${didYouMean(
          stage,
          loaded.plan.entries.map((e) => e.inst.id),
        )}`,
      },
    ]);
  }
  if (matches.length > 1)
    throw new SpecError([{ message: `'${stage}' has ${matches.length} matrix instances; name one: ${matches.map((m) => m.inst.id).join(", ")}` }]);
  return matches[0];
}

export async function statusCmd(file: string, opts: CommonOptions): Promise<number> {
  const loaded = await load(file, opts);
  const last = loaded.store.runs.recent(loaded.pipeline.name, 1)[0];
  const out = [
    last ? `last run ${last.id}: ${runState(last)}, started ${last.started}${last.finished ? `, finished ${last.finished}` : ""}` : "no recorded run",
  ];
  const width = Math.min(48, Math.max(...loaded.plan.entries.map((e) => e.inst.id.length)));
  for (const e of loaded.plan.entries) {
    const rec = last?.stages[e.inst.id];
    const m = e.action === "cached" ? loaded.store.readManifest(e.key) : undefined;
    const state = e.action === "cached" ? "done" : rec?.key === e.key && rec.status === "failed" ? "failed" : "pending";
    const detail = m ? `${formatDuration(m.timings.seconds * 1000)} on ${m.host}, ${m.timings.finished}` : (rec?.error?.split("\n")[0] ?? e.reasons[0] ?? "");
    out.push(`  ${state.padEnd(7)}  ${e.inst.id.padEnd(width)}  ${e.key.slice(0, 10)}  ${detail}`);
  }
  process.stdout.write(out.join("\n") + "\n");
  return 0;
}

/** How long another host's run may go without a heartbeat before `status` calls it gone (several missed beats). */
const SILENT_MS = 5 * RUN_HEARTBEAT_MS;

/**
 * A recorded outcome, except that "running" is checked: on this host by its pid (and start time, as the lease code
 * judges same-host owners); from another host by the age of its heartbeat, which compares clocks, so it is worded as
 * an estimate.
 */
export function runState(r: RunRecord, now = Date.now()): string {
  if (r.outcome !== "running") return r.error ? `${r.outcome} (${r.error})` : r.outcome;
  if (r.host === hostname()) {
    if (r.pid === undefined) return "running (recorded by an older dnaflow: not verifiable)";
    return isSameProcessAlive(r.pid, r.pidStart) ? `running (pid ${r.pid})` : `stopped (engine gone: pid ${r.pid} is not running)`;
  }
  const beat = r.heartbeat ? Date.parse(r.heartbeat) : NaN;
  if (Number.isNaN(beat)) return `running on ${r.host} (not verifiable here)`;
  const age = now - beat;
  if (age > SILENT_MS) return `stopped? (engine gone: no heartbeat from ${r.host} for ${formatDuration(age)})`;
  return `running on ${r.host} (heartbeat ${formatDuration(Math.max(0, age))} ago)`;
}

export async function showCmd(a: string, b: string | undefined, opts: CommonOptions): Promise<number> {
  const { file, stage } = fileAndStage(a, b);
  const loaded = await load(file, opts);
  const e = entryFor(loaded, stage);
  const m = loaded.store.readManifest(e.key);
  const inputs = Object.fromEntries(
    Object.entries(e.inst.inputs).map(([k, list]) => [k, list.map((x) => (x.kind === "file" ? x.shown : `${x.from.id}.outputs.${x.output}`))]),
  );
  const outputs = Object.fromEntries(e.inst.outputs.map((o) => [o, m ? loaded.store.outputPath(e.key, o) : "(not made yet)"]));
  const view = {
    stage: e.inst.id,
    key: e.key,
    state: e.action === "cached" ? "done" : "to run",
    ...(e.reasons.length ? { why: e.reasons } : {}),
    uses: e.inst.def ? `${e.inst.def.name}@${e.inst.def.version}` : undefined,
    run: e.inst.run?.argv ?? e.inst.run?.command,
    params: e.inst.params,
    inputs,
    outputs,
    resources: e.inst.resources,
    components: e.components,
    ...(m
      ? {
          timings: m.timings,
          host: m.host,
          files: m.files.length,
          bytes: m.files.reduce((s, f) => s + f.size, 0),
          meta: m.meta,
          ...(m.resources ? { resources: m.resources } : {}),
        }
      : {}),
    ...tensorboardView(loaded.store.tensorboardDir(e.key)),
  };
  process.stdout.write(JSON.stringify(view, null, 2) + "\n");
  return 0;
}

export async function logCmd(a: string, b: string | undefined, opts: CommonOptions & { all?: boolean }): Promise<number> {
  const { file, stage } = fileAndStage(a, b);
  const loaded = await load(file, opts);
  const e = entryFor(loaded, stage);
  let logs = loaded.store.attempts.logsOf(e.key);
  if (!logs.length) {
    // The current key has not run yet: show the last attempt of the key it had in the previous run.
    const prev = loaded.store.runs.recent(loaded.pipeline.name, 1)[0]?.stages[e.inst.id];
    if (prev) logs = loaded.store.attempts.logsOf(prev.key);
  }
  if (!logs.length) {
    process.stderr.write(`no log for ${e.inst.id} (key ${e.key.slice(0, 10)}): it has not run in this store\n`);
    return 1;
  }
  for (const l of opts.all ? logs : logs.slice(-1)) process.stdout.write(`==> ${l} <==\n${readFileSync(l, "utf8")}`);
  return 0;
}

/** Training curves of a stage that logs them (model/pretrain, model/finetune): the command that shows them. */
function tensorboardView(dir: string | undefined): { tensorboard?: string } {
  return dir ? { tensorboard: `tensorboard --logdir ${/^[\w./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, "'\\''")}'`}` } : {};
}
