// Timers longer than setTimeout allows: Node fires any delay past 2^31-1 ms (~24.8 days) after 1 ms, so a stage with
// `timeout: 30d` would be killed at once. Longer delays are chained.

export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Like AbortSignal.timeout(ms) (aborts with a TimeoutError, does not keep the process alive), for any finite delay. */
export function longTimeoutSignal(ms: number): AbortSignal {
  const ac = new AbortController();
  const due = Date.now() + ms;
  const arm = () => {
    const left = due - Date.now();
    if (left <= 0) return ac.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    setTimeout(arm, Math.min(left, MAX_TIMER_MS)).unref();
  };
  arm();
  return ac.signal;
}
