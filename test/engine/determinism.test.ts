// Same pipeline in two directories with two store paths → identical keys and identical bytes (also for pretraining
// with another thread count, which is not part of the key).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, objectKeys, planJson, tempProject } from "../helpers/cli.js";
import { ENV, project, requireWorkerPython, TINY, tinyPipeline } from "../model/helpers.js";
import { byteDifferences, publishedBytes } from "../pipelines/quickstart-project.js";

const FILES = {
  "genome.txt": "ACGTNNNNACGT\n",
  "p.yaml": `
params: { k: [1, 2] }
stages:
  text:
    uses: core/write-text@1
    with: { text: "hello" }
  use:
    matrix: { k: "\${{ params.k }}" }
    run: [sh, -c, 'cat "$1" "$2" > "$3"; echo "$DNAFLOW_PARAM_K" >> "$3"', x, "\${{ inputs.g }}", "\${{ inputs.t }}", "\${{ outputs.out }}"]
    with: { k: "\${{ matrix.k }}" }
    inputs: { g: genome.txt, t: "\${{ stages.text.outputs.file }}" }
    outputs: [out]
`,
};

test("two directories and two store paths give the same keys and the same output bytes", () => {
  const a = tempProject(FILES);
  const b = tempProject(FILES);
  const storeB = mkdtempSync(join(tmpdir(), "other-store-"));
  const planA = planJson(a, "p.yaml");
  const planB = planJson(b, join(b, "p.yaml"), ["--store", storeB]);
  assert.deepEqual(
    planA.map((s) => [s.id, s.key]),
    planB.map((s) => [s.id, s.key]),
  );
  assert.equal(new Set(planA.map((s) => s.key)).size, 3);
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: a }).code, 0);
  assert.equal(dnaflow(["run", join(b, "p.yaml"), "--store", storeB], { cwd: tmpdir() }).code, 0);
  const keys = objectKeys(join(a, ".dnaflow"));
  assert.deepEqual(keys, objectKeys(storeB));
  for (const k of keys) {
    const ma = JSON.parse(readFileSync(join(a, ".dnaflow", "objects", k, "manifest.json"), "utf8"));
    const mb = JSON.parse(readFileSync(join(storeB, "objects", k, "manifest.json"), "utf8"));
    assert.deepEqual(ma.files, mb.files, "same bytes");
  }
});

test("a key does not depend on the stage's name: renaming a stage keeps its cache", () => {
  const dir = tempProject({ "p.yaml": "stages:\n  one:\n    uses: core/write-text@1\n    with: { text: hi }\n" });
  const before = planJson(dir, "p.yaml")[0].key;
  const renamed = tempProject({ "p.yaml": "stages:\n  renamed:\n    uses: core/write-text@1\n    with: { text: hi }\n" });
  assert.equal(planJson(renamed, "p.yaml")[0].key, before);
});

test("pretraining with resources.cpus 1 or 2 (not in the key), in two directories: same key, same bytes in every output; the thread count is a param, in the key", () => {
  requireWorkerPython();
  const withCpus = (cpus: number) => project(tinyPipeline(TINY).replace("resources: { cpus: 1 }", `resources: { cpus: ${cpus} }`));
  const a = withCpus(1);
  const b = withCpus(2);
  assert.notEqual(readFileSync(join(a, "p.yaml"), "utf8"), readFileSync(join(b, "p.yaml"), "utf8"));
  const storeB = mkdtempSync(join(tmpdir(), "other-store-"));
  const keys = (dir: string, extra: string[] = []) => planJson(dir, "p.yaml", extra, ENV).map((s) => [s.id, s.key]);
  assert.deepEqual(keys(a), keys(b, ["--store", storeB]), "cpus is not part of the key");
  const ra = dnaflow(["run", "p.yaml"], { cwd: a, env: ENV });
  assert.equal(ra.code, 0, ra.stderr);
  const rb = dnaflow(["run", "p.yaml", "--store", storeB], { cwd: b, env: ENV });
  assert.equal(rb.code, 0, rb.stderr);
  const threads = (store: string) => {
    const key = objectKeys(store).find((k) => JSON.parse(readFileSync(join(store, "objects", k, "manifest.json"), "utf8")).meta?.numerics);
    return JSON.parse(readFileSync(join(store, "objects", key!, "manifest.json"), "utf8")).meta.numerics.threads;
  };
  assert.deepEqual([threads(join(a, ".dnaflow")), threads(storeB)], [1, 1], "torch threads come from the threads param (in the key), not from cpus");
  const bytesA = publishedBytes(join(a, ".dnaflow"));
  assert.ok([...bytesA.keys()].some((p) => p.endsWith("model.safetensors")));
  assert.deepEqual(byteDifferences(bytesA, publishedBytes(storeB)), []);
  const twoThreads = project(tinyPipeline(TINY + "\n      threads: 2"));
  const pretrainKey = (dir: string) => planJson(dir, "p.yaml", [], ENV).find((s) => s.id === "pretrain")!.key;
  assert.notEqual(pretrainKey(twoThreads), pretrainKey(a), "threads: 2 is another key");
});
