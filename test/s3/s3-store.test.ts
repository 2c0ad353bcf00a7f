// The S3 store against a real Ceph RGW (one server for this file: its ports are fixed): shared objects between runners
// with separate local caches, verified downloads, corrupt/truncated remote objects re-made, clear errors for bad
// endpoints/credentials/buckets, push/pull, takeover of a killed runner's stage from its last synced checkpoint, and
// the scenario with real pretraining: A killed mid-way, B resumes, the model byte-identical.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { startCeph, type CephServer } from "../infra/ceph-server.js";
import { dnaflow, dnaflowAsync, events, planJson, ran, tempProject } from "../helpers/cli.js";
import { ENV, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";

let ceph: CephServer;
before(async () => {
  requireWorkerPython();
  ceph = await startCeph();
});
after(() => ceph?.stop());

const PIPELINE = `
params: { suffix: a }
stages:
  source:
    uses: core/write-text@1
    with: { text: "ACGTACGTACGTACGT" }
  double:
    run: [sh, -c, 'cat "$1" "$1" > "$2"', x, "\${{ inputs.in }}", "\${{ outputs.out }}"]
    inputs: { in: "\${{ stages.source.outputs.file }}" }
    outputs: [out]
  tag:
    run: [sh, -c, 'cat "$1" > "$2"; echo "$DNAFLOW_PARAM_S" >> "$2"', x, "\${{ inputs.in }}", "\${{ outputs.out }}"]
    with: { s: "\${{ params.suffix }}" }
    inputs: { in: "\${{ stages.double.outputs.out }}" }
    outputs: [out]
`;

const env = () => ceph.env as unknown as NodeJS.ProcessEnv;
const cache = () => mkdtempSync(join(tmpdir(), "s3-cache-"));

test("two runners with separate local caches share one S3 store: the second makes nothing, and reads verified copies", async () => {
  const url = `s3://${await ceph.bucket("share")}/runs/demo`;
  const dir = tempProject({ "p.yaml": PIPELINE });
  const a = dnaflow(["run", "p.yaml", "--json", "--store", url, "--cache", cache()], { cwd: dir, env: env() });
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(ran(a.stdout), ["double", "source", "tag"]);
  const cacheB = cache();
  assert.deepEqual(planJson(dir, "p.yaml", ["--store", url, "--cache", cacheB], env()).map((s) => s.action), ["cached", "cached", "cached"]);
  const b = dnaflow(["run", "p.yaml", "--json", "--store", url, "--cache", cacheB, "--set", "suffix=b"], { cwd: dir, env: env() });
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(ran(b.stdout), ["tag"], "only the changed stage runs; its input comes from S3");
  const tagKey = events(b.stdout).find((e) => e.type === "stage-done")!.key;
  assert.equal(readFileSync(join(cacheB, "objects", tagKey, "out", "out"), "utf8"), "ACGTACGTACGTACGTACGTACGTACGTACGTb\n");
  const listed = await ceph.client.send(new ListObjectsV2Command({ Bucket: "share", Prefix: "runs/demo/manifests/" }));
  assert.equal(listed.KeyCount, 4, "four published manifests (three stages + the new tag)");
});

test("a corrupted or truncated remote object is detected by digest, never used, and made again", async () => {
  const bucket = await ceph.bucket("corrupt");
  const url = `s3://${bucket}/p`;
  const dir = tempProject({ "p.yaml": PIPELINE });
  assert.equal(dnaflow(["run", "p.yaml", "--store", url, "--cache", cache()], { cwd: dir, env: env() }).code, 0);
  const plan = planJson(dir, "p.yaml", ["--store", url, "--cache", cache()], env());
  const doubleKey = plan.find((s) => s.id === "double")!.key;
  const manifest = JSON.parse(
    await (await ceph.client.send(new GetObjectCommand({ Bucket: bucket, Key: `p/manifests/${doubleKey}.json` }))).Body!.transformToString(),
  );
  const fileKey = `p/objects/${doubleKey}/${manifest.attempt}/out/out`;
  // Same size, different bytes.
  await ceph.client.send(new PutObjectCommand({ Bucket: bucket, Key: fileKey, Body: "ACGTACGTACGTACGTACGTACGTACGTACGt" }));
  const r = dnaflow(["run", "p.yaml", "--json", "--store", url, "--cache", cache(), "--set", "suffix=c"], { cwd: dir, env: env() });
  assert.equal(r.code, 0, r.stderr);
  const ev = events(r.stdout);
  assert.match(ev.find((e) => e.type === "corrupt")!.problems[0], /sha256 of the remote copy differs/);
  assert.deepEqual(ran(r.stdout), ["double", "tag"], "the corrupt object is made again, then its consumer");
  // Truncated: the re-made object loses its tail.
  const m2 = JSON.parse(await (await ceph.client.send(new GetObjectCommand({ Bucket: bucket, Key: `p/manifests/${doubleKey}.json` }))).Body!.transformToString());
  await ceph.client.send(new PutObjectCommand({ Bucket: bucket, Key: `p/objects/${doubleKey}/${m2.attempt}/out/out`, Body: "ACGT" }));
  const t = dnaflow(["run", "p.yaml", "--json", "--store", url, "--cache", cache(), "--set", "suffix=d"], { cwd: dir, env: env() });
  assert.equal(t.code, 0, t.stderr);
  assert.match(events(t.stdout).find((e) => e.type === "corrupt")!.problems[0], /4 bytes downloaded, manifest says 32 \(truncated remote object\)/);
});

test("clear errors: unreachable endpoint, wrong credentials, missing bucket (exit 2, nothing runs)", async () => {
  const dir = tempProject({ "p.yaml": PIPELINE });
  const cases: Array<[NodeJS.ProcessEnv, string, RegExp]> = [
    [{ ...env(), AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9" }, "s3://share/x", /cannot reach the S3 endpoint \(http:\/\/127\.0\.0\.1:9\)/],
    [{ ...env(), AWS_SECRET_ACCESS_KEY: "wrong" }, "s3://share/x", /access denied: check AWS_ACCESS_KEY_ID/],
    [env(), "s3://no-such-bucket-here/x", /bucket 'no-such-bucket-here' does not exist/],
  ];
  for (const [e, url, re] of cases) {
    const r = dnaflow(["run", "p.yaml", "--store", url, "--cache", cache()], { cwd: dir, env: e });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /EXPSECRETKEY|wrong/, "credentials are never printed");
  }
});

test("push and pull move a pipeline's objects between a local store and S3", async () => {
  const url = `s3://${await ceph.bucket("transfer")}/t`;
  const dir = tempProject({ "p.yaml": PIPELINE });
  const local = join(dir, "local-store");
  assert.equal(dnaflow(["run", "p.yaml", "--store", local], { cwd: dir }).code, 0);
  const push = dnaflow(["push", "p.yaml", "--store", local, "--to", url], { cwd: dir, env: env() });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /pushed 3 object\(s\)/);
  assert.match(dnaflow(["push", "p.yaml", "--store", local, "--to", url], { cwd: dir, env: env() }).stdout, /pushed 0 object\(s\)/);
  const other = join(dir, "other-store");
  const pull = dnaflow(["pull", "p.yaml", "--store", other, "--from", url], { cwd: dir, env: env() });
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /pulled 3 object\(s\)/);
  assert.deepEqual(ran(dnaflow(["run", "p.yaml", "--json", "--store", other], { cwd: dir }).stdout), []);
});

