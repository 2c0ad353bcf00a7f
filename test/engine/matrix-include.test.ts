// `matrix.include` entries (per-combination with: keys and inputs:) and instance picks (stages.ID[axis=value]):
// what each instance gets, that a pipeline written with them keeps the keys of the copy-pasted form, and that every
// mistake is a plan-time error at file:line:col.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, objectKeys, planJson, tempProject } from "../helpers/cli.js";

const UPSTREAM = `
  m:
    run: [sh, -c, 'printf %s "$DNAFLOW_PARAM_K" > "$DNAFLOW_OUTPUT_O"']
    with: { k: "\${{ matrix.k }}" }
    outputs: [o]
    matrix: { k: [1, 2] }
`;

test("include entries replace with: keys and inputs of the combinations they match, in order; a pick binds one upstream instance", () => {
  const dir = tempProject({
    "p.yaml": `stages:${UPSTREAM}
  c:
    run: [sh, -c, 'cat "$DNAFLOW_INPUT_X" > "$DNAFLOW_OUTPUT_O"']
    with: { a: 1, b: { c: 2 } }
    outputs: [o]
    matrix:
      j: [p, q]
      k: [1, 2]
      include:
        - { j: p, inputs: { x: "\${{ stages.m.outputs.o }}" } }
        - { j: q, inputs: { x: "\${{ stages.m[k=1].outputs.o }}" }, with: { b: "\${{ matrix.j }}" } }
        - { j: q, k: 2, with: { b: last, d: 4 } }
`,
  });
  const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const show = (id: string) => JSON.parse(dnaflow(["show", "p.yaml", id], { cwd: dir }).stdout) as { key: string; params: object; inputs: object };
  const out = (id: string) => readFileSync(join(dir, ".dnaflow", "objects", show(id).key, "out", "o"), "utf8");
  // j=p: the stage's with:, x bound by the shared axis k
  assert.deepEqual(show("c[j=p,k=2]").params, { a: 1, b: { c: 2 } });
  assert.deepEqual(show("c[j=p,k=2]").inputs, { x: ["m[k=2].outputs.o"] });
  assert.equal(out("c[j=p,k=2]"), "2");
  // j=q: b replaced whole (a top-level key, like YAML's <<:), x picked from m[k=1] whatever the instance's own k
  assert.deepEqual(show("c[j=q,k=1]").params, { a: 1, b: "q" });
  assert.deepEqual(show("c[j=q,k=2]").inputs, { x: ["m[k=1].outputs.o"] });
  assert.equal(out("c[j=q,k=2]"), "1");
  // a later matching entry wins, and may add keys
  assert.deepEqual(show("c[j=q,k=2]").params, { a: 1, b: "last", d: 4 });
});

test("one stage with a split axis and picks makes the same keys as the copy-pasted stages it replaces", () => {
  const step = (input: string) =>
    `    run: [sh, -c, 'cat "$DNAFLOW_INPUT_IN" > "$DNAFLOW_OUTPUT_O"']\n    with: { n: 3 }\n    outputs: [o]\n    inputs: { in: "${input}" }\n`;
  const split = `  split:\n    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_TRAIN"; echo b > "$DNAFLOW_OUTPUT_VALID"']\n    outputs: [train, valid]\n`;
  const consumer = (train: string, valid: string) =>
    `  both:\n    run: [sh, -c, 'cat "$DNAFLOW_INPUT_TRAIN" "$DNAFLOW_INPUT_VALID" > "$DNAFLOW_OUTPUT_O"']\n    outputs: [o]\n    inputs: { train: "${train}", valid: "${valid}" }\n`;
  const copied = tempProject({
    "p.yaml": `stages:\n${split}  train-x:\n${step("${{ stages.split.outputs.train }}")}  valid-x:\n${step("${{ stages.split.outputs.valid }}")}${consumer("${{ stages.train-x.outputs.o }}", "${{ stages.valid-x.outputs.o }}")}`,
  });
  const merged = tempProject({
    "p.yaml": `stages:\n${split}  x:\n    matrix:\n      split: [train, valid]\n      include:\n        - { split: train, inputs: { in: "\${{ stages.split.outputs.train }}" } }\n        - { split: valid, inputs: { in: "\${{ stages.split.outputs.valid }}" } }\n${step("").replace(/ {4}inputs: .*\n/, "")}${consumer("${{ stages.x[split=train].outputs.o }}", "${{ stages.x[split=valid].outputs.o }}")}`,
  });
  const keys = (dir: string) => Object.fromEntries(planJson(dir, "p.yaml").map((s) => [s.id, s.key]));
  const a = keys(copied);
  const b = keys(merged);
  assert.deepEqual(Object.keys(b), ["split", "x[split=train]", "x[split=valid]", "both"]);
  assert.equal(b["x[split=train]"], a["train-x"]);
  assert.equal(b["x[split=valid]"], a["valid-x"]);
  assert.equal(b.both, a.both);
  assert.notEqual(b["x[split=train]"], b["x[split=valid]"]);
});

