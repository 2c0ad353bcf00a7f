// What a report says about its results: paired gains over scratch by pretraining steps (scratch has no `steps` axis)
// with the bootstrap CI and tests, the classical baseline as its own row and comparison, collapsed models flagged,
// and reference averages counting only the reference suite's tasks. Inputs are written as the stages write them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputItem } from "../../core/input-item.js";
import { renderReport, resultsFromInputs } from "../../lib/report/index.js";
import { pairedStats } from "../../lib/metrics/paired.js";

const TASKS = ["prom/prom_core_tata", "tf/0", "mouse/0"];
const base = [0.5, 0.3, 0.4];
const noise = (t: number, seed: number) => ((t * 7 + seed * 3) % 5) / 100 - 0.02;

function items(): InputItem[] {
  const root = mkdtempSync(join(tmpdir(), "dnaflow-stats-"));
  const out: InputItem[] = [];
  const write = (name: string, m: Record<string, unknown>, from: string, matrix: InputItem["matrix"]) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "metrics.json"), JSON.stringify({ format: 1, kind: "classification", primary: "mcc", ...m }));
    out.push({ path: dir, from, matrix });
  };
  TASKS.forEach((task, t) => {
    for (const seed of [1, 2, 3]) {
      const scratch = base[t] + noise(t, seed);
      const collapsed = task === "tf/0" && seed === 2;
      write(
        `s-${t}-${seed}`,
        { task, splits: { test: { n: 100, mcc: collapsed ? 0 : scratch } }, collapsed: collapsed ? ["dev", "test"] : [] },
        `finetune-scratch[task=${task},seed=${seed},init=scratch]`,
        { task, seed, init: "scratch" },
      );
      for (const steps of [50, 200, 800]) {
        const gain = steps === 50 ? 0 : steps === 200 ? 0.02 : 0.08;
        write(
          `p-${t}-${seed}-${steps}`,
          { task, splits: { test: { n: 100, mcc: scratch + gain + noise(t, seed + steps) / 4 } }, collapsed: [] },
          `finetune[steps=${steps},task=${task},seed=${seed},init=pretrained]`,
          { steps, task, seed, init: "pretrained" },
        );
      }
    }
    write(
      `b-${t}`,
      { task, splits: { test: { n: 100, mcc: base[t] - 0.1 } }, collapsed: [], baseline: { model: "logistic-regression", k: 4 } },
      `baseline[task=${task}]`,
      { task },
    );
  });
  return out;
}

test("paired gains over scratch by steps, against the k-mer baseline, collapsed models and the gain chart", async () => {
  const data = { results: await resultsFromInputs(items()), curves: [] };
  const r = renderReport(data, { title: "t", references: ["dnabert2"], baseline: { axis: "init", value: "scratch" } });
  const s = r.summary;
  // the classical baseline is its own variant, labelled by its model
  assert.ok(s.variants.some((v) => v.coords.model === "4-mer logistic-regression"));
  const byLabel = new Map(s.paired.map((p) => [`${p.variant.label} − ${p.baseline.label}`, p]));
  const g800 = [...byLabel.entries()].find(([k]) => k.startsWith("init=pretrained · model=– · steps=800 − init=scratch"));
  assert.ok(g800, `paired comparisons: ${[...byLabel.keys()].join("; ")}`);
  // the oracle: the same differences computed here by hand, through the same statistics
  const results = data.results;
  const diffs: number[] = [];
  for (const task of TASKS)
    for (const seed of [1, 2, 3]) {
      const a = results.find((x) => x.task === task && x.coords.seed === seed && x.coords.steps === 800)!.splits.test.mcc!;
      const b = results.find((x) => x.task === task && x.coords.seed === seed && x.coords.init === "scratch")!.splits.test.mcc!;
      diffs.push(a - b);
    }
  assert.deepEqual(g800[1].stats, pairedStats(diffs, { seed: 42 }));
  assert.equal(g800[1].stats.n, 9);
  assert.equal(g800[1].tasks, 3);
  assert.ok(g800[1].stats.wins === 9 && g800[1].stats.signP! < 0.01);
  // each LM variant also against the k-mer baseline (one fit per task: 9 pairs from 3 tasks × 3 seeds)
  const vsKmer = s.paired.filter((p) => p.baseline.coords.model === "4-mer logistic-regression");
  assert.equal(vsKmer.length, 4); // 3 steps values + scratch
  assert.ok(vsKmer.every((p) => p.stats.n === 9));
  // collapsed: counted in the cell, listed in warnings and in every output
  const tf = s.cells.find((c) => c.task === "tf/0" && c.variant.coords.init === "scratch")!;
  assert.deepEqual([tf.collapsed, tf.collapsedDev], [1, 1]);
  assert.ok(s.warnings.some((w) => /tf\/0 predicts a single class on dev and test \(collapsed model, MCC 0\)/.test(w)));
  assert.match(r.terminal, /1\/3 test, 1\/3 dev/);
  assert.match(r.markdown, /## Paired gains/);
  assert.match(r.terminal, /Wilcoxon p/);
  // the gain-vs-steps chart, with CI error bars and the zero point
  assert.match(r.html, /id="gain-by-axis"/);
  assert.equal((r.html.match(/class="error-bar"/g) ?? []).length, 3);
  // DNABERT-2's GUE average: these 3 tasks are GUE tasks
  assert.match(r.terminal, /GUE all \(3 of these tasks here\)/);
  // deterministic: the same inputs render the same bytes
  const again = renderReport(
    { results: await resultsFromInputs(items()), curves: [] },
    { title: "t", references: ["dnabert2"], baseline: { axis: "init", value: "scratch" } },
  );
  assert.equal(again.markdown.replace(/\/tmp\/[^\s|]+/g, ""), r.markdown.replace(/\/tmp\/[^\s|]+/g, ""));
});

test("reference averages count only the reference suite's tasks", async () => {
  const root = mkdtempSync(join(tmpdir(), "dnaflow-ref-"));
  const it = (task: string): InputItem => {
    const dir = join(root, task.replace(/\//g, "_"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "metrics.json"),
      JSON.stringify({ format: 1, kind: "classification", primary: "mcc", task, splits: { test: { n: 10, mcc: 0.5 } } }),
    );
    return { path: dir, from: task, matrix: {} };
  };
  const results = await resultsFromInputs([it("prom/prom_core_tata"), it("dnabert2_sample"), it("tf/0"), it("gue/mouse/0")]);
  const r = renderReport({ results, curves: [] }, { title: "t", references: ["dnabert2"] });
  assert.match(r.terminal, /GUE all \(3 of these tasks here\)/); // dnabert2_sample is not a GUE task
});
