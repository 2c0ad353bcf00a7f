// Runs a builtin stage in a child Node process (req.builtinChild, see builtin-child.ts) and relays its events.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BuiltinJob } from "./builtin-job.js";
import { spawnInGroup } from "./process-group.js";
import { lineageOf } from "./lineage.js";
import { readEvents } from "./protocol.js";
import { StageFailure, type ExecRequest } from "./types.js";

export async function runBuiltin(req: ExecRequest): Promise<void> {
  const def = req.inst.def!;
  const job: BuiltinJob = {
    stage: def.name,
    version: def.version,
    params: req.inst.params,
    inputs: req.inputs,
    outDir: req.attempt.outDir,
    workDir: req.attempt.workDir,
    checkpointDir: req.checkpointDir,
    resources: req.resources,
    lineage: lineageOf(req.inst),
  };
  const jobFile = join(req.attempt.workDir, "job.json");
  writeFileSync(jobFile, JSON.stringify(job));
  const child = spawnInGroup([process.execPath, req.builtinChild, jobFile], {
    cwd: req.pipelineDir, // relative paths in params resolve against the pipeline file, as for run: stages
    env: { ...process.env, DNAFLOW_STAGE: req.inst.id, DNAFLOW_KEY: req.key },
    logFile: req.attempt.logFile,
    signal: req.signal,
    eventsPipe: true,
  });
  req.onSpawn(child.pid);
  let error: { message: string; inputError?: boolean } | undefined;
  const relay = readEvents(child.events!, (e) => {
    if (e.event === "log") appendFileSync(req.attempt.logFile, e.message.endsWith("\n") ? e.message : e.message + "\n");
    else if (e.event === "progress") req.onProgress(e.done, e.total, e.unit, e.metrics as Record<string, number | string | null> | undefined);
    else if (e.event === "meta") req.onMeta(e.meta);
    else if (e.event === "error") error = e;
    else if (e.event === "usage") child.leaderUsage(e.usage);
    else if (e.event === "digests") req.onDigests(e.files);
  });
  const [r] = await Promise.all([child.done, relay]);
  if (req.signal.aborted) throw req.signal.reason;
  if (error) throw new StageFailure(error.message, error.inputError);
  if (r.exitCode !== 0) throw new StageFailure(r.signal ? `stage process killed by ${r.signal}` : `stage process exited with ${r.exitCode}`);
}
