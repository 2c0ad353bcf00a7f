// model/finetune through the built CLI, on real data: bundled chrM → BPE → shards → a tiny pretrained model, and GUE
// prom_core_tata rows (test/fixtures/benchmark) finetuned from it and from scratch. Metrics equal scikit-learn's on the
// published predictions; the model reloads with AutoModelForSequenceClassification; init/model binding mistakes fail
// as bad input; the engine SIGKILLed mid-finetune and rerun publishes byte-identical predictions and metrics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, ran, runAndKillEngineAt } from "../helpers/cli.js";
import { fixture } from "../helpers/paths.js";
import { ENV, PYTHON, TINY, bytes, outputOf, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";

requireWorkerPython();

const FT = `      task: prom/prom_core_tata
      batchSize: 16
      epochs: 1
      lr: 0.002
      warmupSteps: 2
      evalEvery: 5
      checkpointEvery: 3
      seed: 7`;

const STAGES = (o: { pretrainedBindsModel?: boolean; scratchBindsModel?: boolean } = {}) => `
  benchmark:
    uses: data/benchmark@1
    inputs: { source: gue }
  finetune:
    matrix: { init: [pretrained] }
    uses: model/finetune@1
    with:
      init: "\${{ matrix.init }}"
${FT}
    inputs:
      tasks: "\${{ stages.benchmark.outputs.tasks }}"
      tokenizer: "\${{ stages.tokenizer.outputs.tokenizer }}"${o.pretrainedBindsModel === false ? "" : `\n      model: "\${{ stages.pretrain.outputs.model }}"`}
    resources: { cpus: 1 }
  finetune-scratch:
    matrix: { init: [scratch] }
    uses: model/finetune@1
    with:
      init: "\${{ matrix.init }}"
      model: { layers: 2, hidden: 32, heads: 2, intermediate: 64, maxPositions: 64 }
${FT}
    inputs:
      tasks: "\${{ stages.benchmark.outputs.tasks }}"
      tokenizer: "\${{ stages.tokenizer.outputs.tokenizer }}"${o.scratchBindsModel ? `\n      model: "\${{ stages.pretrain.outputs.model }}"` : ""}
    resources: { cpus: 1 }
`;

function ftProject(stages = STAGES()): string {
  const dir = project(tinyPipeline(TINY, stages));
  cpSync(fixture("benchmark", "gue", "prom"), join(dir, "gue", "prom"), { recursive: true });
  return dir;
}

let reference: string | undefined;
function referenceRun(): string {
  if (!reference) {
    const dir = ftProject();
    const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir, env: ENV });
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    reference = dir;
  }
  return reference;
}

const PRETRAINED = "finetune[init=pretrained]";
const SCRATCH = "finetune-scratch[init=scratch]";

