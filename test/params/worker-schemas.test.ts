// One definition of the worker's params: worker/schemas/*.params.json are exactly the TypeScript schemas, and the
// Python worker, validating a config against them with jsonschema, fills in the same defaults as ajv does in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveStageParams } from "../../engine/stage-params.js";
import pretrain from "../../stages/model/pretrain.js";
import finetune from "../../stages/model/finetune.js";
import { WORKER_SCHEMAS, workerSchemaJson } from "../../stages/model/worker-schemas.js";
import { repoRoot } from "../helpers/paths.js";

test("worker/schemas/*.params.json equal the builtins' TypeScript params schemas (node scripts/export-worker-schemas.mjs)", () => {
  assert.deepEqual(Object.keys(WORKER_SCHEMAS), ["pretrain", "finetune"]);
  assert.equal(WORKER_SCHEMAS.pretrain, pretrain.params);
  assert.equal(WORKER_SCHEMAS.finetune, finetune.params);
  for (const [name, schema] of Object.entries(WORKER_SCHEMAS)) {
    assert.equal(
      readFileSync(join(repoRoot(), "worker", "schemas", `${name}.params.json`), "utf8"),
      workerSchemaJson(schema),
      `worker/schemas/${name}.params.json is stale`,
    );
  }
});

/** The worker's params after its validation (absent optional fields, None there, dropped to compare). */
function workerParams(name: "pretrain" | "finetune", raw: Record<string, unknown>): unknown {
  const py = `
import json, sys
from worker.params_schema import validate
from worker.config import PARAMS_SCHEMA as pretrain
from worker.finetune_config import PARAMS_SCHEMA as finetune
drop = lambda v: {k: drop(x) for k, x in v.items() if x is not None} if isinstance(v, dict) else v
print(json.dumps(drop(validate(${name}, json.loads(sys.argv[1])))))`;
  const r = spawnSync(process.env.DNAFLOW_PYTHON || "python3", ["-c", py, JSON.stringify(raw)], { cwd: repoRoot(), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const CASES: Array<["pretrain" | "finetune", Record<string, unknown>]> = [
  ["pretrain", {}],
  ["pretrain", { model: { family: "bert", vocabSize: 64 }, masking: { strategy: "kmer-span" }, threads: 2, microBatchSize: 4 }],
  ["finetune", { task: "prom/prom_core_tata" }],
  ["finetune", { task: "EMP/H3", init: "scratch" }],
  ["finetune", { task: "EMP/H3", init: "scratch", model: { layers: 2 }, lr: null, epochs: 3 }],
];

for (const [name, raw] of CASES) {
  test(`${name} ${JSON.stringify(raw)}: the worker fills in the same defaults as Node`, () => {
    const def = name === "pretrain" ? pretrain : finetune;
    const node = resolveStageParams(def, raw);
    assert.deepEqual(node.problems, []);
    assert.deepEqual(workerParams(name, raw), JSON.parse(JSON.stringify(node.params, (_k, v) => (v === null ? undefined : v))));
  });
}

test("threads: 0 means one torch thread on both sides (the key holds `threads`, so torch must not pick its own count)", () => {
  const py = "from worker.config import torch_threads; print(torch_threads({'threads': 0}), torch_threads({'threads': 3}))";
  const r = spawnSync(process.env.DNAFLOW_PYTHON || "python3", ["-c", py], { cwd: repoRoot(), encoding: "utf8" });
  assert.equal(r.stdout.trim(), "1 3", r.stderr);
  assert.match(String((pretrain.params as { properties: { threads: { description: string } } }).properties.threads.description), /0 = 1$/);
});
