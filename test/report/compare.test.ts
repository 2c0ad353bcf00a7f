// compareRuns: results from two runs' records in a store (objects with metrics.json / metrics.jsonl outputs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareRuns, coordsFromInstanceId } from "../../lib/report/index.js";

function store(): string {
  const s = mkdtempSync(join(tmpdir(), "dnaflow-compare-"));
  mkdirSync(join(s, "runs"));
  const index: object[] = [];
  let n = 0;
  const object = (uses: string, out: string, files: Record<string, string>) => {
    const key = `k${++n}`.padEnd(64, "0");
    const dir = join(s, "objects", key);
    mkdirSync(join(dir, "out", out), { recursive: true });
    for (const [f, t] of Object.entries(files)) writeFileSync(join(dir, "out", out, f), t);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ components: { stage: { uses, version: 1, revision: 0 } }, outputs: { [out]: "dir" } }));
    return key;
  };
  const metrics = (m: number) => ({ "metrics.json": JSON.stringify({ format: 1, kind: "classification", primary: "mcc", splits: { test: { n: 10, mcc: m } } }) });
  for (const [id, pipeline, base] of [["20260101T000000Z-a", "kmer", 0.5], ["20260102T000000Z-b", "bpe", 0.6]] as const) {
    const stages: Record<string, object> = {
      "finetune[seed=1,task=tf/0]": { key: object("model/finetune", "model", metrics(base)), status: "ran" },
      "finetune[seed=2,task=tf/0]": { key: object("model/finetune", "model", metrics(base + 0.02)), status: "cached" },
      "eval[seed=2,task=tf/0]": { key: object("eval/metrics", "metrics", metrics(base + 0.02)), status: "ran" },
      "finetune[seed=3,task=tf/0]": { key: object("model/finetune", "model", metrics(0.99)), status: "failed" },
      pretrain: { key: object("model/pretrain", "model", { "metrics.jsonl": '{"event":"progress","step":1,"loss":3}\n{"event":"progress","step":2,"loss":2}\n' }), status: "ran" },
    };
    writeFileSync(join(s, "runs", `${id}.json`), JSON.stringify({ id, pipeline, file: `${pipeline}.yaml`, started: id, outcome: "ok", host: "h", stages }));
    index.push({ id, pipeline, started: id, outcome: "ok" });
  }
  writeFileSync(join(s, "runs", "index.json"), JSON.stringify(index));
  return s;
}

test("compareRuns: one variant per run, seeds aggregated, failed stages and duplicates left out", async () => {
  const r = await compareRuns(store(), ["kmer", "20260102T000000Z-b"]);
  assert.deepEqual(r.summary.variants.map((v) => v.label), ["run=kmer", "run=bpe"]);
  const cells = r.summary.cells.map((c) => [c.variant.label, c.task, c.n, Number(c.mean!.toFixed(6))]);
  assert.deepEqual(cells, [["run=kmer", "tf/0", 2, 0.51], ["run=bpe", "tf/0", 2, 0.61]]);
  assert.match(r.html, /Pretraining loss/);
  assert.equal(r.csv.trim().split("\n").length, 1 + 4);
  await assert.rejects(compareRuns(store(), ["nope"]), /no run 'nope' in .* \(a run id or a pipeline name; recent: /);
});

test("instance ids give matrix coordinates", () => {
  assert.deepEqual(coordsFromInstanceId("finetune[init=scratch,seed=2,task=prom/prom_core_tata]"), { init: "scratch", seed: 2, task: "prom/prom_core_tata" });
  assert.deepEqual(coordsFromInstanceId("report"), {});
});
