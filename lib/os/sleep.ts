// The wait the scheduler, the lease heartbeats and the Slurm poll share: it ends early, without an error, when its
// signal aborts, so each caller checks the signal itself and decides what an abort means there.

/** Waits `ms`, or until `signal` aborts. `unref`: the timer alone does not keep the process alive. */
export function sleep(ms: number, signal?: AbortSignal, unref = false): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    if (unref) t.unref();
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
