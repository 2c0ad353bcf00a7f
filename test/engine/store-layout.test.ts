// The store's format has one owner (cache/layout.ts): every file a real run leaves in a filesystem store is a name the
// layout gives, and the filesystem and S3 layouts agree on the names they share.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative as relativePath } from "node:path";
import { FsLayout, S3Layout, relative } from "../../cache/layout.js";
import { dnaflow, events, planJson, tempProject } from "../helpers/cli.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const PIPE = `
stages:
  a:
    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_O"']
    outputs: [o]
  b:
    run: [sh, -c, 'mkdir -p "$DNAFLOW_CHECKPOINT_DIR/tensorboard"; echo ev > "$DNAFLOW_CHECKPOINT_DIR/tensorboard/events"; cat "$0" > "$DNAFLOW_OUTPUT_O"', "\${{ inputs.a }}"]
    inputs: { a: "\${{ stages.a.outputs.o }}" }
    outputs: [o]
  c:
    run: [sh, -c, 'echo step > "$DNAFLOW_CHECKPOINT_DIR/step"; exit 3']
    outputs: [o]
`;

test("store layout: every file a run leaves in the store is a name the layout gives", () => {
  const dir = tempProject({ "p.yaml": PIPE });
  const keys = Object.fromEntries(planJson(dir, "p.yaml").map((e) => [e.id, e.key]));
  const r = dnaflow(["run", "p.yaml", "--json", "-k", "-j", "1"], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  const runId = events(r.stdout).find((e) => e.type === "plan")?.runId as string;
  assert.ok(runId, "the run names its id");
  const layout = new FsLayout(join(dir, ".dnaflow"));

  const expected = [
    layout.runRecord(runId),
    layout.runIndex(),
    join(layout.tensorboard(keys.b), "events"),
    join(layout.checkpoint(keys.c), "step"),
    layout.progress(keys.c),
  ];
  // (The failed attempt's progress record stays, marked ended, for `dnaflow watch`; a published key's is removed.)
  for (const id of ["a", "b"]) {
    const m = JSON.parse(readFileSync(layout.objectManifest(keys[id]), "utf8"));
    expected.push(layout.objectManifest(keys[id]), layout.output(keys[id], "o"), layout.log(keys[id], m.attempt));
  }
  const found = files(layout.root);
  const failedLogs = found.filter((f) => f.startsWith(layout.logs(keys.c) + "/"));
  assert.ok(failedLogs.length >= 1, "the failed stage's attempt left its log");
  for (const f of failedLogs) assert.equal(f, layout.log(keys.c, basename(f, ".log")));
  const stateFiles = found.filter((f) => f.startsWith(layout.state("")));
  for (const f of stateFiles) assert.equal(f, layout.state(basename(f)));
  assert.deepEqual(found.filter((f) => !failedLogs.includes(f) && !stateFiles.includes(f)).sort(), expected.sort());

  // Each top-level directory is one the layout names (created at open, or by the first writer of progress/tensorboard).
  const top = readdirSync(layout.root).map((n) => join(layout.root, n));
  const named = [...layout.directories(), layout.progressDir(), layout.tensorboards()];
  for (const d of top) assert.ok(named.includes(d), `${d} is not a directory the layout names`);
  for (const d of layout.directories()) assert.ok(top.includes(d), `${d} was not created`);
});

test("store layout: the filesystem and S3 layouts agree on the names they share", () => {
  const key = "0123456789abcdef";
  const fs = new FsLayout("/srv/store");
  for (const prefix of ["", "team/run1", "team/run1/"]) {
    const s3 = new S3Layout(prefix);
    const strip = (k: string) => (prefix ? k.slice(prefix.replace(/\/$/, "").length + 1) : k);
    for (const name of ["objects", "checkpoints", "progressDir", "leases", "quarantine"] as const) {
      assert.equal(relativePath(fs.root, fs[name]()), relative[name](), name);
      assert.equal(strip(s3[name]()), relative[name](), `${name} under '${prefix}'`);
    }
    for (const name of ["object", "checkpoint", "progress", "lease"] as const) {
      assert.equal(relativePath(fs.root, fs[name](key)), relative[name](key), name);
      assert.equal(strip(s3[name](key)), relative[name](key), `${name} under '${prefix}'`);
    }
    // Where the formats differ, S3's names sit under the same shared directories.
    assert.equal(strip(s3.objectFile(key, "att1", "o/x.bin")), `objects/${key}/att1/out/o/x.bin`);
    assert.ok(s3.objectFile(key, "att1", "o").startsWith(s3.object(key) + "/"));
    assert.ok(s3.quarantined(key, "1700000000000").startsWith(s3.quarantine() + "/"));
    assert.equal(s3.keyOfManifest(s3.manifest(key)), key);
  }
  assert.ok(fs.output(key, "o").startsWith(fs.object(key) + "/"));
  assert.ok(fs.attempt(key, "x1").startsWith(fs.attempts() + "/"));
  assert.equal(fs.keyOfAttempt(basename(fs.attempt(key, "x1"))), key);
  assert.equal(fs.runIdOf(basename(fs.runRecord("20260101T000000Z-ab"))), "20260101T000000Z-ab");
  assert.equal(fs.runIdOf(basename(fs.runIndex())), undefined);
});
