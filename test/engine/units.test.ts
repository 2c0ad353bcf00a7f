// Small pieces with sharp edges: canonical JSON, the resource pool, sizes and durations, did-you-mean.
import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, stageKey, STORE_FORMAT, type KeyComponents } from "../../core/key.js";
import { ResourcePool } from "../../engine/run/resources.js";
import { parseDuration, parseSize } from "../../engine/spec/units.js";
import { closest } from "../../core/suggest.js";

test("canonical JSON sorts keys at every level and drops undefined", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  const c = (params: Record<string, unknown>): KeyComponents => ({
    format: STORE_FORMAT,
    stage: { uses: "x/y", version: 1, revision: 0 },
    params,
    inputs: {},
    outputs: [],
    env: {},
  });
  assert.equal(stageKey(c({ a: 1, b: 2 })), stageKey(c({ b: 2, a: 1 })));
  assert.notEqual(stageKey(c({ a: 1 })), stageKey(c({ a: "1" })), 'types matter: 1 and "1" are different params');
  assert.match(stageKey(c({})), /^[0-9a-f]{64}$/);
});

test("resource pool: requests wait until they fit; a smaller one may pass a large one; over-size is clamped", async () => {
  const pool = new ResourcePool({ cpus: 2, gpus: 1, memory: 1000 });
  const order: string[] = [];
  const r1 = await pool.acquire({ cpus: 1, gpus: 1, memory: 100 });
  const big = pool.acquire({ cpus: 2, gpus: 0, memory: 100 }).then((rel) => (order.push("big"), rel));
  const gpu = pool.acquire({ cpus: 1, gpus: 1, memory: 100 }).then((rel) => (order.push("gpu"), rel));
  const small = pool.acquire({ cpus: 1, gpus: 0, memory: 100 }).then((rel) => (order.push("small"), rel));
  (await small)();
  assert.deepEqual(order, ["small"], "the 1-cpu request fits beside r1; big (2 cpus) and gpu (taken) wait");
  r1();
  (await big)();
  (await gpu)();
  assert.deepEqual(order, ["small", "big", "gpu"]);
  const huge = await pool.acquire({ cpus: 64, gpus: 8, memory: 1e12 });
  huge();
  const ac = new AbortController();
  const hold = await pool.acquire({ cpus: 2, gpus: 0, memory: 0 });
  const waiting = pool.acquire({ cpus: 1, gpus: 0, memory: 0 }, ac.signal);
  ac.abort(new Error("cancelled"));
  await assert.rejects(waiting, /cancelled/);
  hold();
});

test("sizes and durations as users write them", () => {
  assert.equal(parseSize("4G"), 4 * 2 ** 30);
  assert.equal(parseSize("512MiB"), 512 * 2 ** 20);
  assert.equal(parseSize(1024), 1024);
  assert.equal(parseSize("lots"), undefined);
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration(1.5), 1500);
  assert.equal(parseDuration("soon"), undefined);
});

test("did-you-mean only suggests plausible typos", () => {
  assert.equal(closest("outptus", ["outputs", "inputs"]), "outputs");
  assert.equal(closest("zz", ["a", "b"]), undefined);
  assert.equal(closest("modle", ["model", "params"]), "model");
});

test("run liveness for status: this host by pid, another host by heartbeat age, old records not verifiable", async () => {
  const { runState } = await import("../../engine/cli/commands/inspect.js");
  const { hostname } = await import("node:os");
  const base = { id: "r", pipeline: "p", file: "p.yaml", started: "2026-01-01T00:00:00Z", outcome: "running" as const, stages: {} };
  assert.equal(runState({ ...base, host: hostname(), pid: process.pid }), `running (pid ${process.pid})`);
  assert.match(runState({ ...base, host: hostname(), pid: 2 ** 22 + 7 }), /^stopped \(engine gone/);
  assert.match(runState({ ...base, host: hostname() }), /not verifiable/);
  const now = Date.parse("2026-01-01T01:00:00Z");
  assert.equal(runState({ ...base, host: "gpu-7", heartbeat: "2026-01-01T00:59:40Z" }, now), "running on gpu-7 (heartbeat 20.0s ago)");
  assert.equal(runState({ ...base, host: "gpu-7", heartbeat: "2026-01-01T00:50:00Z" }, now), "stopped? (engine gone: no heartbeat from gpu-7 for 10m00s)");
  assert.equal(runState({ ...base, host: "gpu-7" }, now), "running on gpu-7 (not verifiable here)");
  assert.equal(runState({ ...base, host: "gpu-7", outcome: "failed", error: "internal error: x" }), "failed (internal error: x)");
});
