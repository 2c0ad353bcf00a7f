// Bad specs: every case gives a file:line:col message, exit code 2, and no stage runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, objectKeys, tempProject } from "../helpers/cli.js";

const ok = (extra = "") => `
params:
  n: 3
  model: { layers: 2 }
stages:
  a:
    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
${extra}`;

interface Case {
  name: string;
  yaml: string;
  args?: string[];
  /** Expected "line:col: message" fragment (regex source). */
  expect: RegExp;
}

const cases: Case[] = [
  { name: "YAML syntax error", yaml: "stages:\n  a: [unclosed\n", expect: /p\.yaml:\d+:\d+: .*(flow|Flow|closed|collection)/ },
  { name: "tab indentation / bad mapping", yaml: "stages:\n  a:\n\trun: x\n", expect: /p\.yaml:3:\d+: / },
  { name: "duplicate stage id", yaml: ok("  a:\n    run: [true]\n    outputs: [o]\n"), expect: /p\.yaml:9:3: duplicate key/ },
  {
    name: "unknown top-level key with suggestion",
    yaml: "stage:\n  a:\n    run: [true]\n",
    expect: /p\.yaml:1:1: unknown key 'stage' in pipeline \(did you mean 'stages'\?\)/,
  },
  {
    name: "unknown stage key with suggestion",
    yaml: ok("  b:\n    run: [true]\n    output: [o]\n"),
    expect: /p\.yaml:11:5: unknown key 'output' in stages\.b \(did you mean 'outputs'\?\)/,
  },
  {
    name: "wrong type",
    yaml: ok("  b:\n    run: [true]\n    outputs: [o]\n    retries: lots\n"),
    expect: /p\.yaml:12:14: stages\.b\.retries: invalid value "lots"/,
  },
  {
    name: "retries: both max and its old name attempts",
    yaml: ok("  b:\n    run: [true]\n    outputs: [o]\n    retries: { max: 2, attempts: 2 }\n"),
    expect: /^p\.yaml:12:24: stages\.b\.retries: 'attempts' is the old name of 'max'; write only max: 2$/m,
  },
  {
    name: "unknown builtin with suggestion",
    yaml: ok("  b:\n    uses: core/write-txt@1\n    with: { text: x }\n"),
    expect: /p\.yaml:10:11: stage 'b': unknown stage 'core\/write-txt' \(did you mean 'core\/write-text'\?\)/,
  },
  {
    name: "builtin version that does not exist",
    yaml: ok("  b:\n    uses: core/write-text@9\n    with: { text: x }\n"),
    expect: /p\.yaml:10:11: stage 'b': stage 'core\/write-text' has no version 9/,
  },
  {
    name: "unknown builtin param with suggestion",
    yaml: ok("  b:\n    uses: core/write-text@1\n    with: { txt: x }\n"),
    expect: /p\.yaml:11:13: stage 'b': with\.txt: unknown param 'txt' \(did you mean 'text'\?\)/,
  },
  {
    name: "builtin param of wrong type",
    yaml: ok("  b:\n    uses: core/write-text@1\n    with: { text: 5 }\n"),
    expect: /p\.yaml:11:19: stage 'b': with\.text: must be string/,
  },
  {
    name: "stage with both uses and run",
    yaml: ok("  b:\n    uses: core/write-text@1\n    run: [true]\n"),
    expect: /p\.yaml:10:5: stages\.b: a stage has either 'uses:'/,
  },
  { name: "stage with neither uses nor run", yaml: ok("  b:\n    outputs: [o]\n"), expect: /p\.yaml:10:5: stages\.b: a stage needs 'uses:'/ },
  {
    name: "cycle reported with its path",
    yaml: ok(
      `  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.c.outputs.o }}" }\n  c:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.b.outputs.o }}" }\n`,
    ),
    expect: /p\.yaml:\d+:\d+: dependency cycle: (b → c → b|c → b → c)/,
  },
  {
    name: "reference to a missing stage with suggestion",
    yaml: ok(`  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.aa.outputs.out }}" }\n`),
    expect: /p\.yaml:12:18: stage 'b': input 'x' references unknown stage 'aa' \(did you mean 'a'\?\)/,
  },
  {
    name: "reference to a missing output",
    yaml: ok(`  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.a.outputs.ot }}" }\n`),
    expect: /p\.yaml:12:18: stage 'b': input 'x': stage 'a' has no output 'ot' \(did you mean 'out'\?\)/,
  },
  {
    name: "malformed reference",
    yaml: ok(`  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.a.out }}" }\n`),
    expect: /p\.yaml:12:18: stage 'b': input 'x': malformed reference/,
  },
  {
    name: "unknown param in an expression",
    yaml: ok(`  b:\n    run: [echo, "\${{ params.nn }}"]\n    outputs: [o]\n`),
    expect: /p\.yaml:10:\d+: stage 'b': unknown param 'nn' \(did you mean 'n'\?\)/,
  },
  {
    name: "bad matrix: empty axis",
    yaml: ok("  b:\n    run: [true]\n    outputs: [o]\n    matrix: { k: [] }\n"),
    expect: /p\.yaml:12:\d+: stages\.b\.matrix\.k: /,
  },
  {
    name: "bad matrix: exclude names an unknown axis",
    yaml: ok("  b:\n    run: [true]\n    outputs: [o]\n    matrix: { k: [1, 2], exclude: [{ kk: 1 }] }\n"),
    expect: /p\.yaml:12:\d+: stage 'b': matrix\.exclude names unknown axis 'kk' \(did you mean 'k'\?\)/,
  },
  {
    name: "bad matrix: unknown matrix axis used",
    yaml: ok(`  b:\n    run: [echo, "\${{ matrix.kk }}"]\n    outputs: [o]\n    matrix: { k: [1] }\n`),
    expect: /p\.yaml:10:\d+: stage 'b': no matrix axis 'kk' \(did you mean 'k'\?\)/,
  },
  { name: "run string without shell: true", yaml: ok("  b:\n    run: echo hi\n    outputs: [o]\n"), expect: /p\.yaml:10:10: stage 'b': run: is a string/ },
  {
    name: "expression inside a shell string",
    yaml: ok(`  b:\n    run: "echo \${{ params.n }}"\n    shell: true\n    outputs: [o]\n`),
    expect: /p\.yaml:10:10: stage 'b': no \$\{\{ \}\} expressions in a shell command/,
  },
  { name: "run stage without outputs", yaml: ok("  b:\n    run: [true]\n"), expect: /p\.yaml:10:5: stage 'b': a run: stage must declare outputs/ },
  {
    name: "missing input file",
    yaml: ok("  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: nothere.fa }\n"),
    expect: /p\.yaml:12:18: stage 'b': input file not found: nothere\.fa/,
  },
  {
    name: "bad --set: unknown param",
    yaml: ok(),
    args: ["--set", "modle.layers=3"],
    expect: /--set modle\.layers=3: unknown param 'modle' \(did you mean 'model'\?\)/,
  },
  {
    name: "bad --set: wrong type",
    yaml: ok(),
    args: ["--set", "model.layers=deep"],
    expect: /--set model\.layers=deep: 'model\.layers' is a number \(default 2\), got string "deep"/,
  },
  { name: "bad --set: not key=value", yaml: ok(), args: ["--set", "n"], expect: /--set 'n': expected KEY=VALUE/ },
  { name: "unknown profile", yaml: ok(), args: ["--profile", "toy"], expect: /unknown profile 'toy'/ },
  { name: "undefined alias: js-yaml's reason and place", yaml: "x: &a 1\nstages:\n  a: *b\n", expect: /^p\.yaml:3:8: invalid YAML: unidentified alias "b"$/m },
  {
    name: "<<: merging a scalar",
    yaml: "stages:\n  a:\n    <<: 5\n    run: [true]\n",
    expect: /^p\.yaml:3:10: invalid YAML: cannot merge mappings; the provided source object is unacceptable$/m,
  },
  { name: "a NUL byte", yaml: "stages:\n  a:\n    run: [tr\0ue]\n", expect: /^p\.yaml:3:13: invalid YAML: null byte is not allowed in input$/m },
  {
    name: "unicode stage name, at its key",
    yaml: ok("  é-stage:\n    run: [true]\n    outputs: [o]\n"),
    expect: /^p\.yaml:9:3: stages: invalid name 'é-stage'/m,
  },
  { name: "emoji stage name, at its key", yaml: ok("  🧬:\n    run: [true]\n    outputs: [o]\n"), expect: /^p\.yaml:9:3: stages: invalid name '🧬'/m },
  {
    name: "an infinite number in the file",
    yaml: ok("  b:\n    run: [true]\n    outputs: [o]\n    with: { x: .inf }\n"),
    expect: /^p\.yaml:12:\d+: stages\.b\.with\.x: an infinite number \(\.inf\) is not allowed/m,
  },
  {
    name: "unterminated ${{ in an input",
    yaml: ok(`  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.a.outputs.out" }\n`),
    expect: /^p\.yaml:12:18: stages\.b\.inputs\.x: unterminated expression '\$\{\{ stages\.a\.outputs\.out': a \$\{\{ needs its closing \}\}$/m,
  },
  {
    name: "unterminated ${{ in run argv",
    yaml: ok(`  b:\n    run: [echo, "x\${{ params.n"]\n    outputs: [o]\n`),
    expect: /^p\.yaml:10:\d+: stages\.b\.run\.1: unterminated expression '\$\{\{ params\.n'/m,
  },
  { name: "bad --set: 1e400 overflows to Infinity", yaml: ok(), args: ["--set", "n=1e400"], expect: /^--set n=1e400: '1e400' is not a finite number/m },
  {
    name: "bad --set: a newline is kept (and so the type is wrong), never folded",
    yaml: ok(),
    args: ["--set", "n=1\n2"],
    expect: /^--set n=1\\n2: 'n' is a number \(default 3\), got string "1\\n2"$/m,
  },
  {
    name: "invalid memory",
    yaml: ok("  b:\n    run: [true]\n    outputs: [o]\n    resources: { memory: lots }\n"),
    expect: /p\.yaml:12:\d+: stages\.b\.resources\.memory: invalid value "lots"/,
  },
];