// A resumable stage: counts to 40, one step per 100 ms, keeping its position in the checkpoint directory.
const COUNTER = `
const fs = require("fs");
const [ckpt, out] = [process.env.DNAFLOW_CHECKPOINT_DIR, process.env.DNAFLOW_OUTPUT_OUT];
let step = 0;
try { step = Number(fs.readFileSync(ckpt + "/step", "utf8")); } catch {}
const resumedAt = step;
const tick = () => {
  if (step === 40) { fs.writeFileSync(out, "counted to 40, resumed at step " + resumedAt + "\\n"); return; }
  step++;
  fs.writeFileSync(ckpt + "/step.tmp", String(step)); fs.renameSync(ckpt + "/step.tmp", ckpt + "/step");
  setTimeout(tick, 100);
};
tick();
`;

test("runner A is SIGKILLed mid-stage; runner B waits for A's lease to expire, resumes from A's last synced checkpoint", async () => {
  const url = `s3://${await ceph.bucket("takeover")}/t`;
  const dir = tempProject({ "counter.js": COUNTER, "p.yaml": "stages:\n  count:\n    run: [node, counter.js]\n    outputs: [out]\n" });
  const leaseEnv = { ...env(), DNAFLOW_LEASE_TTL: "2" };
  const a = dnaflowAsync(["run", "p.yaml", "--json", "--store", url, "--cache", cache()], { cwd: dir, env: leaseEnv });
  let outA = "";
  a.stdout!.on("data", (d) => (outA += d));
  while (!outA.includes('"stage-start"')) await new Promise((r) => setTimeout(r, 50));
  // Wait until a heartbeat has copied a checkpoint to S3 (its step is what B must resume from, or later).
  let synced = 0;
  for (let i = 0; i < 200 && synced < 5; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const l = await ceph.client.send(new ListObjectsV2Command({ Bucket: "takeover", Prefix: "t/checkpoints/" }));
    const stepKey = (l.Contents ?? []).map((c) => c.Key!).find((k) => k.endsWith("/step"));
    if (stepKey) synced = Number(await (await ceph.client.send(new GetObjectCommand({ Bucket: "takeover", Key: stepKey }))).Body!.transformToString());
  }
  assert.ok(synced >= 5, "A's checkpoint reached S3");
  a.kill("SIGKILL");
  const cacheB = cache();
  const t0 = Date.now();
  const b = dnaflow(["run", "p.yaml", "--json", "--store", url, "--cache", cacheB], { cwd: dir, env: leaseEnv });
  assert.equal(b.code, 0, b.stderr);
  const ev = events(b.stdout);
  const waits = ev.filter((e) => e.type === "stage-waiting").map((e) => e.reason);
  assert.ok(waits.some((w) => /held by count on /.test(w)), waits.join("; "));
  assert.ok(waits.some((w) => /took over the lease: (no heartbeat|its owner)/.test(w)), waits.join("; "));
  assert.ok(Date.now() - t0 >= 1500, "B waited for the lease to go silent");
  const key = ev.find((e) => e.type === "stage-done")!.key;
  const out = readFileSync(join(cacheB, "objects", key, "out", "out"), "utf8");
  const resumedAt = Number(/resumed at step (\d+)/.exec(out)?.[1]);
  assert.ok(resumedAt >= synced && resumedAt < 40, `B started from A's synced step (${synced}) or later, not from zero: ${out}`);
  assert.equal(existsSync(join(cacheB, "checkpoints", key)), false, "checkpoints are dropped once the object is published");
  const left = await ceph.client.send(new ListObjectsV2Command({ Bucket: "takeover", Prefix: `t/checkpoints/${key}/` }));
  assert.equal(left.KeyCount ?? 0, 0, "and in S3 too");
});

