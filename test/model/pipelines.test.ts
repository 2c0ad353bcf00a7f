// pipelines/randommask.yaml and pipelines/tinydnabert.yaml: the full-scale recipes plan cleanly, and their toy profiles
// run end to end on the bundled hg38 chr2 slice (no network) and produce a loadable model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, events, ran } from "../helpers/cli.js";
import { fixture, repoRoot } from "../helpers/paths.js";
import { ENV, requireWorkerPython } from "./helpers.js";

requireWorkerPython();

const root = repoRoot();
const TOY = ["--profile", "toy", "--set", `genome.url=${fixture("genome", "chr2_1-2333275.fa.gz")}`];

for (const name of ["randommask", "tinydnabert"]) {
  test(`${name}.yaml plans at full scale, then its toy profile runs end to end on bundled data`, () => {
    const store = mkdtempSync(join(tmpdir(), `dnaflow-${name}-`));
    const file = join(root, "pipelines", `${name}.yaml`);
    const plan = dnaflow(["plan", file, "--json", "--store", store], { cwd: root, env: ENV });
    assert.equal(plan.code, 0, plan.stderr);
    const stages = JSON.parse(plan.stdout).stages as Array<{ id: string; action: string }>;
    assert.deepEqual(stages.map((s) => s.id).sort(), ["fragments", "genome", "pretrain", "segments", "split", "train-tokens", "valid-tokens", name === "randommask" ? "kmer6" : "bpe"].sort());

    const show = JSON.parse(dnaflow(["show", file, "pretrain", "--store", store], { cwd: root, env: ENV }).stdout);
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
    const metrics = readFileSync(join(model, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(metrics.length, 20);
    if (name === "randommask") assert.deepEqual([...new Set(metrics.map((m) => m.maskSpanMax))], [6, 8, 10, 12, 14]);
    const manifest = JSON.parse(readFileSync(join(store, "objects", done.key, "manifest.json"), "utf8"));
    assert.ok(Number.isFinite(manifest.meta.validLoss), "validation loss scored on the valid split");
    const cfg = JSON.parse(readFileSync(join(model, "config.json"), "utf8"));
    assert.equal(cfg.model_type, name === "randommask" ? "bert" : "roberta");
    assert.equal(cfg.vocab_size, name === "randommask" ? 4101 : 128);
  });
}
