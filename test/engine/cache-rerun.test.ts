// Caching: a rerun with nothing changed runs nothing; one changed param reruns exactly that stage and its descendants.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { dnaflow, objectKeys, planJson, ran, tempProject } from "../helpers/cli.js";

const PIPELINE = `
name: chain
params:
  a: 1
  b: 2
stages:
  first:
    run: [sh, -c, 'echo "a=$DNAFLOW_PARAM_A" > "$DNAFLOW_OUTPUT_OUT"']
    with: { a: "\${{ params.a }}" }
    outputs: [out]
  second:
    run: [sh, -c, 'cat "$DNAFLOW_INPUT_IN" > "$DNAFLOW_OUTPUT_OUT"; echo "b=$DNAFLOW_PARAM_B" >> "$DNAFLOW_OUTPUT_OUT"']
    with: { b: "\${{ params.b }}" }
    inputs: { in: "\${{ stages.first.outputs.out }}" }
    outputs: [out]
  third:
    run: [sh, -c, 'cat "$DNAFLOW_INPUT_IN" > "$DNAFLOW_OUTPUT_OUT"']
    inputs: { in: "\${{ stages.second.outputs.out }}" }
    outputs: [out]
  side:
    run: [sh, -c, 'echo side > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
`;

test("rerun with nothing changed runs nothing; a changed param reruns exactly its stage and descendants", () => {
  const dir = tempProject({ "p.yaml": PIPELINE });
  const first = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(ran(first.stdout), ["first", "second", "side", "third"]);
  const keysAfterFirst = objectKeys(join(dir, ".dnaflow"));
  assert.equal(keysAfterFirst.length, 4);

  const again = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(ran(again.stdout), [], "nothing reruns");
  assert.deepEqual(objectKeys(join(dir, ".dnaflow")), keysAfterFirst);

  const plan = planJson(dir, "p.yaml", ["--set", "b=7"]);
  const byId = Object.fromEntries(plan.map((s) => [s.id, s]));
  assert.equal(byId.first.action, "cached");
  assert.equal(byId.side.action, "cached");
  assert.deepEqual(byId.second.reasons, ["params.b 2 → 7"]);
  assert.deepEqual(byId.third.reasons, ["upstream second changed"]);

  const changed = dnaflow(["run", "p.yaml", "--json", "--set", "b=7"], { cwd: dir });
  assert.equal(changed.code, 0, changed.stderr);
  assert.deepEqual(ran(changed.stdout), ["second", "third"]);
});

test("an edited external input file or script changes the key of exactly the stages that read it", () => {
  const dir = tempProject({
    "data.txt": "ACGT\n",
    "tool.sh": 'cat "$1" > "$2"\n',
    "p.yaml": `
stages:
  copy:
    run: [sh, tool.sh, "\${{ inputs.data }}", "\${{ outputs.out }}"]
    inputs: { data: data.txt }
    outputs: [out]
  other:
    run: [sh, -c, 'echo x > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
`,
  });
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
  writeFileSync(join(dir, "data.txt"), "ACGTT\n");
  let plan = planJson(dir, "p.yaml");
  assert.match(plan.find((s) => s.id === "copy")!.reasons[0], /^input data \(data\.txt\) content changed/);
  assert.equal(plan.find((s) => s.id === "other")!.action, "cached");
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
  writeFileSync(join(dir, "tool.sh"), 'cat "$1" "$1" > "$2"\n');
  plan = planJson(dir, "p.yaml");
  assert.deepEqual(plan.find((s) => s.id === "copy")!.reasons, ["script tool.sh changed"]);
});
