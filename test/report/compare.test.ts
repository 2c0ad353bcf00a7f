// compare: results from two runs' records in a store (objects with metrics.json / metrics.jsonl outputs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsStore } from "../../cache/fs-store.js";
import { coordsFromInstanceId } from "../../core/instance-id.js";
import { compareStoreRuns } from "../../engine/cli/commands/compare.js";

/** compare as the CLI runs it: the runs read through the Store interface, then rendered by lib/report. */
const compareRuns = (dir: string, runs: string[], opts = {}, warn?: (m: string) => void) => compareStoreRuns(new FsStore(dir), runs, opts, warn);

function store(): string {
  const s = mkdtempSync(join(tmpdir(), "dnaflow-compare-"));
  mkdirSync(join(s, "runs"));
  const index: object[] = [];
  let n = 0;
  const object = (uses: string, out: string, files: Record<string, string>, extra: Record<string, unknown> = {}) => {
    const key = `k${++n}`.padEnd(64, "0");
    const dir = join(s, "objects", key);
    mkdirSync(join(dir, "out", out), { recursive: true });
    for (const [f, t] of Object.entries(files)) writeFileSync(join(dir, "out", out, f), t);
    writeFileSync(
      join(dir, "manifest.json"),
      JSON.stringify({ components: { stage: { uses, version: 1, revision: 0 }, params: {}, inputs: {}, ...extra }, outputs: { [out]: "dir" } }),
    );
    return key;
  };
  const metrics = (m: number) => ({
    "metrics.json": JSON.stringify({ format: 1, kind: "classification", primary: "mcc", splits: { test: { n: 10, mcc: m } } }),
  });
  for (const [id, pipeline, base] of [
    ["20260101T000000Z-a", "kmer", 0.5],
    ["20260102T000000Z-b", "bpe", 0.6],
  ] as const) {
    const ft2 = object("model/finetune", "model", metrics(base + 0.02));
    const stages: Record<string, object> = {
      "finetune[seed=1,task=tf/0]": { key: object("model/finetune", "model", metrics(base)), status: "ran" },
      "finetune[seed=2,task=tf/0]": { key: ft2, status: "cached" },
      "eval[seed=2,task=tf/0]": {
        key: object("eval/metrics", "metrics", metrics(base + 0.02), { inputs: { predictions: [{ upstream: ft2, output: "model" }] } }),
        status: "ran",
      },
      "finetune[seed=3,task=tf/0]": { key: object("model/finetune", "model", metrics(0.99)), status: "failed" },
      pretrain: {
        key: object("model/pretrain", "model", { "metrics.jsonl": '{"event":"progress","step":1,"loss":3}\n{"event":"progress","step":2,"loss":2}\n' }),
        status: "ran",
      },
    };
    writeFileSync(join(s, "runs", `${id}.json`), JSON.stringify({ id, pipeline, file: `${pipeline}.yaml`, started: id, outcome: "ok", host: "h", stages }));
    index.push({ id, pipeline, started: id, outcome: "ok" });
  }
  writeFileSync(join(s, "runs", "index.json"), JSON.stringify(index));
  return s;
}

