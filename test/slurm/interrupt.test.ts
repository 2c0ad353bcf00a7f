// Slurm jobs that do not end normally: Ctrl-C cancels them (and publishes nothing); a job killed under the stage is
// resubmitted; a job Slurm requeues is waited for under the same id; a job cancelled by someone else is reported.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { dnaflowAsync, objectKeys, tempProject } from "../helpers/cli.js";
import { startCluster, type Cluster } from "../infra/slurm/cluster.js";
import { FAST, follow, jobIds, until } from "./helpers.js";

let cluster: Cluster;
const children: ChildProcess[] = [];
before(async () => {
  cluster = await startCluster();
});
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL"); // a failed test must not leave an engine polling
  cluster?.stop();
});

const slow = (seconds: number) => `
stages:
  slow:
    run: [sh, -c, 'echo started; sleep ${seconds}; echo done > "$1"', x, "\${{ outputs.o }}"]
    outputs: [o]
`;

function start(dir: string) {
  const child = dnaflowAsync(["run", "p.yaml", "--executor", "slurm", "--json"], { cwd: dir, env: { ...cluster.env, ...FAST } });
  children.push(child);
  return follow(child);
}

/** Waits until the stage's (n-th) job runs; returns its id. */
async function running(run: ReturnType<typeof follow>, n = 1): Promise<string> {
  await run.waitFor(() => jobIds(run.events).length >= n);
  const id = jobIds(run.events)[n - 1];
  await until(`job ${id} running`, () => cluster.job(id).JobState === "RUNNING");
  await run.waitFor((e) => e.type === "stage-start" && e.attempt === n);
  return id;
}

test("Ctrl-C cancels the Slurm job, publishes nothing and exits 130", async () => {
  const dir = tempProject({ "p.yaml": slow(60) });
  const run = start(dir);
  const id = await running(run);
  const store = join(dir, ".dnaflow");
  await until("the job's own dnaflow to begin its attempt", () => readdirSync(join(store, "attempts")).length === 1, 15_000);
  const t0 = Date.now();
  run.child.kill("SIGINT");
  assert.equal(await run.exit, 130, run.stderr());
  assert.ok(Date.now() - t0 < 20_000);
  assert.equal(cluster.job(id).JobState, "CANCELLED");
  assert.deepEqual(objectKeys(store), []);
  await until("the attempt dir cleared by the cancelled job", () => readdirSync(join(store, "attempts")).length === 0, 10_000);
});

test("a job killed under the stage (no verdict) is resubmitted once and the stage still gets made", async () => {
  const dir = tempProject({ "p.yaml": slow(2) });
  const run = start(dir);
  const first = await running(run);
  cluster.cmd("scancel", ["--batch", "--signal=KILL", first]); // what a dying node looks like from the job
  assert.equal(await run.exit, 0, run.stderr() + JSON.stringify(run.events));
  assert.match(cluster.job(first).JobState, /FAILED|NODE_FAIL/);
  const ids = jobIds(run.events);
  assert.equal(ids.length, 2);
  assert.equal(cluster.job(ids[1]).JobState, "COMPLETED");
  const lost = run.events.find((e) => e.type === "stage-failed")!;
  assert.match(lost.error, new RegExp(`slurm job ${first}: FAILED, signal 9.*ended without publishing .*resubmitting \\(1/2\\)`));
  assert.equal(lost.retryInMs, 0);
  assert.equal(objectKeys(join(dir, ".dnaflow")).length, 1);
});

test("a job Slurm requeues (node failure, scontrol requeue) is followed under the same id until it publishes", async () => {
  const dir = tempProject({ "p.yaml": slow(3) });
  const run = start(dir);
  const id = await running(run);
  cluster.cmd("scontrol", ["requeue", id]);
  await run.waitFor((e) => e.type === "stage-waiting" && /requeued \(restart 1/.test(e.reason));
  // Slurm holds a requeued job back for a while (BeginTime); let it start again now.
  await until(`job ${id} pending again`, () => cluster.job(id).JobState === "PENDING");
  cluster.cmd("scontrol", ["update", `JobId=${id}`, "StartTime=now"]);
  assert.equal(await run.exit, 0, run.stderr() + JSON.stringify(run.events));
  const j = cluster.job(id);
  assert.equal(j.Restarts, "1");
  if (j.JobState === "COMPLETED") {
    assert.deepEqual(jobIds(run.events), [id], "followed under the same id, not submitted twice");
  } else {
    // Under load Slurm's relaunch of a requeued job can itself fail before the stage runs: then it is a lost job,
    // resubmitted once (never reported as a configuration error).
    assert.equal(j.JobState, "FAILED");
    assert.equal(jobIds(run.events).length, 2, JSON.stringify(run.events));
    assert.match(run.events.find((e) => e.type === "stage-failed")!.error, /ended without publishing .*resubmitting \(1\/2\)/);
  }
  assert.equal(run.events.filter((e) => e.type === "stage-done").length, 1);
  assert.equal(objectKeys(join(dir, ".dnaflow")).length, 1);
});

test("a job cancelled outside dnaflow is reported as such, not retried, exit 1", async () => {
  const dir = tempProject({ "p.yaml": slow(30).replace("outputs: [o]", "outputs: [o]\n    retries: 3") });
  const run = start(dir);
  const id = await running(run);
  cluster.cmd("scancel", ["--signal=KILL", id]);
  assert.equal(await run.exit, 1);
  assert.equal(cluster.job(id).JobState, "CANCELLED");
  const failed = run.events.filter((e) => e.type === "stage-failed");
  assert.equal(failed.length, 1);
  assert.match(failed[0].error, /cancelled outside dnaflow/);
  assert.ok(existsSync(failed[0].log), "a log even though the stage never finished an attempt");
  assert.equal(jobIds(run.events).length, 1);
});
