// The Slurm executor's pieces that need no cluster: sbatch arguments, time/memory text, scontrol parsing, the job
// script, exec-stage's refusal of a changed pipeline, and the test cluster's own failure when Slurm is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { sbatchArgs, slurmTime, slurmMem, jobScript, shQuote } from "../../engine/executors/slurm/sbatch.js";
import { parseScontrol, parseSacct, describe, isActive, isHeld } from "../../engine/executors/slurm/state.js";
import type { StageInstance } from "../../engine/dag/types.js";
import { dnaflow, tempProject } from "../helpers/cli.js";
import { INSTALL_HINT, startCluster } from "../infra/slurm/cluster.js";

const inst = (over: Partial<StageInstance> & { slurm?: object }) =>
  ({ id: "train[lr=0.1]", stageId: "train", timeoutMs: undefined, spec: { slurm: over.slurm ?? {} }, ...over }) as unknown as StageInstance;

test("slurm time and memory text", () => {
  assert.equal(slurmTime(90_000), "00:02:00");
  assert.equal(slurmTime(10 * 60_000), "00:10:00");
  assert.equal(slurmTime(26 * 3600_000 + 1), "1-02:01:00");
  assert.equal(slurmMem(512 * 2 ** 20), "512M");
  assert.equal(slurmMem(2 ** 20 + 1), "2M");
});

test("sbatch arguments come from the stage's resources, timeout and slurm: options; extra args last", () => {
  const args = sbatchArgs(
    inst({ timeoutMs: 3600_000, slurm: { partition: "gpu", account: "lab", qos: "high", extraArgs: ["--constraint=a100", "--exclusive"] } }),
    { cpus: 8, gpus: 2, memory: 16 * 2 ** 30 },
    { output: "/s/slurm-%j.out", chdir: "/p" },
  );
  for (const a of [
    "--cpus-per-task=8",
    "--mem=16384M",
    "--gres=gpu:2",
    "--time=01:05:00",
    "--partition=gpu",
    "--account=lab",
    "--qos=high",
    "--chdir=/p",
    "--output=/s/slurm-%j.out",
    "--requeue",
    "--job-name=dnaflow:train[lr=0.1]",
  ]) {
    assert.ok(args.includes(a), `${a} in ${args.join(" ")}`);
  }
  assert.deepEqual(args.slice(-2), ["--constraint=a100", "--exclusive"]);
  const plain = sbatchArgs(inst({ slurm: { timeMs: 120_000 } }), { cpus: 1, gpus: 0, memory: 0 }, { output: "o", chdir: "d" });
  assert.ok(plain.includes("--time=00:02:00"), "slurm.time wins over the timeout");
  assert.ok(!plain.some((a) => a.startsWith("--mem") || a.startsWith("--gres")), "no memory/gpus asked, none sent");
});

test("the job script quotes every word; values never become shell text", () => {
  const s = jobScript(
    { pipelineFile: "/a b/p.yaml", instanceId: "x[k=it's]", key: "k1", store: "/s", set: ["a=$(rm -rf /)"], profile: "toy", resultDir: "/r" },
    ["--parsable"],
    ["/usr/bin/node", "/d/main.js"],
  );
  assert.match(
    s,
    /exec '\/usr\/bin\/node' '\/d\/main.js' 'exec-stage' '\/a b\/p.yaml' '--stage' 'x\[k=it'\\''s\]' '--key' 'k1' '--store' '\/s' '--set' 'a=\$\(rm -rf \/\)' '--profile' 'toy' --result '\/r'\/"result-\$SLURM_JOB_ID.json"/,
  );
  const echoed = spawnSync("sh", ["-c", `printf %s ${shQuote("a'b\"$(x)`\n")}`], { encoding: "utf8" }).stdout;
  assert.equal(echoed, "a'b\"$(x)`\n");
});

test("scontrol and sacct lines parse into a job state", () => {
  const i = parseScontrol(
    "JobId=42 JobName=dnaflow:x UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=2 BatchFlag=1 ExitCode=3:0 TimeLimit=00:10:00 NodeList=node7 BatchHost=node7 NumCPUs=2",
  )!;
  assert.deepEqual([i.id, i.state, i.exitCode, i.signal, i.restarts, i.node, i.timeLimit], ["42", "FAILED", 3, 0, 2, "node7", "00:10:00"]);
  assert.equal(describe(i), "FAILED, exit 3, reason NonZeroExitCode on node7");
  assert.equal(parseSacct("7", "7|NODE_FAIL|0:9|n1\n7.batch|CANCELLED|0:9|n1\n")!.state, "NODE_FAIL");
  assert.ok(isActive("PENDING") && isActive("COMPLETING") && !isActive("COMPLETED") && !isActive("NODE_FAIL"));
  assert.ok(isHeld({ id: "1", state: "PENDING", reason: "launch_failed_requeued_held", restarts: 1, source: "scontrol" }));
});

test("exec-stage refuses a key the pipeline no longer plans to (exit 2), and names the reason", () => {
  const dir = tempProject({ "p.yaml": "stages:\n  one:\n    uses: core/write-text@1\n    with: { text: hi }\n" });
  const r = dnaflow(["exec-stage", "p.yaml", "--stage", "one", "--key", "0".repeat(64), "--store", `${dir}/store`], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /changed since the job was submitted/);
  const gone = dnaflow(["exec-stage", "p.yaml", "--stage", "two", "--key", "0".repeat(64), "--store", `${dir}/store`], { cwd: dir });
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /'two' is not in p.yaml/);
});

test("exec-stage makes one stage by key, like a local run, and says so in its exit code", () => {
  const dir = tempProject({
    "p.yaml":
      "stages:\n  one:\n    uses: core/write-text@1\n    with: { text: hi }\n  two:\n    run: [sh, -c, 'cat \"$1\" \"$1\" > \"$2\"', x, '${{ inputs.t }}', '${{ outputs.o }}']\n    inputs: { t: '${{ stages.one.outputs.file }}' }\n    outputs: [o]\n",
  });
  const plan = JSON.parse(dnaflow(["plan", "p.yaml", "--json", "--store", `${dir}/s`], { cwd: dir }).stdout).stages as Array<{ id: string; key: string }>;
  const key = (id: string) => plan.find((s) => s.id === id)!.key;
  const early = dnaflow(["exec-stage", "p.yaml", "--stage", "two", "--key", key("two"), "--store", `${dir}/s`], { cwd: dir });
  assert.equal(early.code, 1, "upstream missing");
  assert.match(early.stderr, /upstream one .* is not in the store .*filesystem the nodes share/);
  assert.equal(dnaflow(["exec-stage", "p.yaml", "--stage", "one", "--key", key("one"), "--store", `${dir}/s`], { cwd: dir }).code, 0);
  const two = dnaflow(["exec-stage", "p.yaml", "--stage", "two", "--key", key("two"), "--store", `${dir}/s`], { cwd: dir });
  assert.equal(two.code, 0, two.stderr + two.stdout);
  assert.match(two.stdout, /✓ two/);
  assert.equal(dnaflow(["exec-stage", "p.yaml", "--stage", "two", "--key", key("two"), "--store", `${dir}/s`], { cwd: dir }).code, 0, "already published");
});

test("without Slurm installed the cluster helper fails (never skips) and says what to install", async () => {
  await assert.rejects(startCluster({ path: "/nonexistent" }), (e: Error) => e.message.includes(INSTALL_HINT));
});
