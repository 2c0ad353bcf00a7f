// model/pretrain through the built CLI: a tiny real-data pipeline trains and publishes a Hugging Face directory; the
// engine SIGKILLed at random steps (its worker orphaned, then stopped by the rerun) ends byte-identical to an
// uninterrupted run; bad input fails with the field named and publishes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, events, objectKeys, planJson, ran, runAndKillEngineAt } from "../helpers/cli.js";
import { ENV, TINY, bytes, outputOf, project, requireWorkerPython, tinyPipeline } from "./helpers.js";

requireWorkerPython();

let reference: { dir: string; model: string } | undefined;
function referenceRun() {
  if (!reference) {
    const dir = project(tinyPipeline(TINY));
    const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir, env: ENV });
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    reference = { dir, model: outputOf(dir, "pretrain", "model") };
  }
  return reference;
}

test("segments → BPE → shards → model/pretrain publishes an HF directory with metrics, loss curve and manifest metadata", () => {
  const { dir, model } = referenceRun();
  for (const f of [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "metrics.jsonl",
    "loss.svg",
    "training.json",
  ]) {
    assert.ok(existsSync(join(model, f)), f);
  }
  const config = JSON.parse(readFileSync(join(model, "config.json"), "utf8"));
  assert.equal(config.model_type, "roberta");
  assert.equal(config.vocab_size, 64);
  assert.equal(config.max_position_embeddings, 64 + 1); // RoBERTa positions start after pad id 0
  const metrics = readFileSync(join(model, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    metrics.map((m) => m.step),
    Array.from({ length: 24 }, (_, i) => i + 1),
  );
  assert.deepEqual([...new Set(metrics.map((m) => m.phase))], [0, 1, 2, 3, 4]);
  assert.ok(metrics.every((m) => m.maskRatio > 0 && Number.isFinite(m.loss)));
  assert.ok(
    metrics.every((m) => m.tokensPerS === undefined && m.stepS === undefined),
    "no timings in published files",
  );
  const manifest = JSON.parse(readFileSync(join(model, "..", "..", "manifest.json"), "utf8"));
  assert.equal(manifest.meta.device, "cpu");
  assert.equal(manifest.meta.finalLoss, metrics[23].loss);
  assert.ok(manifest.meta.timing.meanTokensPerS > 0 && manifest.meta.timing.steps === 24, "throughput is in the manifest's meta");
  assert.equal(manifest.meta.numerics.threads, 1);
  assert.ok(manifest.components.worker, "the worker digest is part of the key");
  const again = dnaflow(["run", "p.yaml", "--json"], { cwd: dir, env: ENV });
  assert.equal(again.code, 0);
  assert.deepEqual(ran(again.stdout), [], "everything cached on rerun");
});

test("SIGKILL of the engine at random steps, then a rerun each time: model.safetensors byte-identical to an uninterrupted run", async () => {
  const { dir: refDir, model: refModel } = referenceRun();
  const dir = project(tinyPipeline(TINY));
  assert.equal(outputOf(dir, "pretrain", "model").split("/").at(-3), refModel.split("/").at(-3), "same key in another directory");
  // Kills at steps 2..16 of 24, so the worker is still training when the (relayed, possibly late) kill lands.
  const a = 2 + Math.floor(Math.random() * 7);
  const kills = [a, a + 3 + Math.floor(Math.random() * 6)];
  for (const k of kills) await runAndKillEngineAt(dir, "pretrain", k, ENV);
  const ck = join(dir, ".dnaflow", "checkpoints", outputOf(dir, "pretrain", "model").split("/").at(-3)!);
  assert.ok(
    readdirSync(ck).some((n) => n.startsWith("step-")),
    `checkpoints written before the kills at ${kills}`,
  );
  const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ran(r.stdout), ["pretrain"], "only the killed stage runs again");
  const log = dnaflow(["log", "p.yaml", "pretrain"], { cwd: dir }).stdout;
  assert.match(log, /resumed from step \d+/, `kills at ${kills}`);
  const model = outputOf(dir, "pretrain", "model");
  assert.ok(bytes(join(model, "model.safetensors")).equals(bytes(join(refModel, "model.safetensors"))), `weights differ after kills at steps ${kills}`);
  const losses = (d: string) =>
    readFileSync(join(d, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).loss);
  assert.deepEqual(losses(model), losses(refModel), "the loss curve is continuous and identical");
  void refDir;
});

test("bad input: hidden not divisible by heads, maxPositions below the block length, shards of another tokenizer — field named, nothing published, no retry", () => {
  const cases: Array<[string, RegExp, string]> = [
    [TINY.replace("hidden: 32, heads: 2", "hidden: 30, heads: 4"), /model\.hidden: 30 is not divisible by model\.heads 4/, ""],
    [TINY.replace("maxPositions: 64", "maxPositions: 32"), /model\.maxPositions: 32 is shorter than the token shards' rows \(64 tokens/, ""],
    [
      TINY,
      /input train: .*tokenizerDigest .* these shards were encoded with another tokenizer/,
      `  other:\n    uses: tokenize/train@1\n    with: { kind: kmer-overlapping, k: 3 }\n`,
    ],
  ];
  for (const [with_, message, extra] of cases) {
    let yaml = tinyPipeline(with_, extra);
    if (extra)
      yaml = yaml.replace(
        'inputs: { tokenizer: "${{ stages.tokenizer.outputs.tokenizer }}", train:',
        'inputs: { tokenizer: "${{ stages.other.outputs.tokenizer }}", train:',
      );
    const dir = project(yaml.replace("stages:\n", "defaults:\n  retries: { max: 3, backoff: 10ms }\nstages:\n"));
    const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir, env: ENV });
    assert.equal(r.code, 1, r.stderr);
    const ev = events(r.stdout);
    const failed = ev.find((e) => e.type === "stage-failed" && e.id === "pretrain");
    assert.ok(failed, r.stdout.slice(-1500));
    assert.match(failed.error, message);
    assert.equal(ev.filter((e) => e.type === "stage-start" && e.id === "pretrain").length, 1, "bad input is not retried");
    const key = planJson(dir, "p.yaml").find((s) => s.id === "pretrain")!.key;
    assert.ok(!objectKeys(join(dir, ".dnaflow")).includes(key), "nothing published");
  }
});

test("params are checked by the schema before anything runs: unknown and mistyped fields name their path", () => {
  const dir = project(tinyPipeline(TINY.replace("steps: 24", "steps: 24\n      stpes: 3").replace("strategy: randommask", "strategy: spans")));
  const r = dnaflow(["plan", "p.yaml"], { cwd: dir, env: ENV });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /stpes/);
  assert.match(r.stderr, /did you mean 'steps'|steps/);
  assert.match(r.stderr, /masking\.strategy|strategy/);
});
