// SIGKILL of the engine mid-write: nothing partial is ever visible in objects/, and a rerun resumes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { dnaflow, dnaflowAsync, events, objectKeys, ran, tempProject } from "../helpers/cli.js";

// `slow` writes its output in 20 chunks, 100 ms apart, so the kill lands while it writes.
const WRITER = `
const fs = require("fs");
const out = process.argv[2];
fs.mkdirSync(out, { recursive: true });
let i = 0;
const t = setInterval(() => {
  fs.appendFileSync(out + "/data.txt", "chunk " + i + "\\n");
  if (++i === 20) { clearInterval(t); fs.writeFileSync(out + "/done.txt", "ok\\n"); }
}, 100);
`;

const PIPELINE = `
stages:
  fast:
    run: [sh, -c, 'echo fast > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
  slow:
    run: [node, writer.js, "\${{ outputs.out }}"]
    inputs: { dep: "\${{ stages.fast.outputs.out }}" }
    outputs: [out]
`;

/** Every published object is complete: a manifest, and every file in it with the recorded size and digest. */
function assertStoreConsistent(store: string): void {
  for (const key of objectKeys(store)) {
    const dir = join(store, "objects", key);
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    for (const f of m.files) {
      const p = join(dir, "out", f.path);
      assert.equal(statSync(p).size, f.size, `${p} size`);
      assert.equal(createHash("sha256").update(readFileSync(p)).digest("hex"), f.sha256, `${p} digest`);
    }
  }
}

test("SIGKILL while a stage writes its outputs: no partial object, and the rerun skips done stages and restarts the rest", async () => {
  const dir = tempProject({ "p.yaml": PIPELINE, "writer.js": WRITER });
  const store = join(dir, ".dnaflow");
  const child = dnaflowAsync(["run", "p.yaml", "--json"], { cwd: dir });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  // Watch the store the whole time the engine runs: an object must never appear half-written.
  let checks = 0;
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      try {
        assertStoreConsistent(store);
        checks++;
        const attempts = existsSync(join(store, "attempts")) ? readdirSync(join(store, "attempts")) : [];
        const writing = attempts.some((a) => existsSync(join(store, "attempts", a, "out", "out", "data.txt")));
        if (writing && out.includes('"stage-start"') && out.includes('"id":"slow"')) {
          child.kill("SIGKILL");
          clearInterval(poll);
          resolve();
        }
      } catch (e) {
        clearInterval(poll);
        reject(e);
      }
    }, 50);
  });
  await new Promise((r) => child.on("exit", r));
  assert.ok(checks > 0);
  assert.equal(objectKeys(store).length, 1, "only the finished stage is published");
  assertStoreConsistent(store);
  assert.ok(readdirSync(join(store, "attempts")).length >= 1, "the killed attempt is left aside, not published");

  const rerun = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(ran(rerun.stdout), ["slow"], "fast is not run again");
  const start = events(rerun.stdout).find((e) => e.type === "stage-start" && e.id === "slow")!;
  assert.deepEqual(start.reasons, ["previous run stopped before it finished"]);
  assertStoreConsistent(store);
  assert.equal(objectKeys(store).length, 2);
  assert.deepEqual(readdirSync(join(store, "attempts")), [], "the rerun cleared the dead attempt (and stopped its orphan)");
  const slowKey = start.key as string;
  const data = readFileSync(join(store, "objects", slowKey, "out", "out", "data.txt"), "utf8");
  assert.equal(data.split("\n").filter(Boolean).length, 20, "the output is whole, written by one attempt");
});

test("Ctrl-C (SIGINT): stages are stopped, nothing is published, exit code 130, checkpoints stay", async () => {
  const dir = tempProject({
    "p.yaml": `
stages:
  long:
    run: [sh, -c, 'echo started > "$DNAFLOW_CHECKPOINT_DIR/state"; sleep 30; echo x > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
`,
  });
  const store = join(dir, ".dnaflow");
  const child = dnaflowAsync(["run", "p.yaml", "--json"], { cwd: dir });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  const started = Date.now();
  while (!out.includes('"stage-start"')) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  child.kill("SIGINT");
  const code = await new Promise((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 130);
  assert.ok(Date.now() - started < 10_000, "the 30 s stage was stopped, not waited for");
  assert.deepEqual(objectKeys(store), []);
  assert.deepEqual(readdirSync(join(store, "attempts")), [], "the cancelled attempt is discarded");
  const ckpt = readdirSync(join(store, "checkpoints"));
  assert.equal(ckpt.length, 1);
  assert.equal(readFileSync(join(store, "checkpoints", ckpt[0], "state"), "utf8"), "started\n");
  assert.match(out, /"outcome":"interrupted"/);
});

test("a second Ctrl-C kills a stage that ignores SIGTERM at once; exit 130; the next run clears the attempt", async () => {
  const dir = tempProject({
    "p.yaml": `
stages:
  stubborn:
    run: [sh, -c, 'trap "" TERM; echo $$ > "$DNAFLOW_CHECKPOINT_DIR/pid"; while true; do sleep 0.2; done']
    outputs: [out]
`,
  });
  const store = join(dir, ".dnaflow");
  const child = dnaflowAsync(["run", "p.yaml", "--json"], { cwd: dir });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  while (!out.includes('"stage-start"')) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  child.kill("SIGINT");
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(child.exitCode, null, "the first Ctrl-C waits for the stage (it ignores SIGTERM; grace is 5 s)");
  const t = Date.now();
  child.kill("SIGINT");
  const code = await new Promise((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 130);
  assert.ok(Date.now() - t < 2000, "forced: no waiting");
  const ckpt = readdirSync(join(store, "checkpoints"))[0];
  const pid = Number(readFileSync(join(store, "checkpoints", ckpt, "pid"), "utf8"));
  await new Promise((r) => setTimeout(r, 200));
  // Gone, or a zombie waiting for a reaper (containers often have no init to reap orphans): not running either way.
  const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] : "gone";
  assert.ok(state === "gone" || state === "Z", `the stage's shell was killed with its group (state ${state})`);
  assert.deepEqual(objectKeys(store), []);
  const r = dnaflow(["plan", "p.yaml"], { cwd: dir });
  assert.equal(r.code, 0);
});
