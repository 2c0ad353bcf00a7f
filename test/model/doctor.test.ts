// doctorCmd: reports Node, the worker's Python, torch, CUDA/GPUs; names what is missing with the command that fixes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { doctorCmd } from "../../engine/cli/commands/doctor.js";
import { PYTHON, requireWorkerPython } from "./helpers.js";

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = "";
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    return { code: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}

test("doctor: with the worker's packages it reports torch, CUDA, GPUs and exits 0", async () => {
  requireWorkerPython();
  const { code, out } = await capture(() => doctorCmd({ python: PYTHON, json: true }));
  assert.equal(code, 0, out);
  const r = JSON.parse(out);
  assert.equal(r.node, process.versions.node);
  assert.equal(r.pythonSource, "--python");
  assert.match(r.torch, /^2\.13\.0/);
  assert.equal(typeof r.cudaAvailable, "boolean");
  assert.ok(Array.isArray(r.gpus));
  assert.deepEqual(r.missing, []);
  assert.equal(r.ok, true);
  const text = await capture(() => doctorCmd({ python: PYTHON }));
  assert.match(text.out, /^torch\s+2\.13\.0/m);
  assert.match(text.out, /^gpus\s+/m);
});

test("doctor: a missing interpreter is named, with the fix, and exits 1", async () => {
  const { code, out } = await capture(() => doctorCmd({ python: "/nonexistent/python3" }));
  assert.equal(code, 1);
  assert.match(out, /problem\s+\/nonexistent\/python3: .*ENOENT.*--python \/ DNAFLOW_PYTHON/);
});
