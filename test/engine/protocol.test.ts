// The stage event protocol is written once (schema/protocol.schema.json): what a builtin child sends and what the
// engine's parser (engine/executors/protocol.ts) yields are valid events, the worker's relay reads the same progress
// shape, and the shape the worker used to print (`step`, flat metrics) is rejected. The worker side: worker/tests/test_protocol.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import AjvModule from "ajv";
import { readEvents, type StageEvent } from "../../engine/executors/protocol.js";
import { selfFinalUsage } from "../../engine/executors/resource-sampler.js";
import { watchedMetrics } from "../../engine/python/run-worker.js";
import { repoRoot } from "../helpers/paths.js";

const Ajv = AjvModule.default ?? AjvModule;
const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot(), "schema", "protocol.schema.json"), "utf8")));

async function parse(lines: string[]): Promise<StageEvent[]> {
  const stream = new PassThrough();
  const out: StageEvent[] = [];
  const done = readEvents(stream, (e) => out.push(e));
  stream.end(lines.join("\n") + "\n");
  await done;
  return out;
}

test("every event a builtin child sends, read back by the engine's parser, is valid under the protocol schema", async () => {
  const usage = selfFinalUsage();
  assert.ok(usage, "Linux: /proc/self gives the usage");
  const sent: StageEvent[] = [
    { event: "progress", done: 3, total: 10, unit: "bytes" },
    { event: "progress", done: 5, total: 10, unit: "steps", metrics: { loss: 1.5, phase: "warmup", lr: null } } as StageEvent,
    { event: "log", message: "a line" },
    { event: "meta", meta: { records: 3 } },
    { event: "error", message: "bad input", inputError: true },
    { event: "usage", usage },
    { event: "digests", files: [{ path: "tokens/tokens.bin", stamp: "2049:1234:5678:1733616000123456789:1733616000123456789", sha256: "a".repeat(64) }] },
    { event: "done" },
  ];
  const read = await parse([...sent.map((e) => JSON.stringify(e)), "not json: a stray print"]);
  assert.deepEqual(read.slice(0, sent.length), sent);
  assert.deepEqual(read.at(-1), { event: "log", message: "not json: a stray print" });
  for (const e of read) assert.ok(validate(e), `${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`);
});

test("the worker's events: progress counts `done` with nested metrics; the old flat `step` shape is invalid", async () => {
  const worker = [
    '{"event":"start","step":0,"total":6,"params":1234,"device":"cpu"}',
    '{"event":"progress","done":1,"total":6,"unit":"steps","metrics":{"loss":4.1,"lr":0.001,"gradNorm":1.2,"tokensPerS":900.5,"phase":1}}',
    '{"event":"checkpoint","step":3,"path":"/ckpt/step-000000003"}',
    '{"event":"eval","step":6,"validLoss":3.9}',
    '{"event":"done","outDir":"/out","step":6}',
  ];
  for (const e of await parse(worker)) assert.ok(validate(e), `${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`);
  assert.equal(validate({ event: "progress", step: 1, total: 6, loss: 4.1 }), false);
  assert.equal(validate({ event: "checkpoint", step: 3 }), false);
  assert.equal(validate({ event: "progres", done: 1 }), false);
  assert.deepEqual(watchedMetrics({ loss: 4.1, lr: 0.001, tokensPerS: 900.5, phase: 1, masked: 12, nested: { x: 1 } }), {
    loss: 4.1,
    lr: 0.001,
    tokensPerS: 900.5,
    phase: 1,
  });
});