test("finetune from pretrained and from scratch: metrics.json (docs/evaluation.md) equal scikit-learn's on predictions.csv; the model reloads", () => {
  const dir = referenceRun();
  for (const id of [PRETRAINED, SCRATCH]) {
    const metricsDir = outputOf(dir, id, "metrics");
    const m = JSON.parse(readFileSync(join(metricsDir, "metrics.json"), "utf8"));
    assert.equal(m.format, 1);
    assert.deepEqual([m.task, m.kind, m.numClasses, m.primary], ["prom/prom_core_tata", "classification", 2, "mcc"]);
    assert.deepEqual([m.splits.dev.n, m.splits.test.n], [613, 613]);
    assert.equal(m.init, id === PRETRAINED ? "pretrained" : "scratch");
    assert.equal(m.steps, 25); // 400 training rows / 16 per step, one epoch
    assert.deepEqual(
      m.history.map((h: { step: number }) => h.step),
      [5, 10, 15, 20, 25],
    );
    assert.equal(m.bestDevLoss, Math.min(...m.history.map((h: { devLoss: number }) => h.devLoss)));
    // the oracle: scikit-learn on the published predictions
    const py = `
import csv, json, sys
from sklearn.metrics import matthews_corrcoef, accuracy_score, f1_score, precision_score, recall_score
rows = list(csv.DictReader(open(sys.argv[1])))
out = {}
for split in ("dev", "test"):
    y = [int(r["label"]) for r in rows if r["split"] == split]; p = [int(r["prediction"]) for r in rows if r["split"] == split]
    out[split] = {"mcc": matthews_corrcoef(y, p), "accuracy": accuracy_score(y, p), "f1": f1_score(y, p, average="macro", zero_division=0),
                  "precision": precision_score(y, p, average="macro", zero_division=0), "recall": recall_score(y, p, average="macro", zero_division=0)}
print(json.dumps(out))`;
    const r = spawnSync(PYTHON, ["-c", py, join(metricsDir, "predictions.csv")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const sk = JSON.parse(r.stdout);
    for (const split of ["dev", "test"])
      for (const k of ["mcc", "accuracy", "f1", "precision", "recall"])
        assert.ok(Math.abs(m.splits[split][k] - sk[split][k]) < 1e-12, `${id} ${split} ${k}: ${m.splits[split][k]} vs sklearn ${sk[split][k]}`);
    const model = outputOf(dir, id, "model");
    const load = spawnSync(
      PYTHON,
      [
        "-c",
        `import sys; from transformers import AutoModelForSequenceClassification as A; m = A.from_pretrained(sys.argv[1]); print(type(m).__name__, m.config.num_labels)`,
        model,
      ],
      { encoding: "utf8" },
    );
    assert.equal(load.stdout.trim(), "RobertaForSequenceClassification 2", load.stderr);
  }
  // from pretrained weights vs random ones: different models
  assert.ok(!bytes(join(outputOf(dir, PRETRAINED, "model"), "model.safetensors")).equals(bytes(join(outputOf(dir, SCRATCH, "model"), "model.safetensors"))));
});

test("plan-time checks: init/model disagreements, a task not in the tasks input, a task not in the named suite — exit 2 with file:line:col", () => {
  const dir = ftProject();
  const cases: Array<[string, RegExp]> = [
    [
      STAGES({ scratchBindsModel: true }),
      /^bad\.yaml:\d+:\d+: stage 'finetune-scratch\[init=scratch\]': init: scratch trains from random weights, but the `model` input is bound/m,
    ],
    [STAGES({ pretrainedBindsModel: false }), /^bad\.yaml:\d+:\d+: stage 'finetune\[init=pretrained\]': init: pretrained needs the `model` input/m],
    [
      STAGES().replace("task: prom/prom_core_tata", "task: prom/prom_core_tataa"),
      /^bad\.yaml:\d+:\d+: stage 'finetune\[init=pretrained\]': task: no task 'prom\/prom_core_tataa' in the tasks input \(did you mean 'prom\/prom_core_tata'\?\); it will hold: prom\/prom_core_tata$/m,
    ],
    [
      STAGES().replace('      init: "${{ matrix.init }}"\n' + FT, '      init: "${{ matrix.init }}"\n      model: { layers: 2 }\n' + FT),
      /^bad\.yaml:\d+:\d+: stage 'finetune\[init=pretrained\]': model: an architecture is given but init is pretrained/m,
    ],
    [
      STAGES().replace("inputs: { source: gue }", "with: { suite: gue, tasks: [prom/prom_core_tata, prom/prom_core_tatta] }\n    inputs: { source: gue }"),
      /^bad\.yaml:\d+:\d+: stage 'benchmark': tasks: 'prom\/prom_core_tatta' \(did you mean 'prom\/prom_core_tata'\?\) is not in the task list 'gue'/m,
    ],
  ];
  for (const [stages, msg] of cases) {
    const yaml = tinyPipeline(TINY, stages);
    assert.notEqual(yaml, tinyPipeline(TINY, STAGES()), "the case changed the pipeline");
    writeFileSync(join(dir, "bad.yaml"), yaml);
    const r = dnaflow(["plan", "bad.yaml"], { cwd: dir, env: ENV });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, msg);
  }
  // the pretrained finetune's params (and so its key) hold no architecture; the scratch one's hold its architecture with defaults
  const show = (id: string) => dnaflow(["show", "p.yaml", id], { cwd: dir, env: ENV }).stdout;
  assert.doesNotMatch(show(PRETRAINED), /"?layers"?/);
  assert.match(show(SCRATCH), /"?layers"?:\s*2/);
  assert.match(show(SCRATCH), /"?dropout"?:\s*0\.1/);
});

test("a finetune run records its checkpoint selection and collapsed splits in metrics.json", () => {
  const dir = referenceRun();
  for (const id of [PRETRAINED, SCRATCH]) {
    const m = JSON.parse(readFileSync(join(outputOf(dir, id, "metrics"), "metrics.json"), "utf8"));
    assert.equal(m.selectBy, "loss");
    assert.ok(Array.isArray(m.collapsed));
    const preds = readFileSync(join(outputOf(dir, id, "metrics"), "predictions.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    for (const split of ["dev", "test"]) {
      const one = new Set(preds.filter((p) => p[0] === split).map((p) => p[3])).size === 1;
      assert.equal(m.collapsed.includes(split), one, `${id} ${split}: collapsed flag vs predictions`);
    }
  }
});

test("the engine SIGKILLed at a random finetune step, then rerun: predictions.csv and metrics.json byte-identical to an uninterrupted run", async () => {
  const ref = referenceRun();
  const dir = ftProject(STAGES().replace(/ {2}finetune-scratch:[\s\S]*$/, ""));
  const step = 4 + Math.floor(Math.random() * 15); // of 25: still training when the kill lands
  await runAndKillEngineAt(dir, PRETRAINED, step, ENV);
  const key = outputOf(dir, PRETRAINED, "metrics").split("/").at(-3)!;
  assert.equal(key, outputOf(ref, PRETRAINED, "metrics").split("/").at(-3), "same key as the reference run");
  const ck = join(dir, ".dnaflow", "checkpoints", key);
  assert.ok(existsSync(ck) && readdirSync(ck).some((n) => n.startsWith("step-")), `checkpoints written before the kill at step ${step}`);
  const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ran(r.stdout), [PRETRAINED], "only the killed stage runs again");
  assert.match(dnaflow(["log", "p.yaml", PRETRAINED], { cwd: dir }).stdout, /resumed from step \d+/);
  for (const f of ["predictions.csv", "metrics.json"])
    assert.ok(
      bytes(join(outputOf(dir, PRETRAINED, "metrics"), f)).equals(bytes(join(outputOf(ref, PRETRAINED, "metrics"), f))),
      `${f} differs after a kill at step ${step}`,
    );
  assert.ok(bytes(join(outputOf(dir, PRETRAINED, "model"), "model.safetensors")).equals(bytes(join(outputOf(ref, PRETRAINED, "model"), "model.safetensors"))));
});
