// A 0-byte or truncated manifest.json: the object is not published, everywhere — plan, run, status, show, verify.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, objectKeys, planJson, tempProject } from "../helpers/cli.js";

const PIPELINE = `
stages:
  a:
    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
  b:
    run: [sh, -c, 'cat "$DNAFLOW_INPUT_X" > "$DNAFLOW_OUTPUT_OUT"']
    inputs: { x: "\${{ stages.a.outputs.out }}" }
    outputs: [out]
`;

const damages: Record<string, (text: string) => string> = {
  "0-byte": () => "",
  truncated: (t) => t.slice(0, Math.floor(t.length / 2)),
  "cut before the last brace": (t) => t.slice(0, t.lastIndexOf("}")),
};

for (const [name, damage] of Object.entries(damages)) {
  test(`a ${name} manifest.json: plan, status and show see no object; verify flags it; run makes it again`, () => {
    const dir = tempProject({ "p.yaml": PIPELINE });
    const store = join(dir, ".dnaflow");
    assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
    const a = planJson(dir, "p.yaml").find((s) => s.id === "a")!;
    const manifest = join(store, "objects", a.key, "manifest.json");
    writeFileSync(manifest, damage(readFileSync(manifest, "utf8")));

    const plan = planJson(dir, "p.yaml");
    assert.deepEqual(
      plan.map((s) => [s.id, s.action]),
      [
        ["a", "run"],
        ["b", "cached"],
      ],
    );
    const status = dnaflow(["status", "p.yaml"], { cwd: dir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^ {2}pending {2}a /m);
    const show = dnaflow(["show", "p.yaml", "a"], { cwd: dir });
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).state, "to run");
    assert.equal(JSON.parse(show.stdout).timings, undefined);

    const verify = dnaflow(["verify", "p.yaml"], { cwd: dir });
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.match(verify.stdout, new RegExp(`corrupt ${a.key.slice(0, 10)}: manifest missing or unreadable — quarantined`));
    assert.ok(!objectKeys(store).includes(a.key), "set aside");

    // Damaged again, and run straight away (no verify first): the damaged object is set aside and made again.
    assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
    writeFileSync(manifest, damage(readFileSync(manifest, "utf8")));
    const run = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const done = run.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "stage-done")
      .map((e) => e.id);
    assert.deepEqual(done, ["a"]);
    assert.equal(JSON.parse(readFileSync(manifest, "utf8")).key, a.key, "a whole manifest again");
    assert.equal(readdirSync(join(store, "quarantine")).length, 2);
    const again = dnaflow(["verify", "p.yaml"], { cwd: dir });
    assert.equal(again.code, 0, again.stdout);
  });
}
