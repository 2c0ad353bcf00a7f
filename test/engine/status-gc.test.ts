// `status` tells a live run from one whose engine is gone; gc keeps the last complete run of a pipeline even after a
// subset or an interrupted run, and collects checkpoints nobody will resume.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, dnaflowAsync, events, objectKeys, planJson, ran, tempProject } from "../helpers/cli.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("status: a killed engine's run says 'stopped (engine gone)'; another host's run is judged by its heartbeat", async () => {
  const dir = tempProject({ "p.yaml": `stages:\n  slow:\n    run: [sh, -c, 'sleep 30; echo > "$DNAFLOW_OUTPUT_O"']\n    outputs: [o]\n` });
  const child = dnaflowAsync(["run", "p.yaml", "--json"], { cwd: dir });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  for (let i = 0; i < 200 && !events(out.slice(0, out.lastIndexOf("\n") + 1)).some((e) => e.type === "stage-start"); i++) await sleep(50);
  const live = dnaflow(["status", "p.yaml"], { cwd: dir });
  assert.match(live.stdout, new RegExp(`last run \\S+: running \\(pid ${child.pid}\\)`));
  const attempts = join(dir, ".dnaflow", "attempts");
  const pgids = readdirSync(attempts).map((a) => JSON.parse(readFileSync(join(attempts, a, "owner.json"), "utf8")).childPgid);
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  for (const g of pgids) if (g) process.kill(-g, "SIGKILL");
  const gone = dnaflow(["status", "p.yaml"], { cwd: dir });
  assert.match(gone.stdout, /last run \S+: stopped \(engine gone: pid \d+ is not running\)/);
  assert.doesNotMatch(gone.stdout, /: running/);

  // The same record as if another machine had written it: only its heartbeat's age can be judged here.
  const runs = join(dir, ".dnaflow", "runs");
  const id = readdirSync(runs).find((f) => f !== "index.json")!;
  const rec = JSON.parse(readFileSync(join(runs, id), "utf8"));
  writeFileSync(join(runs, id), JSON.stringify({ ...rec, host: "gpu-node-7", heartbeat: new Date().toISOString() }));
  assert.match(dnaflow(["status", "p.yaml"], { cwd: dir }).stdout, /: running on gpu-node-7 \(heartbeat \S+ ago\)/);
  writeFileSync(join(runs, id), JSON.stringify({ ...rec, host: "gpu-node-7", heartbeat: new Date(Date.now() - 3600e3).toISOString() }));
  assert.match(dnaflow(["status", "p.yaml"], { cwd: dir }).stdout, /: stopped\? \(engine gone: no heartbeat from gpu-node-7 for 1h00m\)/);
});

const PIPE = `
params: { n: 1, failAt: none }
stages:
${["a", "b", "c", "d"].map((s) => `  ${s}:\n    run: [sh, -c, 'test "$DNAFLOW_PARAM_F" != ${s} || exit 3; echo ${s} $DNAFLOW_PARAM_N > "$DNAFLOW_OUTPUT_O"']\n    with: { n: "\${{ params.n }}", f: "\${{ params.failAt }}" }\n    outputs: [o]\n`).join("")}
  all:
    run: [sh, -c, 'cat "$@" > "$0"', "\${{ outputs.o }}", "\${{ inputs.a }}", "\${{ inputs.b }}", "\${{ inputs.c }}", "\${{ inputs.d }}"]
    inputs: { a: "\${{ stages.a.outputs.o }}", b: "\${{ stages.b.outputs.o }}", c: "\${{ stages.c.outputs.o }}", d: "\${{ stages.d.outputs.o }}" }
    outputs: [o]
`;

function ageObjects(store: string): void {
  const old = new Date(Date.now() - 3 * 3600e3).toISOString();
  for (const k of objectKeys(store)) {
    const mp = join(store, "objects", k, "manifest.json");
    const m = JSON.parse(readFileSync(mp, "utf8"));
    m.timings.finished = old;
    writeFileSync(mp, JSON.stringify(m)); // as if made 3 hours ago: past gc's grace period
  }
}

test("gc: a subset --set run and an interrupted --set run never unroot the last complete run; a newer complete run does", () => {
  const dir = tempProject({ "p.yaml": PIPE });
  const store = join(dir, ".dnaflow");
  assert.equal(dnaflow(["run", "p.yaml"], { cwd: dir }).code, 0);
  const full = planJson(dir, "p.yaml").map((s) => s.key);
  assert.equal(dnaflow(["run", "p.yaml", "b", "--set", "n=2"], { cwd: dir }).code, 0, "a subset with other params");
  const failed = dnaflow(["run", "p.yaml", "-k", "--set", "n=3", "--set", "failAt=c"], { cwd: dir });
  assert.equal(failed.code, 1, "an unfinished (failed) run with other params");
  assert.equal(objectKeys(store).length, 5 + 1 + 3);
  ageObjects(store);
  const gc = dnaflow(["gc", "p.yaml"], { cwd: dir });
  assert.match(gc.stdout, /freed 0 B: 0 object\(s\)/, gc.stdout);
  for (const k of full) assert.ok(existsSync(join(store, "objects", k)), "the complete run's objects are all kept");
  assert.deepEqual(ran(dnaflow(["run", "p.yaml", "--json"], { cwd: dir }).stdout), [], "the full pipeline is still all cached");

  // A complete run with other params is now the last complete run: what only older runs used goes.
  assert.equal(dnaflow(["run", "p.yaml", "--set", "n=4"], { cwd: dir }).code, 0);
  ageObjects(store);
  const real = dnaflow(["gc", "p.yaml"], { cwd: dir });
  const now = planJson(dir, "p.yaml", ["--set", "n=4"]).map((s) => s.key);
  for (const k of now) assert.ok(existsSync(join(store, "objects", k)));
  assert.match(real.stdout, /freed [\d.]+ (B|KiB): 9 object\(s\)/, real.stdout);
  assert.equal(objectKeys(store).length, 5);
});

test("gc collects checkpoints of keys no root run references once past the grace period; keeps a root's and young ones", () => {
  const dir = tempProject({ "p.yaml": PIPE });
  const store = join(dir, ".dnaflow");
  assert.equal(dnaflow(["run", "p.yaml", "--set", "failAt=c"], { cwd: dir }).code, 1);
  const cKey = planJson(dir, "p.yaml", ["--set", "failAt=c"]).find((s) => s.id === "c")!.key;
  const ck = (key: string, hoursOld: number) => {
    const d = join(store, "checkpoints", key);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "step.pt"), "x".repeat(1000));
    const t = new Date(Date.now() - hoursOld * 3600e3);
    utimesSync(join(d, "step.pt"), t, t);
    utimesSync(d, t, t);
  };
  ck(cKey, 3); // the failed stage of the latest run: its next run resumes from here
  ck("0".repeat(64), 3); // nobody's
  ck("1".repeat(64), 0); // nobody's, but written just now
  const dry = dnaflow(["gc", "p.yaml", "--dry-run"], { cwd: dir });
  assert.match(dry.stdout, /would remove checkpoint 0000000000 /);
  assert.match(dry.stdout, /1 checkpoint\(s\)/);
  assert.equal(readdirSync(join(store, "checkpoints")).length, 3);
  const real = dnaflow(["gc", "p.yaml"], { cwd: dir });
  assert.match(real.stdout, /freed 1000 B: 0 object\(s\), 0 stale attempt\(s\), 1 checkpoint\(s\)/, real.stdout);
  assert.deepEqual(readdirSync(join(store, "checkpoints")).sort(), [cKey, "1".repeat(64)].sort());
});
