// What the engine notices while it waits on a Slurm job: a request no partition can satisfy fails at once with Slurm's
// reason; an object published by a job whose slurmstepd was killed (the job stays RUNNING for minutes) ends the wait;
// the stage's progress on the node is relayed as progress events.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { dnaflowAsync, objectKeys, tempProject } from "../helpers/cli.js";
import { fixture } from "../helpers/paths.js";
import { startCluster, type Cluster } from "../infra/slurm/cluster.js";
import { FAST, follow, jobIds, until } from "./helpers.js";

let cluster: Cluster;
const children: ChildProcess[] = [];
before(async () => {
  cluster = await startCluster();
});
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  cluster?.stop();
});

function start(dir: string) {
  const child = dnaflowAsync(["run", "p.yaml", "--executor", "slurm", "--json"], { cwd: dir, env: { ...cluster.env, ...FAST } });
  children.push(child);
  return follow(child);
}

test("a request no partition can satisfy fails at once with Slurm's reason (not pending forever), and is not retried", async () => {
  const dir = tempProject({
    "p.yaml": `
stages:
  huge:
    run: [sh, -c, 'echo > "$1"', x, "\${{ outputs.o }}"]
    outputs: [o]
    resources: { cpus: 999 }
    retries: 2
`,
  });
  const t0 = Date.now();
  const run = start(dir);
  assert.equal(await run.exit, 1, run.stderr());
  assert.ok(Date.now() - t0 < 60_000, "failed fast");
  const ids = jobIds(run.events);
  assert.equal(ids.length, 1, "not retried: waiting longer changes nothing");
  assert.equal(cluster.job(ids[0]).JobState, "CANCELLED");
  const failed = run.events.filter((e) => e.type === "stage-failed");
  assert.equal(failed.length, 1);
  assert.match(failed[0].error, new RegExp(`slurm job ${ids[0]} can never start: pending \\(PartitionConfig\\).*--cpus-per-task=999`));
  assert.equal(run.events.at(-1)!.type, "run-done");
});

test("a job whose slurmstepd is killed stays RUNNING; the engine notices the published object and finishes", async () => {
  const dir = tempProject({ "p.yaml": `stages:\n  s:\n    run: [sh, -c, 'sleep 3; echo made > "$1"', x, "\${{ outputs.o }}"]\n    outputs: [o]\n` });
  const run = start(dir);
  await run.waitFor(() => jobIds(run.events).length >= 1);
  const id = jobIds(run.events)[0];
  await until(`job ${id} running`, () => cluster.job(id).JobState === "RUNNING");
  const store = join(dir, ".dnaflow");
  await until("the job's dnaflow to begin its attempt", () => readdirSync(join(store, "attempts")).length === 1, 15_000);
  const stepd = spawnSync("pgrep", ["-f", `slurmstepd: \\[${id}\\.batch\\]`], { encoding: "utf8" })
    .stdout.trim()
    .split("\n")
    .filter(Boolean);
  assert.ok(stepd.length, "found the job's slurmstepd");
  for (const pid of stepd) process.kill(Number(pid), "SIGKILL");
  await until("the orphaned stage to publish", () => objectKeys(store).length === 1, 30_000);
  const published = Date.now();
  assert.equal(cluster.job(id).JobState, "RUNNING", "Slurm does not know the job ended");
  assert.equal(await run.exit, 0, run.stderr() + JSON.stringify(run.events));
  const waited = (Date.now() - published) / 1000;
  assert.ok(waited < 30, `finished ${waited.toFixed(1)} s after the object was published`);
  assert.equal(run.events.filter((e) => e.type === "stage-done").length, 1);
  assert.equal(cluster.job(id).JobState, "CANCELLED", "the stray job was cancelled");
});

test("the stage's progress on the node is relayed as stage-progress events", async () => {
  const dir = tempProject({ "p.yaml": `stages:\n  strip:\n    uses: genome/strip-n@1\n    inputs: { fasta: genome.fa.gz }\n` });
  copyFileSync(fixture("genome", "chr2_1-2333275.fa.gz"), join(dir, "genome.fa.gz"));
  const run = start(dir);
  assert.equal(await run.exit, 0, run.stderr());
  const progress = run.events.filter((e) => e.type === "stage-progress" && e.id === "strip");
  assert.ok(progress.length >= 1, JSON.stringify(run.events));
  const last = progress.at(-1)!;
  assert.equal(last.unit, "bytes");
  assert.ok(last.total > 0 && last.done === last.total, JSON.stringify(last));
  const done = run.events.findIndex((e) => e.type === "stage-done");
  assert.ok(run.events.indexOf(last) < done, "progress comes before the stage is done");
});
