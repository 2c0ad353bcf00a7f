// What a stage asks of Slurm: the sbatch arguments (from its resources, timeout and slurm: options) and the job
// script, which runs the stage through `dnaflow exec-stage` (the local executor's code, as in a local run).
import { fileURLToPath } from "node:url";
import type { StageInstance } from "../../dag/types.js";
import type { Resources } from "../../stage.js";

/** Added to the stage's timeout when no `slurm.time` is given: the job also loads and plans the pipeline. */
export const TIME_MARGIN_MS = 5 * 60_000;

/** Slurm time limit text, [D-]HH:MM:SS, rounded up to whole minutes (Slurm's own granularity). */
export function slurmTime(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hms = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`;
  return d ? `${d}-${hms}` : hms;
}

/** Memory for --mem, in whole MiB (rounded up). */
export function slurmMem(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}M`;
}

export interface SbatchPaths {
  /** Job stdout+stderr; `%j` is the job id. */
  output: string;
  /** Working directory of the job (the pipeline's directory). */
  chdir: string;
}

/** sbatch options for one attempt of a stage instance, in a fixed order; `extraArgs` come last so they win. */
export function sbatchArgs(inst: StageInstance, resources: Resources, paths: SbatchPaths): string[] {
  const s = inst.spec.slurm ?? {};
  const args = ["--parsable", `--job-name=dnaflow:${inst.id}`, "--nodes=1", "--ntasks=1", `--cpus-per-task=${Math.max(1, Math.ceil(resources.cpus))}`];
  if (resources.memory > 0) args.push(`--mem=${slurmMem(resources.memory)}`);
  if (resources.gpus > 0) args.push(`--gres=gpu:${resources.gpus}`);
  const time = s.timeMs ?? (inst.timeoutMs ? inst.timeoutMs + TIME_MARGIN_MS : undefined);
  if (time) args.push(`--time=${slurmTime(time)}`);
  if (s.partition) args.push(`--partition=${s.partition}`);
  if (s.account) args.push(`--account=${s.account}`);
  if (s.qos) args.push(`--qos=${s.qos}`);
  args.push(
    `--chdir=${paths.chdir}`,
    `--output=${paths.output}`,
    "--open-mode=append", // a requeued job appends to its output instead of truncating it
    "--requeue", // Slurm may requeue it after a node failure or preemption (same job id)
    "--export=ALL", // the submitting environment: DNAFLOW_PYTHON, passEnv: variables (part of the key)
  );
  args.push(...(s.extraArgs ?? []).map(String));
  return args;
}

/** Single-quoted for /bin/sh: any byte is safe inside '...' except ' itself. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ExecStageCall {
  pipelineFile: string;
  instanceId: string;
  key: string;
  store: string;
  /** Local cache directory of a remote (s3://) store, when one was given. */
  cache?: string;
  set: string[];
  profile?: string;
  /** Directory of the per-job result files (result-<jobid>.json). */
  resultDir: string;
}

/** The command that starts dnaflow on a node: $DNAFLOW_SLURM_DNAFLOW (a `dnaflow` executable), else this node + CLI. */
export function dnaflowCommand(env = process.env): string[] {
  if (env.DNAFLOW_SLURM_DNAFLOW) return [env.DNAFLOW_SLURM_DNAFLOW];
  return [process.execPath, fileURLToPath(new URL("../../cli/main.js", import.meta.url))];
}

/** The batch script: no #SBATCH lines (the options are on sbatch's command line, see the header), one exec. */
export function jobScript(call: ExecStageCall, sbatch: string[], command = dnaflowCommand()): string {
  const argv = [
    ...command,
    "exec-stage",
    call.pipelineFile,
    "--stage",
    call.instanceId,
    "--key",
    call.key,
    "--store",
    call.store,
    ...(call.cache ? ["--cache", call.cache] : []),
    ...call.set.flatMap((s) => ["--set", s]),
    ...(call.profile ? ["--profile", call.profile] : []),
  ].map(shQuote);
  return [
    "#!/bin/sh",
    `# dnaflow: ${call.instanceId.replace(/\n/g, " ")} key ${call.key}`,
    `# submitted as: sbatch ${sbatch.map(shQuote).join(" ")} <this script>`,
    'echo "# dnaflow: slurm job $SLURM_JOB_ID on $(hostname) (restart ${SLURM_RESTART_COUNT:-0}) at $(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    `exec ${argv.join(" ")} --result ${shQuote(call.resultDir)}/"result-$SLURM_JOB_ID.json"`,
    "",
  ].join("\n");
}