for (const c of cases) {
  test(`bad spec: ${c.name}`, () => {
    const dir = tempProject({ "p.yaml": c.yaml });
    const r = dnaflow(["run", "p.yaml", ...(c.args ?? [])], { cwd: dir });
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, c.expect);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
    assert.deepEqual(objectKeys(join(dir, ".dnaflow")), [], "no stage ran");
  });
}

test("several problems are reported at once, in file order", () => {
  const dir = tempProject({
    "p.yaml": `stages:\n  a:\n    uses: core/write-text@1\n    with: { txt: x }\n  b:\n    run: [true]\n    outputs: [o]\n    inputs: { x: "\${{ stages.zz.outputs.o }}" }\n`,
  });
  const r = dnaflow(["plan", "p.yaml"], { cwd: dir });
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split("\n");
  assert.ok(lines.length >= 3, r.stderr);
  assert.match(lines[0], /^p\.yaml:4:\d+: stage 'a': with: missing required param 'text'/);
  assert.ok(
    lines.some((l) => /^p\.yaml:4:13: .*unknown param 'txt'/.test(l)),
    r.stderr,
  );
  assert.ok(
    lines.some((l) => /^p\.yaml:8:\d+: .*unknown stage 'zz'/.test(l)),
    r.stderr,
  );
});

