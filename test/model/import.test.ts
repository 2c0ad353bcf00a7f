// model/import through the built CLI: tiny checkpoints made here with transformers (no network) — DNABERT-6 style
// BertForMaskedLM (vocab.txt, pytorch_model.bin), Nucleotide Transformer style EsmForMaskedLM (EsmTokenizer), RoBERTa
// (fast tokenizer.json, safetensors) — imported, then finetuned on GUE prom_core_tata rows exactly like a
// model/pretrain output. Custom code without trustRemoteCode, and a model without a masked-LM head, fail clearly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, planJson, tempProject } from "../helpers/cli.js";
import { fixture, repoRoot } from "../helpers/paths.js";
import { ENV, PYTHON, outputOf, requireWorkerPython } from "./helpers.js";

requireWorkerPython();

const KINDS = ["dnabert6", "nt", "roberta"] as const;

const FT = (kind: string) => `
  import-${kind}:
    uses: model/import@1
    inputs: { source: ck/${kind} }
    resources: { cpus: 1 }
  finetune-${kind}:
    uses: model/finetune@1
    with: { task: prom/prom_core_tata, init: pretrained, batchSize: 16, epochs: 1, trainRows: 64, lr: 0.002, warmupSteps: 1, evalEvery: 2, seed: 7 }
    inputs:
      tasks: "\${{ stages.benchmark.outputs.tasks }}"
      tokenizer: "\${{ stages.import-${kind}.outputs.tokenizer }}"
      model: "\${{ stages.import-${kind}.outputs.model }}"
    resources: { cpus: 1 }`;

const PIPELINE = `
stages:
  benchmark:
    uses: data/benchmark@1
    inputs: { source: gue }
  kmer6:
    uses: tokenize/train@1
    with: { kind: kmer-overlapping, k: 6 }
${KINDS.map(FT).join("\n")}
`;

function checkpoint(kind: string, out: string): void {
  const r = spawnSync(PYTHON, [join(repoRoot(), "test", "model", "oracle", "tiny_checkpoints.py"), kind, out], { encoding: "utf8" });
  assert.equal(r.status, 0, `tiny checkpoint ${kind}: ${r.stderr}`);
}

