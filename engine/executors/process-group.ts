// Child processes in their own process group, so that cancelling a stage stops everything it started.
import { execa, type ResultPromise } from "execa";
import { closeSync, openSync } from "node:fs";
import { GroupSampler, recordGroupUsage, type FinalUsage } from "./resource-sampler.js";

export { isAlive, isSameProcessAlive, processStartTime } from "../../lib/os/process-liveness.js";

export interface GroupRun {
  pid: number;
  done: Promise<{ exitCode?: number; signal?: string }>;
  /** The events pipe (fd 3) when requested. */
  events?: NodeJS.ReadableStream;
  /** Hands the leader's own final usage (a `usage` event) to the group's accounting. */
  leaderUsage(u: FinalUsage): void;
}

export const KILL_GRACE_MS = 5000;

/** Process groups of stages running now: a forced interrupt kills them all before the engine exits. */
const liveGroups = new Set<number>();

export function killAllGroups(): void {
  for (const g of liveGroups) killGroup(g, "SIGKILL");
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawns argv (never through a shell unless argv is ["/bin/sh","-c",...] chosen by the user) with stdout and stderr
 * appended to `logFile`. On abort: SIGTERM to the group, SIGKILL after the grace period.
 */
export function spawnInGroup(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; signal: AbortSignal; eventsPipe?: boolean },
): GroupRun {
  const logFd = openSync(opts.logFile, "a");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the options below are not a literal type execa can name
  let child: ResultPromise<any>;
  try {
    child = execa(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: false,
      detached: true,
      cleanup: false,
      reject: false,
      // execa's types do not model a variable-length stdio array; the values are plain fds and "pipe".
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      stdio: ["ignore", logFd, logFd, ...(opts.eventsPipe ? ["pipe"] : [])] as any,
      buffer: false,
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  // Resource accounting of the whole group (CPU, peak RSS, I/O), taken by the job when the attempt ends.
  const sampler = pid !== undefined ? new GroupSampler(pid).start() : undefined;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    if (pid === undefined) return;
    killGroup(pid, "SIGTERM");
    timer = setTimeout(() => killGroup(pid, "SIGKILL"), KILL_GRACE_MS);
    timer.unref();
  };
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener("abort", onAbort, { once: true });
  const done = (async () => {
    const r = await child;
    opts.signal.removeEventListener("abort", onAbort);
    if (timer) clearTimeout(timer);
    if (sampler) {
      sampler.stop();
      recordGroupUsage(pid!, sampler);
    }
    // The leader is gone; make sure nothing it left behind in its group keeps running.
    if (pid !== undefined) {
      killGroup(pid, "SIGKILL");
      liveGroups.delete(pid);
    }
    if ((r as { failed?: boolean; code?: string }).code === "ENOENT" || (r as { originalMessage?: string }).originalMessage?.includes("ENOENT")) {
      throw new Error(`command not found: ${argv[0]}`);
    }
    return { exitCode: r.exitCode, signal: r.signal ?? undefined };
  })();
  return {
    pid: pid ?? -1,
    done,
    events: opts.eventsPipe ? (child.stdio[3] as unknown as NodeJS.ReadableStream) : undefined,
    leaderUsage: (u) => sampler?.leaderFinal(u),
  };
}
