// eval/baseline through the built CLI on real data (GUE prom_core_tata rows, test/fixtures/benchmark): its metrics equal
// scikit-learn's on its own predictions, it uses the same fixed training subset as model/finetune, its bytes are the
// same in two stores; and a collapsed classifier (one class for a whole split) is flagged in the stage log, as a
// terminal warning event and in the report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, events, tempProject } from "../helpers/cli.js";
import { fixture } from "../helpers/paths.js";
import { ENV, PYTHON, outputOf, requireWorkerPython } from "../model/helpers.js";

requireWorkerPython();

const PIPELINE = `name: baseline
stages:
  benchmark:
    uses: data/benchmark@1
    with: { suite: gue, tasks: [prom/prom_core_tata] }
    inputs: { source: gue }
  baseline:
    matrix: { task: [prom/prom_core_tata] }
    uses: eval/baseline@1
    with: { task: "\${{ matrix.task }}", trainRows: 300 }
    inputs: { tasks: "\${{ stages.benchmark.outputs.tasks }}" }
  report:
    uses: report/summary@1
    with: { title: baseline }
    inputs: { metrics: "\${{ stages.baseline.outputs.metrics }}" }
`;

function projectDir(): string {
  const dir = tempProject({ "p.yaml": PIPELINE });
  cpSync(fixture("benchmark", "gue", "prom"), join(dir, "gue", "prom"), { recursive: true });
  return dir;
}

test("eval/baseline: 4-mer logistic regression; metrics equal scikit-learn's on its predictions; the same bytes in two stores", () => {
  const a = projectDir();
  const r = dnaflow(["run", "p.yaml"], { cwd: a, env: ENV });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const dir = outputOf(a, "baseline[task=prom/prom_core_tata]", "metrics");
  const m = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8"));
  assert.deepEqual([m.task, m.kind, m.primary, m.splits.dev.n, m.splits.test.n], ["prom/prom_core_tata", "classification", "mcc", 613, 613]);
  assert.deepEqual([m.baseline.model, m.baseline.k, m.baseline.trainRows, m.baseline.features], ["logistic-regression", 4, 300, 256]);
  const py = `
import csv, json, sys
from sklearn.metrics import matthews_corrcoef
rows = list(csv.DictReader(open(sys.argv[1])))
print(json.dumps({s: matthews_corrcoef([int(r["label"]) for r in rows if r["split"] == s], [int(r["prediction"]) for r in rows if r["split"] == s]) for s in ("dev", "test")}))`;
  const sk = JSON.parse(spawnSync(PYTHON, ["-c", py, join(dir, "predictions.csv")], { encoding: "utf8" }).stdout);
  for (const s of ["dev", "test"]) assert.ok(Math.abs(m.splits[s].mcc - sk[s]) < 1e-12);
  // on 300 training rows a 4-mer model learns a little of this task (measured: test MCC 0.175): above chance, not perfect
  assert.ok(m.splits.test.mcc > 0.1 && m.splits.test.mcc < 0.99, `test MCC ${m.splits.test.mcc}`);
  // the report shows it as its own row, labelled by its model
  assert.match(readFileSync(join(outputOf(a, "report", "report"), "report.md"), "utf8"), /4-mer logistic-regression/);
  // the same training subset as model/finetune (worker/finetune_data.train_subset), and byte-identical in another store
  const b = projectDir();
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: b, env: ENV }).code, 0);
  for (const f of ["predictions.csv", "metrics.json", "baseline.json"])
    assert.ok(
      readFileSync(join(dir, f)).equals(readFileSync(join(outputOf(b, "baseline[task=prom/prom_core_tata]", "metrics"), f))),
      `${f} differs between stores`,
    );
});

test("a collapsed classifier is flagged: stage log, a warning event on the terminal, the report", () => {
  const dir = tempProject({
    "p.yaml": `name: collapsed
stages:
  metrics:
    uses: eval/metrics@1
    with: { task: tf/0 }
    inputs: { predictions: preds }
  report:
    uses: report/summary@1
    inputs: { metrics: "\${{ stages.metrics.outputs.metrics }}" }
`,
  });
  mkdirSync(join(dir, "preds"));
  const rows = ["split,row,label,prediction"];
  for (let i = 0; i < 20; i++) rows.push(`dev,${i},${i % 2},${i % 3 === 0 ? 1 : 0}`, `test,${i},${i % 2},0`);
  writeFileSync(join(dir, "preds", "predictions.csv"), rows.join("\n") + "\n");
  const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  const warnings = events(r.stdout)
    .filter((e) => e.type === "warning")
    .map((e) => e.message);
  assert.deepEqual(warnings, [
    "metrics: tf/0: the model predicts a single class for all 20 test rows (collapsed; MCC 0): it learned nothing usable — try selectBy: mcc, another lr or more epochs",
  ]);
  const m = JSON.parse(readFileSync(join(outputOf(dir, "metrics", "metrics"), "metrics.json"), "utf8"));
  assert.deepEqual(m.collapsed, ["test"]);
  assert.match(dnaflow(["log", "p.yaml", "metrics"], { cwd: dir, env: ENV }).stdout, /warning: tf\/0: the model predicts a single class for all 20 test rows/);
  const md = readFileSync(join(outputOf(dir, "report", "report"), "report.md"), "utf8");
  assert.match(md, /predicts a single class on test \(collapsed model, MCC 0\)/);
  assert.match(md, /1\/1 test/);
});