function py(code: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, ["-c", code, ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

let project: string | undefined;
function imported(): string {
  if (project) return project;
  const dir = tempProject({ "p.yaml": PIPELINE });
  cpSync(fixture("benchmark", "gue", "prom"), join(dir, "gue", "prom"), { recursive: true });
  for (const k of KINDS) checkpoint(k, join(dir, "ck", k));
  const r = dnaflow(["run", "p.yaml"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
  return (project = dir);
}

test("DNABERT-6 (BertForMaskedLM, vocab.txt, .bin): converted to safetensors, tokenizer is dnaflow's DNABERT-order 6-mers", () => {
  const dir = imported();
  const model = outputOf(dir, "import-dnabert6", "model");
  const tok = outputOf(dir, "import-dnabert6", "tokenizer");
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "import.json"])
    assert.ok(existsSync(join(model, f)), `model/${f}`);
  const kmer6 = join(outputOf(dir, "kmer6", "tokenizer"), "tokenizer.json");
  assert.ok(readFileSync(join(tok, "tokenizer.json")).equals(readFileSync(kmer6)), "tokenizer.json is byte-identical to tokenize/train's kmer-overlapping k=6");
  assert.ok(readFileSync(join(model, "tokenizer.json")).equals(readFileSync(kmer6)));
  assert.ok(readFileSync(join(tok, "vocab.txt")).equals(readFileSync(join(dir, "ck", "dnabert6", "vocab.txt"))));
  const info = JSON.parse(readFileSync(join(model, "import.json"), "utf8"));
  assert.deepEqual(
    [info.architecture, info.modelType, info.tokenizer.kind, info.weights],
    ["BertForMaskedLM", "bert", "kmer-overlapping", "converted from pytorch_model.bin"],
  );
  assert.ok(existsSync(join(tok, "stats.json")), "a dnaflow-readable tokenizer gets stats.json (tokenize/encode accepts it)");
  // the converted weights are the .bin's, and the directory loads as a masked LM with AutoTokenizer
  const out = py(
    `import sys, torch
from safetensors.torch import load_file
from transformers import AutoModelForMaskedLM, AutoTokenizer
a = torch.load(sys.argv[1] + "/pytorch_model.bin", weights_only=True); b = load_file(sys.argv[2] + "/model.safetensors")
same = all(torch.equal(a[k], b[k]) for k in b); missing = [k for k in a if k not in b and "decoder" not in k]
m = AutoModelForMaskedLM.from_pretrained(sys.argv[2]); t = AutoTokenizer.from_pretrained(sys.argv[2])
print(same, len(missing), type(m).__name__, t("AAAAAA AAAAAT AAAAAC")["input_ids"])`,
    join(dir, "ck", "dnabert6"),
    model,
  );
  assert.equal(out, "True 0 BertForMaskedLM [2, 5, 6, 7, 3]");
});

test("NT (EsmForMaskedLM, EsmTokenizer): a tokenizer.json giving EsmTokenizer's ids (6-mers, single-base fallback, <cls> … <eos>)", () => {
  const dir = imported();
  const model = outputOf(dir, "import-nt", "model");
  const info = JSON.parse(readFileSync(join(model, "import.json"), "utf8"));
  assert.deepEqual(
    [info.architecture, info.tokenizer.kind, info.tokenizer.sourceClass, info.weights],
    ["EsmForMaskedLM", "kmer-nonoverlapping", "EsmTokenizer", "copied"],
  );
  assert.ok(
    readFileSync(join(model, "model.safetensors")).equals(readFileSync(join(dir, "ck", "nt", "model.safetensors"))),
    "safetensors copied byte for byte",
  );
  const out = py(
    `import sys
from tokenizers import Tokenizer
from transformers import EsmTokenizer
ours = Tokenizer.from_file(sys.argv[1] + "/tokenizer.json"); src = EsmTokenizer.from_pretrained(sys.argv[2])
seqs = ["ACGTACGTA", "ACGNACGTACGTT", "ACGTRYACGTAC", "A", ""]
print(all(ours.encode(s).ids == src(s)["input_ids"] for s in seqs), ours.encode("ACGNACGTACGTT").tokens)`,
    outputOf(dir, "import-nt", "tokenizer"),
    join(dir, "ck", "nt"),
  );
  assert.equal(out, "True ['<cls>', 'A', 'C', 'G', 'N', 'ACGTAC', 'G', 'T', 'T', '<eos>']");
  assert.deepEqual(JSON.parse(readFileSync(join(model, "special_tokens_map.json"), "utf8")), {
    pad_token: "<pad>",
    unk_token: "<unk>",
    cls_token: "<cls>",
    sep_token: "<eos>",
    mask_token: "<mask>",
  });
});

test("RoBERTa (fast tokenizer.json): the source files are kept byte for byte", () => {
  const dir = imported();
  const model = outputOf(dir, "import-roberta", "model");
  for (const f of ["tokenizer.json", "model.safetensors", "config.json"])
    assert.ok(readFileSync(join(model, f)).equals(readFileSync(join(dir, "ck", "roberta", f))), f);
  assert.equal(JSON.parse(readFileSync(join(model, "import.json"), "utf8")).tokenizer.kind, "source");
});

test("each import finetunes like a pretrained model: predictions and metrics for dev and test", () => {
  const dir = imported();
  for (const k of KINDS) {
    const m = JSON.parse(readFileSync(join(outputOf(dir, `finetune-${k}`, "metrics"), "metrics.json"), "utf8"));
    assert.deepEqual([m.task, m.init, m.splits.dev.n, m.splits.test.n], ["prom/prom_core_tata", "pretrained", 613, 613], k);
    assert.ok(m.splits.test.mcc !== undefined, `${k}: test MCC present`);
    const rows = readFileSync(join(outputOf(dir, `finetune-${k}`, "metrics"), "predictions.csv"), "utf8")
      .trim()
      .split("\n");
    assert.equal(rows.length, 1 + 613 + 613, k);
    assert.ok(readdirSync(outputOf(dir, `finetune-${k}`, "model")).includes("model.safetensors"));
  }
});

test("the source directory's content is part of the key: one changed byte re-imports, nothing else changes", () => {
  const dir = imported();
  const before = planJson(dir, "p.yaml");
  appendFileSync(join(dir, "ck", "nt", "tokenizer_config.json"), " ");
  const after = planJson(dir, "p.yaml");
  const changed = after
    .filter((s) => before.find((b) => b.id === s.id)!.key !== s.key)
    .map((s) => s.id)
    .sort();
  assert.deepEqual(changed, ["finetune-nt", "import-nt"]);
  assert.equal(after.find((s) => s.id === "import-dnabert6")!.action, "cached");
});

for (const [kind, params, message] of [
  ["custom", "", /ships its own code \(config\.json auto_map .*AutoModelForMaskedLM.*\); set trustRemoteCode: true/],
  ["bert-base", "", /is not a masked language model \(config\.json architectures: BertModel\)/],
] as const) {
  test(`${kind}: fails as bad input with a clear message, publishes nothing`, () => {
    const dir = tempProject({ "p.yaml": `stages:\n  imp:\n    uses: model/import@1\n    inputs: { source: ck }\n${params}` });
    checkpoint(kind, join(dir, "ck"));
    const r = dnaflow(["run", "p.yaml"], { cwd: dir, env: ENV });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, message);
    const objects = join(dir, ".dnaflow", "objects");
    assert.deepEqual(existsSync(objects) ? readdirSync(objects) : [], []);
  });
}

test("custom code with trustRemoteCode: true: imported with its .py files, loads with trust_remote_code, and finetunes with its own classes", () => {
  const dir = tempProject({
    "p.yaml": `stages:
  imp:
    uses: model/import@1
    with: { trustRemoteCode: true }
    inputs: { source: ck }
  benchmark:
    uses: data/benchmark@1
    inputs: { source: gue }
  finetune:
    uses: model/finetune@1
    with: { task: prom/prom_core_tata, init: pretrained, batchSize: 16, epochs: 1, trainRows: 64, lr: 0.002, warmupSteps: 1, evalEvery: 2, seed: 7 }
    inputs:
      tasks: "\${{ stages.benchmark.outputs.tasks }}"
      tokenizer: "\${{ stages.imp.outputs.tokenizer }}"
      model: "\${{ stages.imp.outputs.model }}"
`,
  });
  cpSync(fixture("benchmark", "gue", "prom"), join(dir, "gue", "prom"), { recursive: true });
  checkpoint("custom", join(dir, "ck"));
  const r = dnaflow(["run", "p.yaml"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const model = outputOf(dir, "imp", "model");
  assert.ok(existsSync(join(model, "modeling_custom.py")) && existsSync(join(model, "configuration_custom.py")));
  const info = JSON.parse(readFileSync(join(model, "import.json"), "utf8"));
  assert.deepEqual([info.architecture, info.trustRemoteCode], ["CustomBertForMaskedLM", true]);
  assert.equal(
    py(
      `import sys\nfrom transformers import AutoModelForMaskedLM\nprint(type(AutoModelForMaskedLM.from_pretrained(sys.argv[1], trust_remote_code=True)).__name__)`,
      model,
    ),
    "CustomBertForMaskedLM",
  );
  // the finetuned model is the checkpoint's own sequence classifier, and reloads as one
  const tuned = outputOf(dir, "finetune", "model");
  const rows = readFileSync(join(outputOf(dir, "finetune", "metrics"), "predictions.csv"), "utf8")
    .trim()
    .split("\n");
  assert.ok(rows.length > 600, `${rows.length} prediction rows`);
  assert.equal(
    py(
      `import sys\nfrom transformers import AutoModelForSequenceClassification\nprint(type(AutoModelForSequenceClassification.from_pretrained(sys.argv[1], trust_remote_code=True)).__name__)`,
      tuned,
    ),
    "CustomBertForSequenceClassification",
  );
});

test("ModernBERT (fast tokenizer.json): imports as a masked LM with its files kept", () => {
  const dir = tempProject({ "p.yaml": `stages:\n  imp:\n    uses: model/import@1\n    inputs: { source: ck }\n` });
  checkpoint("modernbert", join(dir, "ck"));
  const r = dnaflow(["run", "p.yaml"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const model = outputOf(dir, "imp", "model");
  for (const f of ["tokenizer.json", "model.safetensors", "config.json"]) assert.ok(readFileSync(join(model, f)).equals(readFileSync(join(dir, "ck", f))), f);
  const info = JSON.parse(readFileSync(join(model, "import.json"), "utf8"));
  assert.deepEqual([info.architecture, info.modelType, info.tokenizer.kind], ["ModernBertForMaskedLM", "modernbert", "source"]);
});
