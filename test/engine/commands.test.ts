// dag, show, plan --explain, matrix fan-out/fan-in, profiles, gc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, objectKeys, planJson, ran, tempProject } from "../helpers/cli.js";

const MATRIX = `
name: ablation
params:
  tokenizers: [kmer6, bpe]
  lr: 0.001
profiles:
  toy: { lr: 0.5 }
stages:
  segments:
    uses: core/write-text@1
    with: { text: "ACGT" }
  tokenize:
    matrix: { tokenizer: "\${{ params.tokenizers }}" }
    run: [sh, -c, 'echo "$DNAFLOW_PARAM_KIND" > "$DNAFLOW_OUTPUT_OUT"']
    with: { kind: "\${{ matrix.tokenizer }}" }
    inputs: { s: "\${{ stages.segments.outputs.file }}" }
    outputs: [out]
  finetune:
    matrix: { tokenizer: "\${{ params.tokenizers }}", task: [tata, tf0], exclude: [{ tokenizer: bpe, task: tf0 }] }
    run: [sh, -c, 'echo "$(cat "$DNAFLOW_INPUT_T") $DNAFLOW_PARAM_TASK $DNAFLOW_PARAM_LR" > "$DNAFLOW_OUTPUT_M"']
    with: { task: "\${{ matrix.task }}", lr: "\${{ params.lr }}" }
    inputs: { t: "\${{ stages.tokenize.outputs.out }}" }
    outputs: [m]
  report:
    run: [sh, -c, 'cat "$@" > "$0"', "\${{ outputs.table }}", "\${{ inputs.metrics }}"]
    inputs: { metrics: "\${{ stages.finetune.outputs.m }}" }
    outputs: [table]
`;

test("matrix: named instances, exclude, binding on shared axes, fan-in; shared upstream runs once", () => {
  const dir = tempProject({ "p.yaml": MATRIX });
  const plan = planJson(dir, "p.yaml");
  assert.deepEqual(
    plan.map((s) => s.id),
    [
      "segments",
      "tokenize[tokenizer=kmer6]",
      "tokenize[tokenizer=bpe]",
      "finetune[tokenizer=kmer6,task=tata]",
      "finetune[tokenizer=kmer6,task=tf0]",
      "finetune[tokenizer=bpe,task=tata]",
      "report",
    ],
  );
  const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const reportKey = plan.find((s) => s.id === "report")!.key;
  assert.equal(readFileSync(join(dir, ".dnaflow", "objects", reportKey, "out", "table"), "utf8"), "kmer6 tata 0.001\nkmer6 tf0 0.001\nbpe tata 0.001\n");
  // The profile changes lr: only finetune and report rerun; segments and tokenize stay cached.
  const toy = dnaflow(["run", "p.yaml", "--json", "--profile", "toy"], { cwd: dir });
  assert.deepEqual(ran(toy.stdout), [
    "finetune[tokenizer=bpe,task=tata]",
    "finetune[tokenizer=kmer6,task=tata]",
    "finetune[tokenizer=kmer6,task=tf0]",
    "report",
  ]);
});

test("dag prints Mermaid and DOT with every edge", () => {
  const dir = tempProject({ "p.yaml": MATRIX });
  const m = dnaflow(["dag", "p.yaml"], { cwd: dir });
  assert.equal(m.code, 0);
  assert.match(m.stdout, /^flowchart TD/);
  assert.equal((m.stdout.match(/-->/g) ?? []).length, 2 + 3 + 3);
  const d = dnaflow(["dag", "p.yaml", "--format", "dot"], { cwd: dir });
  assert.match(d.stdout, /"tokenize\[tokenizer=bpe\]" -> "finetune\[tokenizer=bpe,task=tata\]";/);
  assert.equal(dnaflow(["dag", "p.yaml", "--format", "png"], { cwd: dir }).code, 2);
});

test("show gives key, components, params, inputs, outputs, timings, host; plan --explain lists every change", () => {
  const dir = tempProject({ "p.yaml": MATRIX });
  dnaflow(["run", "p.yaml"], { cwd: dir });
  const s = dnaflow(["show", "p.yaml", "finetune[tokenizer=kmer6,task=tata]"], { cwd: dir });
  assert.equal(s.code, 0, s.stderr);
  const v = JSON.parse(s.stdout);
  assert.equal(v.state, "done");
  assert.deepEqual(v.params, { task: "tata", lr: 0.001 });
  assert.deepEqual(v.inputs, { t: ["tokenize[tokenizer=kmer6].outputs.out"] });
  assert.equal(typeof v.timings.seconds, "number");
  assert.equal(typeof v.host, "string");
  assert.equal(v.components.format, 1);
  const amb = dnaflow(["show", "p.yaml", "finetune"], { cwd: dir });
  assert.equal(amb.code, 2);
  assert.match(amb.stderr, /has 3 matrix instances/);
  const ex = dnaflow(["plan", "p.yaml", "--explain", "--set", "lr=0.01", "--set", "tokenizers=[kmer6]"], { cwd: dir });
  assert.match(ex.stdout, /finetune\[tokenizer=kmer6,task=tata\].*\n\s+· params\.lr 0\.001 → 0\.01/);
  assert.match(ex.stdout, /report.*\n\s+· input metrics: 3 → 2 artifacts/);
});

