// The retry policy both executors share (engine/executors/retry.ts) and the wait under it (lib/os/sleep.ts): delays,
// what is retried, what an abort does to a backoff, and waits past setTimeout's 2^31-1 ms limit.
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { asStageFailure, MAX_RETRY_DELAY_MS, retryDelay, shouldRetry, waitToRetry } from "../../engine/executors/retry.js";
import { Cancelled, StageFailure } from "../../engine/executors/types.js";
import { LostJob } from "../../engine/executors/slurm/run.js";
import { sleep } from "../../lib/os/sleep.js";
import { MAX_TIMER_MS } from "../../lib/os/long-timeout.js";

const policy = { max: 3, backoffMs: 1000 };
/** Whether `p` has settled within `ms` of real time. */
const settledWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);

test("retry delays: the backoff, doubled per counted failure; finite however many failures", () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => retryDelay(policy, n)),
    [1000, 2000, 4000, 8000],
  );
  assert.equal(retryDelay({ max: 1, backoffMs: 0 }, 5), 0, "no backoff: retry at once");
  const thirtyDays = 30 * 86_400_000;
  assert.ok(retryDelay({ max: 2, backoffMs: thirtyDays }, 2) > MAX_TIMER_MS, "a doubled long backoff passes setTimeout's limit");
  const huge = retryDelay({ max: 5000, backoffMs: 1000 }, 2000);
  assert.ok(Number.isFinite(huge) && huge === MAX_RETRY_DELAY_MS, `2^1999 s must clamp to a finite delay, got ${huge}`);
});

test("what is retried: up to the policy's extra attempts, never an input error", () => {
  const plain = new StageFailure("exit 1");
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => shouldRetry(policy, n, plain)),
    [true, true, true, false],
    "{max: 3} runs 4 times",
  );
  assert.equal(shouldRetry({ max: 0, backoffMs: 0 }, 1, plain), false, "no retries: the first failure is final");
  assert.equal(shouldRetry(policy, 1, new StageFailure("bad FASTA header", true)), false, "bad input fails the same way every time");
});

test("failure classification: StageFailure kept as is (input errors, lost Slurm jobs), anything else wrapped as retryable", () => {
  const input = new StageFailure("bad", true);
  assert.equal(asStageFailure(input), input);
  const lost = new LostJob("node failure");
  assert.equal(asStageFailure(lost), lost, "a LostJob keeps its class: the Slurm executor resubmits it");
  const wrapped = asStageFailure(new TypeError("boom"));
  assert.ok(wrapped instanceof StageFailure && !wrapped.inputError);
  assert.equal(wrapped.message, "boom");
  assert.equal(asStageFailure("a string").message, "a string");
  assert.equal(asStageFailure(undefined).message, "undefined");
});

test("waitToRetry: waits the delay; an abort before or during the wait is Cancelled, not a retry", async () => {
  const t0 = Date.now();
  await waitToRetry(40, new AbortController().signal);
  assert.ok(Date.now() - t0 >= 35, `waited ${Date.now() - t0} ms of 40`);

  const before = new AbortController();
  before.abort();
  await assert.rejects(waitToRetry(10_000, before.signal), Cancelled);

  const during = new AbortController();
  const waiting = waitToRetry(60_000, during.signal);
  assert.equal(await settledWithin(waiting, 30), false, "still waiting");
  during.abort();
  await assert.rejects(waiting, Cancelled);
});

test("sleep past 2^31 ms does not fire early (Node fires such a setTimeout after 1 ms); an abort still ends it", async () => {
  const ac = new AbortController();
  const long = sleep(MAX_TIMER_MS + 10_000, ac.signal);
  assert.equal(await settledWithin(long, 100), false, "a 24.8-day wait must still be waiting after 100 ms");
  ac.abort();
  assert.equal(await settledWithin(long, 100), true, "abort ends the wait");
  const pre = new AbortController();
  pre.abort();
  assert.equal(await settledWithin(sleep(MAX_TIMER_MS * 3, pre.signal), 50), true, "an already aborted signal: no wait");
});

test("sleep past 2^31 ms is chained: it resolves after the whole delay, not after the first timer", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  let done = false;
  const p = sleep(MAX_TIMER_MS + 5000).then(() => (done = true));
  t.mock.timers.tick(MAX_TIMER_MS);
  await Promise.resolve();
  assert.equal(done, false, "the first timer ran out; 5 s are left");
  t.mock.timers.tick(4999);
  await Promise.resolve();
  assert.equal(done, false, "1 ms left");
  t.mock.timers.tick(1);
  await p;
  assert.equal(done, true);
  mock.timers.reset();
});
