// A corrupted object (one flipped byte) is detected when consumed, quarantined and made again; `verify` finds it too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, events, planJson, ran, tempProject } from "../helpers/cli.js";

const PIPELINE = `
params: { suffix: a }
stages:
  source:
    uses: core/write-text@1
    with: { text: "ACGTACGTACGT" }
  consume:
    run: [sh, -c, 'cat "$DNAFLOW_INPUT_IN" > "$DNAFLOW_OUTPUT_OUT"; echo "$DNAFLOW_PARAM_S" >> "$DNAFLOW_OUTPUT_OUT"']
    with: { s: "\${{ params.suffix }}" }
    inputs: { in: "\${{ stages.source.outputs.file }}" }
    outputs: [out]
`;

function flipByte(path: string): void {
  const b = readFileSync(path);
  b[3] ^= 0x20; // "T" → "t": same size, different content
  writeFileSync(path, b);
}

test("a flipped byte in an upstream object is detected on consumption, quarantined and re-made", () => {
  const dir = tempProject({ "p.yaml": PIPELINE });
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
  const sourceKey = planJson(dir, "p.yaml").find((s) => s.id === "source")!.key;
  const file = join(dir, ".dnaflow", "objects", sourceKey, "out", "file");
  flipByte(file);
  const r = dnaflow(["run", "p.yaml", "--json", "--set", "suffix=b"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const ev = events(r.stdout);
  const corrupt = ev.find((e) => e.type === "corrupt");
  assert.ok(corrupt, "corruption reported");
  assert.equal(corrupt!.id, "source");
  assert.match(corrupt!.problems[0], /file: sha256 differs from the manifest/);
  assert.deepEqual(ran(r.stdout), ["consume", "source"]);
  assert.equal(readFileSync(file, "utf8"), "ACGTACGTACGT", "re-made with the right bytes");
  const consumeKey = planJson(dir, "p.yaml", ["--set", "suffix=b"]).find((s) => s.id === "consume")!.key;
  assert.equal(readFileSync(join(dir, ".dnaflow", "objects", consumeKey, "out", "out"), "utf8"), "ACGTACGTACGTb\n");
  assert.equal(readdirSync(join(dir, ".dnaflow", "quarantine")).length, 1, "the bad copy is kept aside for inspection");
});

test("dnaflow verify rehashes everything, quarantines a corrupt object and exits 1; the next run re-makes it", () => {
  const dir = tempProject({ "p.yaml": PIPELINE });
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
  assert.equal(dnaflow(["verify", "p.yaml"], { cwd: dir }).code, 0);
  const consumeKey = planJson(dir, "p.yaml").find((s) => s.id === "consume")!.key;
  flipByte(join(dir, ".dnaflow", "objects", consumeKey, "out", "out"));
  const v = dnaflow(["verify", "p.yaml"], { cwd: dir });
  assert.equal(v.code, 1);
  assert.match(v.stdout, /corrupt .*out: sha256 differs/);
  assert.match(v.stdout, /verified 2 object\(s\): 1 ok, 1 corrupt/);
  const plan = planJson(dir, "p.yaml");
  assert.deepEqual(plan.find((s) => s.id === "consume")!.reasons, ["not in the store (removed, quarantined or gc'ed)"]);
  const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
  assert.deepEqual(ran(r.stdout), ["consume"]);
});