test("problems of every checking phase at once: unknown key, bad type and bad reference in one report", () => {
  const dir = tempProject({
    "p.yaml": `stages:\n  a:\n    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_OUT"']\n    outputs: [out]\n    colour: red\n  b:\n    run: [true]\n    outputs: [o]\n    retries: lots\n    inputs: { x: "\${{ stages.zz.outputs.o }}" }\n`,
  });
  const r = dnaflow(["run", "p.yaml"], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(
    r.stderr
      .trim()
      .split("\n")
      .map((l) => l.replace(/ \(.*$/, "")),
    [
      "p.yaml:5:5: unknown key 'colour' in stages.a",
      'p.yaml:9:14: stages.b.retries: invalid value "lots"',
      "p.yaml:10:18: stage 'b': input 'x' references unknown stage 'zz'",
    ],
  );
  assert.deepEqual(objectKeys(join(dir, ".dnaflow")), []);
});

test("an alias bomb (a few lines, 10^8 values) fails fast with the place the aliases multiply", () => {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (const [prev, c] of [..."abcdefg"].map((p, i) => [p, "bcdefgh"[i]])) lines.push(`${c}: &${c} [${Array(10).fill(`*${prev}`).join(", ")}]`);
  const dir = tempProject({ "p.yaml": `${lines.join("\n")}\nstages:\n  s:\n    uses: core/write-text@1\n    with: { text: *h }\n` });
  const t0 = Date.now();
  const r = dnaflow(["run", "p.yaml"], { cwd: dir });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^p\.yaml:5:7: aliases expand the file to [\d,]+ values, over the limit of 50,000 \(10 per byte of the file\); they multiply here/m);
  assert.ok(seconds < 20, `took ${seconds} s`); // generous for a loaded 2-core machine; it hung for minutes before
  assert.deepEqual(objectKeys(join(dir, ".dnaflow")), []);
});

test("--set with a newline reaches a string param byte for byte", () => {
  const dir = tempProject({
    "p.yaml": `params:\n  msg: hello\nstages:\n  a:\n    run: [sh, -c, 'printf %s "$DNAFLOW_PARAM_MSG" > "$DNAFLOW_OUTPUT_OUT"']\n    with: { msg: "\${{ params.msg }}" }\n    outputs: [out]\n`,
  });
  const value = "line one\nline\ttwo\r\n";
  const r = dnaflow(["run", "p.yaml", "--set", `msg=${value}`], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const [key] = objectKeys(join(dir, ".dnaflow"));
  assert.equal(readFileSync(join(dir, ".dnaflow", "objects", key, "out", "out"), "utf8"), value);
});