const bad: Array<{ name: string; stages: string; expect: RegExp }> = [
  {
    name: "an include entry names an axis the matrix lacks",
    stages: `  b:\n    run: [true]\n    outputs: [o]\n    matrix:\n      k: [1, 2]\n      include: [{ kk: 1, with: { x: 1 } }]\n`,
    expect: /^p\.yaml:12:19: stage 'b': matrix\.include\[0\] names unknown axis 'kk' \(did you mean 'k'\?\)$/m,
  },
  {
    name: "an include entry names a value the axis lacks",
    stages: `  b:\n    run: [true]\n    outputs: [o]\n    matrix:\n      k: [pretrained, scratch]\n      include: [{ k: pretrianed, with: { x: 1 } }]\n`,
    expect:
      /^p\.yaml:12:22: stage 'b': matrix\.include\[0\]: axis 'k' has no value "pretrianed" \(did you mean 'pretrained'\?\); values: "pretrained", "scratch"$/m,
  },
  {
    name: "an include entry's axis value is a list, at the value",
    stages: `  b:\n    run: [true]\n    outputs: [o]\n    matrix:\n      k: [1, 2]\n      include: [{ k: [1], with: { x: 1 } }]\n`,
    expect: /^p\.yaml:12:22: stages\.b\.matrix\.include\.0\.k: must be string,number,boolean, got array$/m,
  },
  {
    name: "an include entry that changes nothing",
    stages: `  b:\n    run: [true]\n    outputs: [o]\n    matrix:\n      k: [1, 2]\n      include: [{ k: 1 }]\n`,
    expect: /^p\.yaml:12:17: stage 'b': matrix\.include\[0\] changes nothing/m,
  },
  {
    name: "an include entry matching only excluded combinations",
    stages: `  b:\n    run: [true]\n    outputs: [o]\n    matrix:\n      k: [1, 2]\n      exclude: [{ k: 1 }]\n      include: [{ k: 1, with: { x: 1 } }]\n`,
    expect: /^p\.yaml:13:17: stage 'b': matrix\.include\[0\] matches only combinations that matrix\.exclude removes$/m,
  },
  {
    name: "an include entry gives an input the builtin does not have",
    stages: `  b:\n    uses: core/write-text@1\n    with: { text: x }\n    matrix:\n      k: [1, 2]\n      include:\n        - { k: 1, inputs: { fasta: "\${{ stages.a.outputs.out }}" } }\n`,
    expect: /^p\.yaml:13:36: stage 'b': matrix\.include\[0\]: core\/write-text has no input 'fasta'; inputs: none$/m,
  },
  {
    name: "an include entry's with: has an unknown param, at the entry",
    stages: `  b:\n    uses: core/write-text@1\n    with: { text: x }\n    matrix:\n      k: [1, 2]\n      include:\n        - { k: 2, with: { txt: y } }\n`,
    expect: /^p\.yaml:13:27: stage 'b': matrix\.include\[0\]\.with\.txt: unknown param 'txt' \(did you mean 'text'\?\)$/m,
  },
  {
    name: "a required input that some combinations get from no include entry",
    stages: `  b:\n    uses: tokenize/encode@1\n    matrix:\n      split: [train, valid, test]\n      include:\n        - { split: train, inputs: { tokenizer: "\${{ stages.a.outputs.out }}" } }\n    inputs: { segments: "\${{ stages.a.outputs.out }}" }\n`,
    expect:
      /^p\.yaml:12:9: stage 'b': tokenize\/encode needs input 'tokenizer' in every combination; neither inputs: nor a matrix\.include entry gives it to b\[split=valid\], b\[split=test\]$/m,
  },
  {
    name: "a command uses an input only some combinations get",
    stages: `  b:\n    run: [cat, "\${{ inputs.x }}"]\n    outputs: [o]\n    matrix:\n      j: [p, q]\n      include: [{ j: p, inputs: { x: "\${{ stages.a.outputs.out }}" } }]\n`,
    expect: /^p\.yaml:8:\d+: stage 'b': no input 'x' in b\[j=q\]: matrix\.include entries give it to other combinations only$/m,
  },
  {
    name: "a matrix axis named like an include override",
    stages: `  b:\n    run: [true]\n    outputs: [o]\n    matrix: { inputs: [1, 2] }\n`,
    expect: /^p\.yaml:10:15: stage 'b': matrix axis name 'inputs' is reserved/m,
  },
  {
    name: "a pick names an axis the upstream stage lacks",
    stages: `${UPSTREAM}  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.m[kk=1].outputs.o }}" }\n`,
    expect: /^p\.yaml:16:18: stage 'b': input 'x': stage 'm' has no matrix axis 'kk' \(did you mean 'k'\?\); its axes: k$/m,
  },
  {
    name: "a pick on a stage without a matrix",
    stages: `  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.a[k=1].outputs.out }}" }\n`,
    expect: /^p\.yaml:10:18: stage 'b': input 'x': stage 'a' has no matrix axis 'k': it has no matrix$/m,
  },
  {
    name: "a pick names a value no upstream instance has",
    stages: `${UPSTREAM}  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.m[k=3].outputs.o }}" }\n`,
    expect: /^p\.yaml:16:18: stage 'b': input 'x': stage 'm' has no instance with k=3; k: 1, 2$/m,
  },
  {
    name: "a malformed pick",
    stages: `${UPSTREAM}  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.m[k].outputs.o }}" }\n`,
    expect: /^p\.yaml:16:18: stage 'b': input 'x': m\[k\]: expected \[axis=value,…\] naming upstream instances, got 'k'$/m,
  },
  {
    name: "an unpicked fan-in into a single input names the pick",
    stages: `${UPSTREAM}  b:\n    uses: tokenize/encode@1\n    inputs: { tokenizer: "\${{ stages.m.outputs.o }}" }\n`,
    expect:
      /^p\.yaml:15:26: stage 'b': input 'tokenizer' receives 2 artifacts, but tokenize\/encode takes one \(is a matrix axis missing on this stage, or a pick such as stages\.m\[axis=value\]\.outputs\.o\?\)$/m,
  },
];

for (const c of bad) {
  test(`bad matrix include or pick: ${c.name}`, () => {
    const dir = tempProject({
      "p.yaml": `params:\n  n: 3\nstages:\n  a:\n    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_OUT"']\n    outputs: [out]\n${c.stages}`,
    });
    const r = dnaflow(["run", "p.yaml"], { cwd: dir });
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, c.expect);
    assert.deepEqual(objectKeys(join(dir, ".dnaflow")), [], "no stage ran");
  });
}

test("a problem every combination shares is reported once", () => {
  const dir = tempProject({
    "p.yaml": `stages:\n  b:\n    uses: core/write-text@1\n    with: { txt: x }\n    matrix:\n      k: [1, 2, 3]\n      include: [{ k: 1, with: { tx: 1 } }]\n`,
  });
  const r = dnaflow(["plan", "p.yaml"], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(r.stderr.trim().split("\n"), [
    "p.yaml:4:11: stage 'b': with: missing required param 'text'",
    "p.yaml:4:13: stage 'b': with.txt: unknown param 'txt' (did you mean 'text'?)",
    "p.yaml:7:33: stage 'b': matrix.include[0].with.tx: unknown param 'tx'",
  ]);
});
