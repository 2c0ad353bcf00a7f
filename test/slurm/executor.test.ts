// `--executor slurm` on a real single-node Slurm cluster: same keys and bytes as a local run, sbatch options from the
// stage, a failing stage's job FAILED with its stderr in the stage log, retries as separate jobs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, events, objectKeys, tempProject } from "../helpers/cli.js";
import { startCluster, type Cluster } from "../infra/slurm/cluster.js";
import { FAST, jobIds, storeBytes } from "./helpers.js";

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster?.stop());

const env = () => ({ ...cluster.env, ...FAST });

const PIPELINE = `
params: { k: [1, 2, 3] }
stages:
  text:
    uses: core/write-text@1
    with: { text: "hello from a builtin\\n" }
  use:
    matrix: { k: "\${{ params.k }}" }
    run: [sh, -c, 'cat "$1" "$2" > "$3"; echo "k=$DNAFLOW_PARAM_K cpus=$DNAFLOW_CPUS" >> "$3"', x, "\${{ inputs.g }}", "\${{ inputs.t }}", "\${{ outputs.out }}"]
    with: { k: "\${{ matrix.k }}" }
    inputs: { g: genome.txt, t: "\${{ stages.text.outputs.file }}" }
    outputs: [out]
  join:
    run: [sh, -c, 'mkdir -p "$DNAFLOW_OUTPUT_ALL"; i=0; for f in $(echo "$DNAFLOW_INPUT_PARTS" | tr ":" " "); do i=$((i+1)); cp "$f" "$DNAFLOW_OUTPUT_ALL/part$i"; done']
    inputs: { parts: "\${{ stages.use.outputs.out }}" }
    outputs: [all]
`;

test("a pipeline run through Slurm publishes the same keys and bytes as a local run", () => {
  const local = tempProject({ "p.yaml": PIPELINE, "genome.txt": "ACGTNNNNACGT\n" });
  const viaSlurm = tempProject({ "p.yaml": PIPELINE, "genome.txt": "ACGTNNNNACGT\n" });
  const slurmStore = mkdtempSync(join(tmpdir(), "dnaflow-slurm-store-"));
  const l = dnaflow(["run", "p.yaml"], { cwd: local });
  assert.equal(l.code, 0, l.stderr);
  const s = dnaflow(["run", "p.yaml", "--executor", "slurm", "--json", "--store", slurmStore], { cwd: viaSlurm, env: env() });
  assert.equal(s.code, 0, s.stderr + s.stdout);
  const ev = events(s.stdout);
  const ids = jobIds(ev);
  assert.equal(ids.length, 5, "one job per stage instance");
  for (const id of ids) assert.equal(cluster.job(id).JobState, "COMPLETED");
  const keys = objectKeys(join(local, ".dnaflow"));
  assert.equal(keys.length, 5);
  assert.deepEqual(objectKeys(slurmStore), keys, "same keys");
  const a = storeBytes(join(local, ".dnaflow"));
  const b = storeBytes(slurmStore);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [p, bytes] of a) assert.ok(bytes.equals(b.get(p)!), `same bytes: ${p}`);
  assert.equal(a.size, 7, "1 + 3 + 3 files");
  // The job's log carries both the stage's attempt and what the Slurm job printed.
  const log = dnaflow(["log", "p.yaml", "use[k=2]", "--store", slurmStore], { cwd: viaSlurm }).stdout;
  assert.match(log, /# dnaflow: use\[k=2\] key \w+ attempt 1/);
  assert.match(log, /slurm job \d+ ended COMPLETED on localhost/);
  // Rerun: all cached, nothing submitted.
  const again = dnaflow(["run", "p.yaml", "--executor", "slurm", "--json", "--store", slurmStore], { cwd: viaSlurm, env: env() });
  assert.equal(again.code, 0);
  assert.equal(jobIds(events(again.stdout)).length, 0);
});