test("gc keeps what the latest run uses, removes the rest past the grace period, and reports bytes", () => {
  const dir = tempProject({ "p.yaml": MATRIX });
  dnaflow(["run", "p.yaml"], { cwd: dir });
  dnaflow(["run", "p.yaml", "--set", "lr=0.2"], { cwd: dir });
  const store = join(dir, ".dnaflow");
  assert.equal(objectKeys(store).length, 11);
  const graceOnly = dnaflow(["gc", "p.yaml"], { cwd: dir });
  assert.match(graceOnly.stdout, /freed 0 B: 0 object\(s\)/, "everything is inside the 1 h grace period");
  const old = new Date(Date.now() - 3 * 3600e3).toISOString();
  for (const k of objectKeys(store)) {
    const mp = join(store, "objects", k, "manifest.json");
    const m = JSON.parse(readFileSync(mp, "utf8"));
    m.timings.finished = old;
    writeFileSync(mp, JSON.stringify(m)); // pretend these objects were made 3 hours ago
  }
  const dry = dnaflow(["gc", "p.yaml", "--dry-run"], { cwd: dir });
  assert.match(dry.stdout, /would free [\d.]+ (B|KiB): 4 object\(s\)/);
  assert.equal(objectKeys(store).length, 11);
  const real = dnaflow(["gc", "p.yaml"], { cwd: dir });
  assert.match(real.stdout, /freed [\d.]+ (B|KiB): 4 object\(s\)/);
  assert.equal(objectKeys(store).length, 7);
  assert.deepEqual(ran(dnaflow(["run", "p.yaml", "--json", "--set", "lr=0.2"], { cwd: dir }).stdout), [], "the latest run's objects survived");
});

test("matrix values may be mappings with a name: ids use the name, expressions read fields, with: may be one expression", () => {
  const dir = tempProject({
    "p.yaml": `
params:
  tokenizers:
    - { name: kmer6, with: { kind: kmer-overlapping, k: 6 } }
    - { name: bpe, with: { kind: bpe, vocabSize: 64 } }
stages:
  tok:
    matrix: { tokenizer: "\${{ params.tokenizers }}" }
    run: [sh, -c, 'echo "$DNAFLOW_PARAM_KIND $DNAFLOW_PARAM_K$DNAFLOW_PARAM_VOCABSIZE" > "$DNAFLOW_OUTPUT_OUT"']
    with: "\${{ matrix.tokenizer.with }}"
    outputs: [out]
  use:
    matrix: { tokenizer: "\${{ params.tokenizers }}" }
    run: [sh, -c, 'cat "$DNAFLOW_INPUT_T" > "$DNAFLOW_OUTPUT_OUT"; echo "$DNAFLOW_PARAM_N" >> "$DNAFLOW_OUTPUT_OUT"']
    with: { n: "\${{ matrix.tokenizer.name }}" }
    inputs: { t: "\${{ stages.tok.outputs.out }}" }
    outputs: [out]
`,
  });
  const plan = planJson(dir, "p.yaml");
  assert.deepEqual(
    plan.map((s) => s.id),
    ["tok[tokenizer=kmer6]", "tok[tokenizer=bpe]", "use[tokenizer=kmer6]", "use[tokenizer=bpe]"],
  );
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
  const out = (id: string) => readFileSync(join(dir, ".dnaflow", "objects", plan.find((s) => s.id === id)!.key, "out", "out"), "utf8");
  assert.equal(out("use[tokenizer=kmer6]"), "kmer-overlapping 6\nkmer6\n");
  assert.equal(out("use[tokenizer=bpe]"), "bpe 64\nbpe\n");
  const bad = tempProject({ "p.yaml": "stages:\n  a:\n    matrix: { t: [{ kind: bpe }] }\n    run: [true]\n    outputs: [o]\n" });
  const r = dnaflow(["plan", "p.yaml"], { cwd: bad });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /p\.yaml:3:\d+: stages\.a\.matrix\.t/);
});