test("compareRuns: one variant per run, seeds aggregated, failed stages and duplicates left out", async () => {
  const r = await compareRuns(store(), ["kmer", "20260102T000000Z-b"]);
  assert.deepEqual(
    r.summary.variants.map((v) => v.label),
    ["run=kmer", "run=bpe"],
  );
  const cells = r.summary.cells.map((c) => [c.variant.label, c.task, c.n, Number(c.mean!.toFixed(6))]);
  assert.deepEqual(cells, [
    ["run=kmer", "tf/0", 2, 0.51],
    ["run=bpe", "tf/0", 2, 0.61],
  ]);
  assert.match(r.html, /Pretraining loss/);
  assert.equal(r.csv.trim().split("\n").length, 1 + 4);
  await assert.rejects(compareRuns(store(), ["nope"]), /no run 'nope' in .* \(a run id or a pipeline name; recent: /);
});

test("instance ids give matrix coordinates", () => {
  assert.deepEqual(coordsFromInstanceId("finetune[init=scratch,seed=2,task=prom/prom_core_tata]"), { init: "scratch", seed: 2, task: "prom/prom_core_tata" });
  assert.deepEqual(coordsFromInstanceId("report"), {});
});

/** A store with runs given as { id: { stages: {instance: [uses, params, mcc]}, outcome } }, oldest first. */
function storeOf(runs: Array<{ id: string; pipeline: string; outcome?: string; stages: Record<string, [string, Record<string, unknown>, number]> }>): string {
  const s = mkdtempSync(join(tmpdir(), "dnaflow-compare-"));
  mkdirSync(join(s, "runs"));
  let n = 0;
  const index: object[] = [];
  for (const run of runs) {
    const stages: Record<string, object> = {};
    for (const [instance, [uses, params, mcc]] of Object.entries(run.stages)) {
      const key = `m${++n}`.padEnd(64, "0");
      const dir = join(s, "objects", key);
      mkdirSync(join(dir, "out", "metrics"), { recursive: true });
      writeFileSync(
        join(dir, "out", "metrics", "metrics.json"),
        JSON.stringify({ format: 1, kind: "classification", primary: "mcc", splits: { test: { n: 10, mcc } } }),
      );
      writeFileSync(
        join(dir, "manifest.json"),
        JSON.stringify({ components: { stage: { uses, version: 1, revision: 0 }, params, inputs: {} }, outputs: { metrics: "dir" } }),
      );
      stages[instance] = { key, status: "ran" };
    }
    writeFileSync(
      join(s, "runs", `${run.id}.json`),
      JSON.stringify({ id: run.id, pipeline: run.pipeline, file: "p.yaml", started: run.id, outcome: run.outcome ?? "ok", host: "h", stages }),
    );
    index.push({ id: run.id, pipeline: run.pipeline, started: run.id, outcome: run.outcome ?? "ok" });
  }
  writeFileSync(join(s, "runs", "index.json"), JSON.stringify(index));
  return s;
}

test("compare does not pool two stages with different setups: the stage becomes a coordinate", async () => {
  const s = storeOf([
    {
      id: "20260101T000000Z-a",
      pipeline: "p",
      stages: {
        "ft32[seed=1,task=tf/0]": ["model/finetune", { task: "tf/0", seed: 1, batchSize: 32 }, 0.5],
        "ft32[seed=2,task=tf/0]": ["model/finetune", { task: "tf/0", seed: 2, batchSize: 32 }, 0.52],
        "ft8[seed=1,task=tf/0]": ["model/finetune", { task: "tf/0", seed: 1, batchSize: 8 }, 0.2],
        "ft8[seed=2,task=tf/0]": ["model/finetune", { task: "tf/0", seed: 2, batchSize: 8 }, 0.22],
      },
    },
  ]);
  const r = await compareRuns(s, ["p"]);
  const cells = r.summary.cells.map((c) => [c.variant.coords.stage, c.n, Number(c.mean!.toFixed(6))]);
  assert.deepEqual(cells, [
    ["ft32", 2, 0.51],
    ["ft8", 2, 0.21],
  ]);
  assert.ok(r.summary.axes.includes("stage"));
  // one stage over seeds only: no extra coordinate
  const one = storeOf([
    {
      id: "20260101T000000Z-a",
      pipeline: "q",
      stages: {
        "ft[seed=1,task=tf/0]": ["model/finetune", { seed: 1, task: "tf/0", batchSize: 8 }, 0.3],
        "ft[seed=2,task=tf/0]": ["model/finetune", { seed: 2, task: "tf/0", batchSize: 8 }, 0.4],
      },
    },
  ]);
  const r1 = await compareRuns(one, ["q"]);
  assert.deepEqual(
    r1.summary.cells.map((c) => [c.n, c.variant.coords.stage]),
    [[2, undefined]],
  );
});

test("compare NAME uses the latest complete run and says so when the latest is partial", async () => {
  const full = { "ft[seed=1,task=tf/0]": ["model/finetune", { seed: 1 }, 0.5], "ft[seed=2,task=tf/0]": ["model/finetune", { seed: 2 }, 0.6] } as Record<
    string,
    [string, Record<string, unknown>, number]
  >;
  const s = storeOf([
    { id: "20260101T000000Z-a", pipeline: "p", stages: full },
    { id: "20260102T000000Z-b", pipeline: "p", stages: { "ft[seed=1,task=tf/0]": ["model/finetune", { seed: 1 }, 0.1] } },
  ]);
  const warnings: string[] = [];
  const r = await compareRuns(s, ["p"], {}, (m) => warnings.push(m));
  assert.deepEqual(
    r.summary.cells.map((c) => c.n),
    [2],
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^p: the latest run 20260102T000000Z-b is partial \(ok, 1 of 2 stages\); using 20260101T000000Z-a, the latest complete run/);
  assert.match(r.terminal, /warning: p: the latest run 20260102T000000Z-b is partial/);
  // a run id is taken as given, without a warning
  const w2: string[] = [];
  await compareRuns(s, ["20260102T000000Z-b"], {}, (m) => w2.push(m));
  assert.deepEqual(w2, []);
});
