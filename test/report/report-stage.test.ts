// report/summary over a fanned-in matrix: aggregation over seeds, gain over scratch, references, loss curves, files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import summary from "../../stages/report/summary.js";
import { phaseBoundaries, readLossCurve, summarize, resultsFromInputs, toCsv, toMarkdown, toTerminal } from "../../lib/report/index.js";
import { mcc, metricsItems, pretrainItems, TASKS } from "./data.js";

test("summary: mean ± sd over seeds per task × variant, gains over scratch, averages", async () => {
  const s = summarize(await resultsFromInputs(metricsItems()), { baseline: { axis: "init", value: "scratch" } });
  assert.deepEqual(s.axes, ["init", "tokenizer"]);
  assert.equal(s.variants.length, 4);
  assert.deepEqual(s.tasks, [...TASKS].sort());
  const cell = s.cells.find((c) => c.task === "tf/0" && c.variant.coords.tokenizer === "bpe" && c.variant.coords.init === "pretrained")!;
  assert.ok(Math.abs(cell.mean! - (mcc("tf/0", "bpe", "pretrained", 1) + mcc("tf/0", "bpe", "pretrained", 2)) / 2) < 1e-12);
  assert.ok(Math.abs(cell.sd! - Math.SQRT2 * 0.01) < 1e-12, String(cell.sd));
  assert.equal(cell.n, 2);
  assert.ok(Math.abs(cell.gain! - 0.1) < 1e-12, String(cell.gain));
  assert.equal(s.gains.length, 2);
  assert.ok(s.cells.filter((c) => c.variant.coords.init === "scratch").every((c) => c.gain === undefined));
  const avg = s.averages.find((a) => a.variant.coords.tokenizer === "kmer6" && a.variant.coords.init === "scratch")!;
  assert.ok(Math.abs(avg.mean! - (0.55 + 0.6 + 0.7) / 3) < 1e-12);
  assert.equal(avg.complete, true);
});

test("report/summary writes report.html, report.md, results.csv and logs the table", async () => {
  const r = await runStage(summary, {
    inputs: { metrics: metricsItems(), pretrain: pretrainItems() },
    params: { title: "ablation", reference: ["dnabert2", "nt-2500m-multi"], baseline: { axis: "init", value: "scratch" } },
  });
  const dir = r.outputs.report;
  const csv = readFileSync(join(dir, "results.csv"), "utf8").trim().split("\n");
  assert.equal(csv[0], "task,init,seed,tokenizer,split,kind,n,mcc,accuracy,f1,source");
  assert.equal(csv.length, 1 + 24 * 2, "one row per instance and split");
  const md = readFileSync(join(dir, "report.md"), "utf8");
  assert.match(md, /^# ablation\n/);
  assert.match(md, /\| tf\/0 \| DNABERT-2 \(published\) \| {2}\| mcc \| 0\.7199 \|/);
  assert.match(md, /\| tf\/0 \| pretrained \| bpe \| mcc \| 0\.7300 \| 0\.0141 \| 2 \| 0\.1000 \|/);
  assert.match(md, /NT-2500M-multi \(published\) \| 0\.6693 \| 28 \| GUE all \(3 of these tasks here\)/);
  const html = readFileSync(join(dir, "report.html"), "utf8");
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
  for (const id of ["metric-per-task", "gain-over-baseline", "pretrain-loss"]) assert.ok(html.includes(`<figure id="${id}">`), id);
  assert.equal((html.match(/class="phase-boundary"/g) ?? []).length, 4, "two phase changes per curve");
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, "self-contained: no scripts, no remote resources");
  assert.ok(
    r.logs.some((l) => /^tf\/0\s+pretrained\s+bpe\s+mcc\s+0\.7300/.test(l)),
    r.logs.join("\n"),
  );
  assert.deepEqual(
    { results: r.meta.results, tasks: r.meta.tasks, variants: r.meta.variants, curves: r.meta.curves },
    { results: 24, tasks: 3, variants: 4, curves: 2 },
  );
});

test("loss log reader: numeric step+loss events, phases, eval lines and a cut last line ignored", () => {
  const pts = readLossCurve(readFileSync(join(pretrainItems()[0].path, "metrics.jsonl"), "utf8"));
  assert.equal(pts.length, 30);
  assert.deepEqual(phaseBoundaries(pts), [
    { step: 110, phase: "mask-0.25" },
    { step: 210, phase: "mask-0.40" },
  ]);
  assert.deepEqual(readLossCurve('{"step":1,"loss":2}\n{"step":"2","loss":1}\nnot json\n{"step":3,"loss":1.5,"phase":2}\n'), [
    { step: 1, loss: 2 },
    { step: 3, loss: 1.5, phase: "2" },
  ]);
});

test("table renderers: terminal alignment, markdown escaping, CSV quoting", () => {
  const t = {
    columns: [
      { key: "a", label: "name" },
      { key: "b", label: "value", numeric: true, digits: 2 },
    ],
    rows: [
      ["x|y", 1],
      ['q"uote,d', null],
    ],
  };
  assert.equal(toTerminal(t), 'name      value\n────────  ─────\nx|y        1.00\nq"uote,d      –\n');
  assert.equal(toMarkdown(t), '| name | value |\n|---|---:|\n| x\\|y | 1.00 |\n| q"uote,d | – |\n');
  assert.equal(toCsv(t), 'a,b\nx|y,1\n"q""uote,d",\n');
});

test("a metrics artifact without a task name or task axis is refused", async () => {
  const [item] = metricsItems();
  await assert.rejects(resultsFromInputs([{ ...item, matrix: {} }]), /no task \(metrics.json has no "task" and the instance has no 'task' axis\)/);
});
