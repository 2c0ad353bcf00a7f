// pipelines/randommask.yaml and pipelines/tinydnabert.yaml: the full-scale recipes (pretraining → every task of the
// suite × 3 seeds finetuned → a k-mer baseline → a report) plan cleanly against a task folder with the suite's layout,
// and their toy profiles run the whole chain end to end on bundled data (no network).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, events, ran } from "../helpers/cli.js";
import { fixture, repoRoot } from "../helpers/paths.js";
import { ENV, requireWorkerPython } from "./helpers.js";
import { suites } from "../../lib/benchmark/suites.js";

requireWorkerPython();

const root = repoRoot();
const TOY = ["--profile", "toy", "--set", `genome.url=${fixture("genome", "chr2_1-2333275.fa.gz")}`];

for (const name of ["randommask", "tinydnabert"]) {
  test(`${name}.yaml plans at full scale, then its toy profile runs end to end on bundled data`, () => {
    const store = mkdtempSync(join(tmpdir(), `dnaflow-${name}-`));
    const file = join(root, "pipelines", `${name}.yaml`);
    // the suite's task folders (the layout GUE.zip / the converted NT tasks unpack to), for the full-scale plan
    const suite = suites().get(name === "randommask" ? "gue" : "nt")!;
    const data = mkdtempSync(join(tmpdir(), `dnaflow-${suite.name}-`));
    for (const t of suite.tasks) {
      mkdirSync(join(data, t.name), { recursive: true });
      writeFileSync(join(data, t.name, "train.csv"), "sequence,label\n");
    }
    const dataParam = name === "randommask" ? "gue" : "nt";
    const plan = dnaflow(["plan", file, "--json", "--store", store, "--set", `${dataParam}=${data}`], { cwd: root, env: ENV });
    assert.equal(plan.code, 0, plan.stderr);
    const stages = (JSON.parse(plan.stdout).stages as Array<{ id: string; action: string }>).map((s) => s.id);
    const pretraining = [
      "fragments",
      "genome",
      "pretrain",
      "segments",
      "split",
      "tokens[split=train]",
      "tokens[split=valid]",
      name === "randommask" ? "kmer6" : "bpe",
    ];
    const inits = name === "randommask" ? [undefined] : ["pretrained", "scratch"];
    const finetunes = inits.flatMap((init) =>
      suite.tasks.flatMap((t) => [1, 2, 3].map((seed) => `finetune[${init ? `init=${init},` : ""}task=${t.name},seed=${seed}]`)),
    );
    const baselines = suite.tasks.map((t) => `baseline[task=${t.name}]`);
    assert.deepEqual(stages.sort(), [...pretraining, "benchmark", ...finetunes, ...baselines, "report"].sort());
    assert.equal(finetunes.length, suite.tasks.length * 3 * inits.length); // 28 GUE or 18 NT tasks × 3 seeds (× 2 inits)
    const ft = JSON.parse(dnaflow(["show", file, finetunes[0], "--store", store, "--set", `${dataParam}=${data}`], { cwd: root, env: ENV }).stdout).params;
    assert.equal(ft.preset, name === "randommask" ? "randommask" : "dnabert2");
    assert.deepEqual([ft.lr, ft.epochs, ft.init, ft.model], [null, null, "pretrained", undefined]); // the preset decides; no architecture keyed

    const show = JSON.parse(dnaflow(["show", file, "pretrain", "--store", store, "--set", `${dataParam}=${data}`], { cwd: root, env: ENV }).stdout);
    const p = show.params;
    if (name === "randommask") {
      assert.deepEqual(
        { ...p.model, dropout: undefined, attentionDropout: undefined },
        { family: "bert", layers: 12, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 512, dropout: undefined, attentionDropout: undefined },
      );
      assert.equal(p.masking.strategy, "randommask");
      assert.equal(p.masking.phases, 5);
      assert.deepEqual([p.steps, p.batchSize, p.optimizer.lr], [480000, 512, 1e-4]);
    } else {
      assert.deepEqual([p.model.family, p.model.layers, p.model.hidden, p.model.heads, p.model.intermediate], ["roberta", 6, 512, 8, 2048]);
      assert.deepEqual([p.steps, p.batchSize, p.optimizer.lr, p.optimizer.warmupSteps, p.optimizer.weightDecay], [200000, 128, 1e-4, 20000, 1e-5]);
    }

    const r = dnaflow(["run", file, "--json", "--store", store, ...TOY], { cwd: root, env: ENV });
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
    assert.ok(ran(r.stdout).includes("pretrain"));
    const done = events(r.stdout).find((e) => e.type === "stage-done" && e.id === "pretrain")!;
    const model = join(store, "objects", done.key, "out", "model");
    const metrics = readFileSync(join(model, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(metrics.length, 20);
    if (name === "randommask") assert.deepEqual([...new Set(metrics.map((m) => m.maskSpanMax))], [6, 8, 10, 12, 14]);
    const manifest = JSON.parse(readFileSync(join(store, "objects", done.key, "manifest.json"), "utf8"));
    assert.ok(Number.isFinite(manifest.meta.validLoss), "validation loss scored on the valid split");
    const cfg = JSON.parse(readFileSync(join(model, "config.json"), "utf8"));
    assert.equal(cfg.model_type, name === "randommask" ? "bert" : "roberta");
    assert.equal(cfg.vocab_size, name === "randommask" ? 4101 : 128);
    // the rest of the chain: finetunes × 3 seeds, the baseline and the report, on the bundled task(s)
    const toyTasks = name === "randommask" ? ["prom/prom_core_tata", "tf/0", "mouse/0"] : ["prom/prom_core_tata"];
    const made = ran(r.stdout);
    assert.equal(made.filter((id) => id.startsWith("finetune")).length, toyTasks.length * 3 * inits.length);
    assert.equal(made.filter((id) => id.startsWith("baseline[")).length, toyTasks.length);
    const report = events(r.stdout).find((e) => e.type === "stage-done" && e.id === "report")!;
    const md = readFileSync(join(store, "objects", report.key, "out", "report", "report.md"), "utf8");
    for (const t of toyTasks) assert.match(md, new RegExp(`\\| ${t.replace("/", "\\/")} \\|.*4-mer logistic-regression`));
    assert.match(md, /## Paired gains/);
    if (name === "randommask") assert.match(md, /RandomMask \(published\)/);
    else assert.match(md, /init=pretrained.*init=scratch/);
  });
}

test("pretraining-gain.yaml: its ci profile runs the whole chain (pretrain by steps, finetunes × seeds, baseline, report with paired gains)", () => {
  const store = mkdtempSync(join(tmpdir(), "dnaflow-gain-"));
  const file = join(root, "pipelines", "pretraining-gain.yaml");
  const r = dnaflow(["run", file, "--json", "--store", store, "--profile", "ci"], { cwd: root, env: ENV });
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
  const made = ran(r.stdout);
  assert.deepEqual(
    made.filter((id) => id.startsWith("pretrain[")),
    ["pretrain[steps=20]"],
  );
  assert.equal(made.filter((id) => id.startsWith("finetune")).length, 4); // (steps=20 pretrained + scratch) × 2 seeds
  const report = events(r.stdout).find((e) => e.type === "stage-done" && e.id === "report")!;
  const md = readFileSync(join(store, "objects", report.key, "out", "report", "report.md"), "utf8");
  assert.match(md, /## Paired gains/);
  assert.match(md, /init=pretrained · model=– · steps=20 \| init=scratch · model=– · steps=– \| 2 \| 1 \|/);
  assert.match(md, /4-mer logistic-regression/);
});