// Long enough to be killed mid-way, checkpointing often.
const PRETRAIN = `      model: { layers: 2, hidden: 32, heads: 2, intermediate: 64, maxPositions: 64 }
      masking: { strategy: randommask }
      optimizer: { lr: 0.001, warmupSteps: 4 }
      steps: 240
      batchSize: 8
      checkpointEvery: 5
      seed: 3`;

test("A killed during pretraining; B resumes from A's checkpoint; the model is byte-identical; every stage made once", async () => {
  const dir = project(tinyPipeline(PRETRAIN));
  const env = { ...(ceph.env as unknown as NodeJS.ProcessEnv), ...ENV, DNAFLOW_LEASE_TTL: "3" };

  // The reference: one uninterrupted run in a local store.
  const refStore = mkdtempSync(join(tmpdir(), "ref-store-"));
  const ref = dnaflow(["run", "p.yaml", "--json", "--store", refStore], { cwd: dir, env });
  assert.equal(ref.code, 0, ref.stderr);
  const refKey = events(ref.stdout).find((e) => e.type === "stage-done" && e.id === "pretrain")!.key;
  const refModel = readFileSync(join(refStore, "objects", refKey, "out", "model", "model.safetensors"));

  const url = `s3://${await ceph.bucket("scenario")}/shared`;
  const start = (cache: string) => {
    const c = dnaflowAsync(["run", "p.yaml", "--json", "--store", url, "--cache", cache], { cwd: dir, env });
    const r = { out: "", code: null as number | null, done: new Promise<void>((res) => c.on("exit", (code) => ((r.code = code), res()))) };
    c.stdout!.on("data", (d) => (r.out += d));
    return { child: c, r };
  };
  const a = start(mkdtempSync(join(tmpdir(), "cache-a-")));
  // B starts once A is pretraining: it finds A's earlier stages published and waits on A's pretraining lease.
  while (!/"type":"stage-start","id":"pretrain"/.test(a.r.out)) {
    assert.equal(a.r.code, null, `A ended early: ${a.r.out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const bCache = mkdtempSync(join(tmpdir(), "cache-b-"));
  const b = start(bCache);

  // Kill A once its pretraining checkpoint has reached S3 (B is waiting on that lease meanwhile).
  const ckptPrefix = `shared/checkpoints/${refKey}/`;
  let synced = false;
  for (let i = 0; i < 600 && !synced; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const l = await ceph.client.send(new ListObjectsV2Command({ Bucket: "scenario", Prefix: ckptPrefix }));
    synced = (l.Contents ?? []).some((c) => c.Key!.endsWith("/manifest.json")); // written last: a complete checkpoint
  }
  assert.ok(synced, "A synced a complete pretraining checkpoint to S3");
  a.child.kill("SIGKILL");
  await a.r.done;
  await b.r.done;
  assert.equal(b.r.code, 0, "B finishes the pipeline");

  const evA = events(a.r.out);
  const evB = events(b.r.out);
  const made = [...evA, ...evB].filter((e) => e.type === "stage-done").map((e) => e.id).sort();
  assert.deepEqual(made, ["fragments", "pretrain", "segments", "tokenizer", "tokens"], "every stage made exactly once across A and B");
  const waits = evB.filter((e) => e.type === "stage-waiting" && e.id === "pretrain").map((e) => e.reason);
  assert.ok(waits.some((w) => /took over the lease/.test(w)), `B took over A's lease: ${JSON.stringify(waits)}`);
  assert.ok(evA.some((e) => e.type === "stage-start" && e.id === "pretrain"), "A had started pretraining");

  const bKey = evB.find((e) => e.type === "stage-done" && e.id === "pretrain")!.key;
  assert.equal(bKey, refKey, "same key as the local run");
  const model = readFileSync(join(bCache, "objects", bKey, "out", "model", "model.safetensors"));
  assert.ok(model.equals(refModel), "the taken-over model is byte-identical to the uninterrupted one");
  const log = readFileSync(join(bCache, "logs", bKey, readdirLast(join(bCache, "logs", bKey))), "utf8");
  assert.match(log, /resum/i, "B's worker resumed from a checkpoint rather than starting over");
});

function readdirLast(dir: string): string {
  return readdirSync(dir).sort().at(-1)!;
}