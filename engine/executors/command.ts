// Runs a `run:` stage: argv executed directly (no shell), or a user-written shell string with shell: true.
// Params, inputs and outputs reach the command as argv placeholders, environment variables and JSON files, so no
// value is ever spliced into shell text.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exprsIn, wholeExpr } from "../spec/expressions.js";
import { refuseEscapingLinks } from "./output-links.js";
import { spawnInGroup } from "./process-group.js";
import { StageFailure, type ExecRequest } from "./types.js";

const envName = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();

/** Flattens params to DNAFLOW_PARAM_A_B=value (lists/mappings as JSON). */
function paramEnv(params: Record<string, unknown>, prefix = "DNAFLOW_PARAM_"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const name = prefix + envName(k);
    if (v && typeof v === "object" && !Array.isArray(v)) Object.assign(out, paramEnv(v as Record<string, unknown>, `${name}_`));
    else out[name] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

export async function runCommand(req: ExecRequest): Promise<void> {
  const { inst, attempt } = req;
  const outputs = Object.fromEntries(inst.outputs.map((o) => [o, join(attempt.outDir, o)]));
  const inputPaths = Object.fromEntries(Object.entries(req.inputs).map(([k, items]) => [k, items.map((i) => i.path)]));
  const paramsFile = join(attempt.workDir, "params.json");
  const inputsFile = join(attempt.workDir, "inputs.json");
  writeFileSync(paramsFile, JSON.stringify(inst.params, null, 2));
  writeFileSync(inputsFile, JSON.stringify(inputPaths, null, 2));

  const runtime = (path: string[]): string[] => {
    const [head, name] = path;
    if (head === "inputs") return inputPaths[name] ?? [];
    if (head === "outputs") return [outputs[name]];
    if (head === "checkpoint") return [req.checkpointDir];
    if (head === "workdir") return [attempt.workDir];
    throw new StageFailure(`unresolved placeholder \${{ ${path.join(".")} }}`);
  };
  let argv: string[];
  if (inst.run!.argv) {
    // A word that is exactly one placeholder expands to as many words as it has paths (fan-in inputs).
    argv = inst.run!.argv.flatMap((w) => {
      const whole = wholeExpr(w);
      if (whole) return runtime(whole.path);
      let s = w;
      for (const x of exprsIn(w))
        s = s.replace(new RegExp(`\\$\\{\\{\\s*${x.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*\\}\\}`), runtime(x.path).join(" "));
      return [s];
    });
  } else {
    argv = ["/bin/sh", "-c", inst.run!.command!];
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...inst.env,
    ...paramEnv(inst.params),
    DNAFLOW_STAGE: inst.id,
    DNAFLOW_KEY: req.key,
    DNAFLOW_PARAMS: paramsFile,
    DNAFLOW_INPUTS: inputsFile,
    DNAFLOW_CHECKPOINT_DIR: req.checkpointDir,
    DNAFLOW_WORK_DIR: attempt.workDir,
    DNAFLOW_CPUS: String(req.resources.cpus),
    ...Object.fromEntries(Object.entries(inputPaths).map(([k, v]) => [`DNAFLOW_INPUT_${envName(k)}`, v.join(":")])),
    ...Object.fromEntries(Object.entries(outputs).map(([k, v]) => [`DNAFLOW_OUTPUT_${envName(k)}`, v])),
  };
  const child = spawnInGroup(argv, { cwd: req.pipelineDir, env, logFile: attempt.logFile, signal: req.signal });
  req.onSpawn(child.pid);
  const r = await child.done;
  if (req.signal.aborted) throw req.signal.reason;
  if (r.signal) throw new StageFailure(`command killed by ${r.signal}`);
  if (r.exitCode !== 0) throw new StageFailure(`command exited with status ${r.exitCode}`);
  await refuseEscapingLinks(attempt.outDir);
}
