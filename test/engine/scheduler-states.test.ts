// The scheduler's per-instance states (engine/run/scheduler.ts), read while it runs a tiny plan: what each instance
// passes through when it runs, fails, is skipped, is cached, waits for a -j slot, or is interrupted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { load } from "../../engine/cli/context.js";
import { BUILTIN_CHILD } from "../../engine/cli/builtins.js";
import { Scheduler, type InstanceState, type RunOptions } from "../../engine/run/scheduler.js";
import { tempProject } from "../helpers/cli.js";

const PIPELINE = `
stages:
  a:
    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
  b:
    run: [sh, -c, 'exit 3']
    outputs: [out]
    inputs: { x: "\${{ stages.a.outputs.out }}" }
  c:
    run: [sh, -c, 'echo c > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
    inputs: { x: "\${{ stages.b.outputs.out }}" }
  d:
    run: [sh, -c, 'sleep 0.2; echo d > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
`;

/** A scheduler for `file` at -j 1, with every state change recorded per instance (starting from queued). */
async function scheduler(file: string, extra: Partial<RunOptions> = {}) {
  const loaded = await load(file, {});
  const paths: Record<string, InstanceState[]> = Object.fromEntries(loaded.plan.entries.map((e) => [e.inst.id, ["queued"]]));
  const onState: RunOptions["onState"] = (id, state, previous) => {
    assert.equal(previous, paths[id].at(-1), `${id}: the previous state reported is the one it was in`);
    paths[id].push(state);
    extra.onState?.(id, state, previous);
  };
  const s = new Scheduler(loaded.plan, {
    store: loaded.store,
    digests: loaded.digests,
    capacity: { cpus: 4, gpus: 0, memory: 8 * 2 ** 30 },
    jobs: 1,
    keepGoing: true,
    targets: [],
    signal: new AbortController().signal,
    emit: () => {},
    file,
    builtinChild: BUILTIN_CHILD,
    ...extra,
    onState,
  });
  return { s, paths };
}

test("scheduler states: run → done, a failure → failed, its consumer skipped; ready stages wait for the one -j slot; a rerun is cached → done", async () => {
  const file = join(tempProject({ "p.yaml": PIPELINE }), "p.yaml");
  let atFirstRun: Record<string, InstanceState> | undefined;
  const { s, paths } = await scheduler(file, { onState: (_id, state) => void (state === "running" && (atFirstRun ??= s.snapshot())) });
  assert.deepEqual(s.snapshot(), { a: "queued", b: "queued", c: "queued", d: "queued" }, "nothing has started before run()");
  const record = await s.run();
  assert.equal(record.outcome, "failed");
  assert.deepEqual(paths, {
    a: ["queued", "waiting", "running", "done"],
    b: ["queued", "waiting", "running", "failed"],
    c: ["queued", "skipped"],
    d: ["queued", "waiting", "running", "done"],
  });
  assert.deepEqual(s.snapshot(), { a: "done", b: "failed", c: "skipped", d: "done" });
  assert.deepEqual(
    Object.values(record.stages).map((r) => r.status),
    ["ran", "failed", "skipped", "ran"],
    "the run record agrees",
  );
  // -j 1: when the first stage started, the other ready one waited for the slot.
  const running = Object.keys(atFirstRun!).filter((id) => atFirstRun![id] === "running");
  assert.equal(running.length, 1, JSON.stringify(atFirstRun));
  assert.equal(atFirstRun![running[0] === "a" ? "d" : "a"], "waiting", JSON.stringify(atFirstRun));

  const again = await scheduler(file);
  await again.s.run();
  assert.deepEqual(
    again.paths,
    {
      a: ["queued", "done"],
      b: ["queued", "waiting", "running", "failed"],
      c: ["queued", "skipped"],
      d: ["queued", "done"],
    },
    "cached stages go straight to done",
  );
  assert.equal(again.s.state("a"), "done");
  assert.throws(() => again.s.state("zz"), /no instance 'zz'/);
});

test("scheduler states: an interrupt cancels the running stage and the one waiting on it", async () => {
  const file = join(
    tempProject({
      "p.yaml":
        "stages:\n  slow:\n    run: [sleep, '30']\n    outputs: [out]\n  after:\n    run: [true]\n    outputs: [out]\n    inputs: { x: \"${{ stages.slow.outputs.out }}\" }\n",
    }),
    "p.yaml",
  );
  const interrupt = new AbortController();
  const { s, paths } = await scheduler(file, {
    signal: interrupt.signal,
    onState: (id, state) => void (id === "slow" && state === "running" && setTimeout(() => interrupt.abort(), 100)),
  });
  const t0 = Date.now();
  const record = await s.run();
  assert.ok(Date.now() - t0 < 20_000, "the 30 s stage was stopped");
  assert.equal(record.outcome, "interrupted");
  assert.deepEqual(paths, { slow: ["queued", "waiting", "running", "cancelled"], after: ["queued", "cancelled"] });
});
