// Model cards: model/pretrain and model/finetune publish README.md in the Hugging Face format. The Hub's own parser
// (huggingface_hub.ModelCard, incl. model-index → eval results) reads them; they name the training data from the
// recipe, the params, the results and the key; and they are byte-identical across two project directories (no
// times, hosts or paths).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { dnaflow, planJson } from "../helpers/cli.js";
import { fixture } from "../helpers/paths.js";
import { ENV, PYTHON, TINY, outputOf, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";
import { FINETUNE } from "./finetune-stages.js";

requireWorkerPython();

function made(): string {
  const dir = project(tinyPipeline(TINY, FINETUNE));
  cpSync(fixture("benchmark", "gue", "prom"), join(dir, "gue", "prom"), { recursive: true });
  const r = dnaflow(["run", "p.yaml", "-j", "1"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
  return dir;
}

/** What huggingface_hub makes of a card: its metadata and the eval results it parses from model-index. */
function hubRead(path: string): any {
  const code = `
import json, sys
from huggingface_hub import ModelCard
c = ModelCard.load(sys.argv[1])
d = c.data.to_dict()
ev = [{"type": r.metric_type, "value": r.metric_value, "dataset": r.dataset_type} for r in (c.data.eval_results or [])]
print(json.dumps({"data": d, "eval": ev, "text": c.text}))
`;
  const r = spawnSync(PYTHON, ["-c", code, path], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("pretrain and finetune publish a Hugging Face model card: Hub-parsable, complete, byte-identical across directories", () => {
  const a = made();
  const b = made();
  const keys = Object.fromEntries(planJson(a, "p.yaml").map((s) => [s.id, s.key]));
  for (const stage of ["pretrain", "finetune"]) {
    const ca = readFileSync(join(outputOf(a, stage, "model"), "README.md"));
    const cb = readFileSync(join(outputOf(b, stage, "model"), "README.md"));
    assert.ok(ca.equals(cb), `${stage}: README.md differs between two directories`);
    const text = ca.toString("utf8");
    assert.ok(!text.includes(a) && !text.includes(b) && !text.includes(hostname()), `${stage}: no paths or hosts in the card`);
    assert.doesNotMatch(text, /20\d\d-\d\d-\d\dT/, `${stage}: no timestamps`);
    assert.ok(text.includes(keys[stage]), `${stage}: the card names its key`);
    const manifest = JSON.parse(readFileSync(join(outputOf(a, stage, "model"), "..", "..", "manifest.json"), "utf8"));
    assert.ok(
      manifest.files.some((f: any) => f.path === "model/README.md"),
      `${stage}: the card is a published, digested file`,
    );
  }

  const pre = hubRead(join(outputOf(a, "pretrain", "model"), "README.md"));
  assert.equal(pre.data.library_name, "transformers");
  assert.equal(pre.data.pipeline_tag, "fill-mask");
  assert.ok(pre.data.tags.includes("masking-randommask") && pre.data.tags.includes("roberta"), JSON.stringify(pre.data.tags));
  assert.deepEqual(pre.data.metrics, ["loss"]);
  // Training data from the recipe: strip-n, segment (min/max/seed), tokenizer (kind, vocab), shards.
  assert.match(pre.text, /segments \(genome\/segment\) \| mode random, min 200, max 400, .*seed 1/);
  assert.match(pre.text, /tokenizer \(tokenize\/train\) \| kind bpe, vocabSize 64/);
  assert.match(pre.text, /token shards \(tokenize\/encode\) \| maxLength 64/);
  assert.match(pre.text, /\| steps \| 24 \|/);
  const training = JSON.parse(readFileSync(join(outputOf(a, "pretrain", "model"), "training.json"), "utf8"));
  assert.match(
    pre.text,
    new RegExp(`final training loss \\(masked tokens\\) \\| ${String(Number(training.summary.finalLoss.toFixed(4))).replace(".", "\\.")} \\|`),
  );

  const ft = hubRead(join(outputOf(a, "finetune", "model"), "README.md"));
  assert.equal(ft.data.library_name, "transformers");
  assert.equal(ft.data.pipeline_tag, "text-classification");
  assert.ok(ft.data.datasets.includes("prom/prom_core_tata"), JSON.stringify(ft.data.datasets));
  const metrics = JSON.parse(readFileSync(join(outputOf(a, "finetune", "metrics"), "metrics.json"), "utf8"));
  const testMcc = ft.eval.find((e: any) => e.type === "matthews_correlation" && e.value === metrics.splits.test.mcc);
  assert.ok(testMcc, `model-index carries the test MCC ${metrics.splits.test.mcc}: ${JSON.stringify(ft.eval)}`);
});
