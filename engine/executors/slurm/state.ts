// A job's state from `scontrol show job -o` (while slurmctld remembers it, MinJobAge), else from sacct (when
// accounting is enabled).
import { slurmCmd } from "./cli.js";

export interface JobInfo {
  id: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, ... ("UNKNOWN" if nobody knows). */
  state: string;
  reason?: string;
  /** Exit status of the batch script, and the signal that ended it (ExitCode=status:signal). */
  exitCode?: number;
  signal?: number;
  node?: string;
  /** Times Slurm requeued it (node failure, preemption, `scontrol requeue`). */
  restarts: number;
  timeLimit?: string;
  /** Where the answer came from. */
  source: "scontrol" | "sacct" | "none";
}

const ACTIVE = new Set([
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "COMPLETING",
  "SUSPENDED",
  "REQUEUED",
  "REQUEUE_FED",
  "REQUEUE_HOLD",
  "RESIZING",
  "SIGNALING",
  "STAGE_OUT",
  "STOPPED",
  "RESV_DEL_HOLD",
  "SPECIAL_EXIT",
]);

export function isActive(state: string): boolean {
  return ACTIVE.has(state);
}

/** Held jobs never start on their own (e.g. "launch failed requeued held" after repeated launch failures). */
export function isHeld(info: JobInfo): boolean {
  return info.state === "REQUEUE_HOLD" || info.state === "SPECIAL_EXIT" || (info.state === "PENDING" && /held|JobHeld/i.test(info.reason ?? ""));
}

/** Jobs that ended because of the machine, not the stage: Slurm requeues them itself when it can. */
export function isLost(state: string): boolean {
  return ["NODE_FAIL", "BOOT_FAIL", "PREEMPTED", "UNKNOWN", "DEADLINE"].includes(state);
}

function field(line: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line)?.[1];
}

function exitPair(v: string | undefined): { exitCode?: number; signal?: number } {
  const m = /^(\d+):(\d+)$/.exec(v ?? "");
  return m ? { exitCode: Number(m[1]), signal: Number(m[2]) } : {};
}

/** Parses one line of `scontrol show job -o ID`. */
export function parseScontrol(line: string): JobInfo | undefined {
  const id = field(line, "JobId");
  const state = field(line, "JobState");
  if (!id || !state) return undefined;
  const node = field(line, "BatchHost") || field(line, "NodeList");
  return {
    id,
    state,
    reason: field(line, "Reason"),
    ...exitPair(field(line, "ExitCode")),
    node: node && node !== "(null)" ? node : undefined,
    restarts: Number(field(line, "Restarts") ?? 0) || 0,
    timeLimit: field(line, "TimeLimit"),
    source: "scontrol",
  };
}

/** Parses `sacct -n -P -X -j ID -o JobID,State,ExitCode,NodeList,Restarts`-style output (first allocation line). */
export function parseSacct(id: string, text: string): JobInfo | undefined {
  for (const line of text.split("\n")) {
    const [jobId, state, exit, node] = line.split("|");
    if (jobId !== id || !state) continue;
    return { id, state: state.split(" ")[0], ...exitPair(exit), node: node || undefined, restarts: 0, source: "sacct" };
  }
  return undefined;
}

/** The job's state; state "UNKNOWN" with source "none" when slurmctld has forgotten it and there is no accounting. */
export async function queryJob(id: string): Promise<JobInfo | { error: string }> {
  const sc = await slurmCmd("scontrol", ["show", "job", "-o", id]);
  if (sc.missing) return { error: "scontrol not found on PATH" };
  if (sc.code === 0) {
    const info = parseScontrol(sc.stdout.trim().split("\n")[0] ?? "");
    if (info) return info;
  }
  const invalid = /invalid job id/i.test(sc.stderr);
  if (!invalid) return { error: `scontrol show job ${id}: ${(sc.stderr || sc.stdout).trim() || `exit ${sc.code}`}` };
  const sa = await slurmCmd("sacct", ["-n", "-P", "-X", "-j", id, "-o", "JobID,State,ExitCode,NodeList"]);
  const info = sa.code === 0 ? parseSacct(id, sa.stdout) : undefined;
  return info ?? { id, state: "UNKNOWN", restarts: 0, source: "none" };
}

/** "FAILED, exit 3 on node1" / "CANCELLED by signal 15". */
export function describe(info: JobInfo): string {
  const parts = [info.state];
  if (info.signal) parts.push(`signal ${info.signal}`);
  else if (info.exitCode !== undefined && info.state !== "COMPLETED") parts.push(`exit ${info.exitCode}`);
  if (info.reason && info.reason !== "None") parts.push(`reason ${info.reason}`);
  return parts.join(", ") + (info.node ? ` on ${info.node}` : "");
}
