// data/benchmark on real GUE fixtures: discovery, glob selection, class detection, regression, normalization, bad rows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "../helpers/paths.js";
import { runStage } from "../helpers/stage-harness.js";
import benchmark from "../../stages/data/benchmark.js";
import type { TaskSet } from "../../lib/benchmark/artifact.js";

const GUE = fixture("benchmark", "gue");
const taskSet = (out: string): TaskSet => JSON.parse(readFileSync(join(out, "tasks.json"), "utf8"));

function tempTask(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-bench-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test("a GUE folder: every task found, classes detected, rows counted, files normalized", async () => {
  const r = await runStage(benchmark, { inputs: { source: GUE } });
  const set = taskSet(r.outputs.tasks);
  assert.deepEqual(
    set.tasks.map((t) => t.name),
    ["dnabert2_sample", "prom/prom_core_tata", "tf/0"],
  );
  const tata = set.tasks.find((t) => t.name === "prom/prom_core_tata")!;
  assert.equal(tata.kind, "classification");
  assert.equal(tata.numClasses, 2);
  assert.equal(tata.metric, "mcc");
  assert.deepEqual(Object.fromEntries(Object.entries(tata.splits).map(([s, i]) => [s, i.rows])), { train: 400, dev: 613, test: 613 });
  assert.equal(tata.splits.test.minLength, 70);
  assert.equal(
    tata.splits.test.classCounts!.reduce((a, b) => a + b, 0),
    613,
  );
  const src = readFileSync(join(GUE, "prom/prom_core_tata/test.csv"), "utf8").replace(/\r\n/g, "\n");
  assert.equal(readFileSync(join(r.outputs.tasks, "prom/prom_core_tata/test.csv"), "utf8"), src.endsWith("\n") ? src : src + "\n");
  assert.equal(r.meta.tasks, 3);
});

test("glob selection, with and without the suite prefix; a pattern matching nothing is an error", async () => {
  const a = await runStage(benchmark, { inputs: { source: GUE }, params: { tasks: ["prom/*", "tf/0"] } });
  assert.deepEqual(
    taskSet(a.outputs.tasks).tasks.map((t) => t.name),
    ["prom/prom_core_tata", "tf/0"],
  );
  const b = await runStage(benchmark, { inputs: { source: GUE }, params: { tasks: ["gue/prom/*"] } });
  const set = taskSet(b.outputs.tasks);
  assert.equal(set.suite, "gue");
  assert.deepEqual(
    set.tasks.map((t) => t.name),
    ["prom/prom_core_tata"],
  );
  await assert.rejects(runStage(benchmark, { inputs: { source: GUE }, params: { tasks: ["prom/prom_core_tat", "tf/*"] } }), (e: Error) => {
    assert.match(e.message, /^tasks: 'prom\/prom_core_tat' \(did you mean 'prom\/prom_core_tata'\?\) matches no task in /);
    return true;
  });
});

test("float labels make a regression task; lowercase sequences are uppercased; other columns are ignored", async () => {
  const seqs = readFileSync(join(GUE, "tf/0/dev.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1, 41)
    .map((l) => l.split(",")[0]);
  const gc = (s: string) => [...s].filter((c) => c === "G" || c === "C").length / s.length;
  const rows = (xs: string[]) => "name,sequence,label\n" + xs.map((s, i) => `r${i},${s.toLowerCase()},${gc(s).toFixed(6)}`).join("\n") + "\n";
  const dir = tempTask({ "enhancer/train.csv": rows(seqs.slice(0, 30)), "enhancer/test.csv": rows(seqs.slice(30)) });
  const r = await runStage(benchmark, { inputs: { source: dir } });
  const t = taskSet(r.outputs.tasks).tasks[0];
  assert.equal(t.name, "enhancer");
  assert.equal(t.kind, "regression");
  assert.equal(t.metric, "pearson");
  assert.equal(t.numClasses, undefined);
  assert.ok(t.labelRange!.min > 0 && t.labelRange!.min < t.labelRange!.max && t.labelRange!.max < 1, JSON.stringify(t.labelRange));
  assert.deepEqual(Object.keys(t.splits).sort(), ["test", "train"]);
  const out = readFileSync(join(r.outputs.tasks, "enhancer/test.csv"), "utf8").split("\n");
  assert.equal(out[0], "sequence,label");
  assert.equal(out[1], `${seqs[30]},${Number(gc(seqs[30]).toFixed(6))}`);
  assert.ok(
    r.logs.some((l) => l.startsWith("enhancer: regression ")),
    r.logs.join("\n"),
  );
});

test("a single task folder is one task, named by the folder or the name param", async () => {
  const r = await runStage(benchmark, { inputs: { source: join(GUE, "dnabert2_sample") }, params: { name: "sample" } });
  const set = taskSet(r.outputs.tasks);
  assert.deepEqual(
    set.tasks.map((t) => [t.name, t.splits.train.rows]),
    [["sample", 15]],
  );
});

const BAD: Array<[string, string, (f: string) => string]> = [
  ["missing label", "sequence,label\nACGT,1\nACGT,\nACGT,0\n", (f) => `${f}:3: missing label`],
  ["non-ACGTN sequence", "sequence,label\nACGT,1\nACGTN,0\nACXGT,1\n", (f) => `${f}:4: sequence has "X" at position 3; only A, C, G, T and N are allowed`],
  ["empty line", "sequence,label\nACGT,1\n\nACGT,0\n", (f) => `${f}:3: empty line`],
  ["wrong column count", "sequence,label\nACGT,1\nACGT,0,1\n", (f) => `${f}:3: expected 2 columns (sequence,label), found 3`],
  ["label not a number", "sequence,label\r\nACGT,1\r\nACGT,one\r\n", (f) => `${f}:3: label 'one' is not a number`],
  ["empty sequence", "sequence,label\nACGT,1\n,0\n", (f) => `${f}:3: empty sequence`],
  ["no label column", "seq_id,sequence\n1,ACGT\n", (f) => `${f}:1: header has no 'label' column (found: seq_id,sequence)`],
  ["negative class", "sequence,label\nACGT,1\nACGT,-1\n", (f) => `${f}:3: class label -1 is negative (classes are 0, 1, …)`],
];

for (const [what, text, message] of BAD)
  test(`bad row: ${what} → file:line`, async () => {
    const dir = tempTask({ "t/train.csv": "sequence,label\nACGT,0\nACGT,1\n", "t/test.csv": text });
    await assert.rejects(runStage(benchmark, { inputs: { source: dir } }), (e: Error) => {
      assert.equal(e.name, "StageInputError");
      assert.equal(e.message, message(join(dir, "t/test.csv")));
      return true;
    });
  });
