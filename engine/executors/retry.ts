// The retry policy every executor follows: which failures are retried, how long to wait before the next attempt, and
// what an interrupt during that wait means. The local executor (local.ts) and the Slurm executor share it, so `retries:`
// means the same wherever a stage runs.
import { sleep } from "../../lib/os/sleep.js";
import type { RetryPolicy } from "../spec/types.js";
import { Cancelled, StageFailure } from "./types.js";

/** Longest wait between attempts: the doubling is capped to stay a finite number (2^1024 ms would be Infinity). */
export const MAX_RETRY_DELAY_MS = Number.MAX_SAFE_INTEGER;

/** Any error an attempt ended with, as a StageFailure (an unexpected one is retried, never an input error). */
export function asStageFailure(e: unknown): StageFailure {
  if (e instanceof StageFailure) return e;
  return new StageFailure((e as Error | undefined)?.message ?? String(e));
}

/** The wait before the attempt after the `failures`-th counted failure (1-based): the backoff, doubled each time. */
export function retryDelay(policy: RetryPolicy, failures: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, policy.backoffMs * 2 ** Math.max(0, failures - 1));
}

/** Whether another attempt follows the `failures`-th counted failure: retries left (`max`), and not the stage's bad input. */
export function shouldRetry(policy: RetryPolicy, failures: number, failure: StageFailure): boolean {
  return failures <= policy.max && !failure.inputError;
}

/** Waits out a backoff; an abort (interrupt, fail-fast, a lost lease) ends the wait with Cancelled, never a retry. */
export async function waitToRetry(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new Cancelled("cancelled");
  await sleep(ms, signal);
  if (signal.aborted) throw new Cancelled("cancelled");
}