test("sbatch gets the stage's cpus, memory, time, partition, account and extra args (as scontrol shows them)", () => {
  const dir = tempProject({
    "p.yaml": `
slurm: { account: dnaflowlab }
stages:
  big:
    run: [sh, -c, 'echo "$DNAFLOW_CPUS" > "$1"', x, "\${{ outputs.o }}"]
    outputs: [o]
    resources: { cpus: 2, memory: 300M }
    timeout: 2m
    slurm: { partition: other, extraArgs: ["--comment=from-dnaflow", "--nice=7"] }
  small:
    run: [sh, -c, 'echo small > "$1"', x, "\${{ outputs.o }}"]
    outputs: [o]
    slurm: { time: 45m }
`,
  });
  const r = dnaflow(["run", "p.yaml", "--executor", "slurm", "--json"], { cwd: dir, env: env() });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const ev = events(r.stdout);
  const big = cluster.job(jobIds(ev, "big")[0]);
  assert.equal(big["CPUs/Task"], "2");
  assert.equal(big.MinMemoryNode, "300M");
  assert.equal(big.TimeLimit, "00:07:00", "timeout 2m + 5m margin");
  assert.equal(big.Partition, "other");
  assert.equal(big.Account, "dnaflowlab");
  assert.equal(big.Comment, "from-dnaflow");
  assert.equal(big.Nice, "7");
  assert.equal(big.Requeue, "1");
  assert.equal(big.JobName, "dnaflow:big");
  const script = cluster.cmd("scontrol", ["write", "batch_script", jobIds(ev, "big")[0], "-"]);
  assert.match(script, /'exec-stage' '[^']*p\.yaml' '--stage' 'big' '--key' '[0-9a-f]{64}'/);
  const small = cluster.job(jobIds(ev, "small")[0]);
  assert.equal(small.TimeLimit, "00:45:00");
  assert.equal(small.Partition, "debug");
  assert.equal(small["CPUs/Task"], "1");
  assert.equal(readFileSync(join(dir, ".dnaflow", "objects", ev.find((e) => e.type === "stage-done" && e.id === "big")!.key, "out", "o"), "utf8"), "2\n");
});

test("a failing stage: its job FAILED, its stderr in the stage log, retried as a new job, exit 1", () => {
  const dir = tempProject({
    "p.yaml": `
stages:
  bad:
    run: [sh, -c, 'echo to-stdout; echo boom-on-stderr >&2; exit 3']
    outputs: [o]
    retries: { max: 1, backoff: 0.2s }
`,
  });
  const r = dnaflow(["run", "p.yaml", "--executor", "slurm", "--json"], { cwd: dir, env: env() });
  assert.equal(r.code, 1, r.stderr + r.stdout);
  const ev = events(r.stdout);
  const ids = jobIds(ev, "bad");
  assert.equal(ids.length, 2, "the retry is a second job");
  for (const id of ids) {
    const j = cluster.job(id);
    assert.equal(j.JobState, "FAILED");
    assert.equal(j.ExitCode, "1:0");
  }
  const failed = ev.filter((e) => e.type === "stage-failed");
  assert.equal(failed.length, 2);
  assert.ok(failed[0].retryInMs !== undefined && failed[1].retryInMs === undefined);
  assert.match(failed[1].error, /exited with status 3/);
  assert.match(failed[1].error, new RegExp(`slurm job ${ids[1]}: FAILED, exit 1`));
  const log = readFileSync(failed[1].log, "utf8");
  assert.match(log, /boom-on-stderr/);
  assert.match(log, /to-stdout/);
  assert.match(log, new RegExp(`slurm job ${ids[1]} ended FAILED, exit 1`));
  assert.match(log, /✗ bad attempt 1/, "the job's own output is in the stage log");
  assert.deepEqual(objectKeys(join(dir, ".dnaflow")), []);
  const shown = dnaflow(["log", "p.yaml", "bad"], { cwd: dir });
  assert.match(shown.stdout, /boom-on-stderr/);
});
