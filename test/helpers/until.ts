// Polls until a condition holds: the tests that watch a live run, a Slurm job or a store share this one loop.

/** Calls `fn` every `pollMs` until it returns a truthy value (returned), or fails naming `what` after `ms`. */
export async function until<T>(what: string, fn: () => T | undefined | false, ms = 30_000, pollMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
