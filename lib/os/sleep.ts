// The wait the scheduler, the lease heartbeats, the Slurm poll and retry backoffs share: it ends early, without an
// error, when its signal aborts, so each caller checks the signal itself and decides what an abort means there.
import { MAX_TIMER_MS } from "./long-timeout.js";

/**
 * Waits `ms`, or until `signal` aborts. `unref`: the timer alone does not keep the process alive. Any finite length:
 * Node fires a setTimeout past 2^31-1 ms after 1 ms, so a longer wait (a doubled retry backoff) is chained.
 */
export function sleep(ms: number, signal?: AbortSignal, unref = false): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const due = Date.now() + ms;
    let t: NodeJS.Timeout | undefined;
    const arm = () => {
      const left = due - Date.now();
      if (left <= 0) return done();
      t = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      if (unref) t.unref();
    };
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
    arm();
  });
}
