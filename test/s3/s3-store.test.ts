// The S3 store against a real Ceph RGW (one server for this file: its ports are fixed): shared objects between runners
// with separate local caches, verified downloads, corrupt/truncated remote objects re-made, clear errors for bad
// endpoints/credentials/buckets, push/pull, takeover of a killed runner's stage from its last synced checkpoint, and
// the scenario with real pretraining: A killed mid-way, B resumes, the model byte-identical.
import { after, before, test } from "node:test";
import type { ChildProcess } from "node:child_process";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { Leases } from "../../cache/lease/leases.js";
import { makeClient } from "../../cache/s3/client.js";
import { S3LeaseBackend } from "../../cache/s3/lease-backend.js";
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
  assert.deepEqual(
    planJson(dir, "p.yaml", ["--store", url, "--cache", cacheB], env()).map((s) => s.action),
    ["cached", "cached", "cached"],
  );
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
  const m2 = JSON.parse(
    await (await ceph.client.send(new GetObjectCommand({ Bucket: bucket, Key: `p/manifests/${doubleKey}.json` }))).Body!.transformToString(),
  );
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
  assert.ok(
    waits.some((w) => /held by count on /.test(w)),
    waits.join("; "),
  );
  assert.ok(
    waits.some((w) => /took over the lease: (no heartbeat|its owner)/.test(w)),
    waits.join("; "),
  );
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
  const made = [...evA, ...evB]
    .filter((e) => e.type === "stage-done")
    .map((e) => e.id)
    .sort();
  assert.deepEqual(made, ["fragments", "pretrain", "segments", "tokenizer", "tokens"], "every stage made exactly once across A and B");
  const waits = evB.filter((e) => e.type === "stage-waiting" && e.id === "pretrain").map((e) => e.reason);
  assert.ok(
    waits.some((w) => /took over the lease/.test(w)),
    `B took over A's lease: ${JSON.stringify(waits)}`,
  );
  assert.ok(
    evA.some((e) => e.type === "stage-start" && e.id === "pretrain"),
    "A had started pretraining",
  );

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
// ---- Issue 10: leases past 1,000 generations, content-compared checkpoints, outages at publish, verify, orphans ----

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes generations [from, to) of a lease as a dead runner on another host left them (an older dnaflow never pruned). */
async function seedGenerations(bucket: string, prefix: string, key: string, from: number, to: number): Promise<void> {
  const todo = Array.from({ length: to - from }, (_, i) => from + i);
  const body = (beat: number) =>
    JSON.stringify({ owner: { runner: "dead-runner", host: "gone-node-3", pid: 777, stage: "count" }, beat, ttlMs: 500, heartbeat: "2026-01-01T00:00:00Z" });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
        await ceph.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}leases/${key}/${String(n).padStart(12, "0")}`, Body: body(n) }));
      }
    }),
  );
}

async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await ceph.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    out.push(...(r.Contents ?? []).map((c) => c.Key!));
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function getText(bucket: string, key: string): Promise<string> {
  return (await ceph.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

/** An S3 lease backend as the CLI makes one, against the test server. */
function s3Leases(bucket: string, prefix: string) {
  Object.assign(process.env, ceph.env);
  return new S3LeaseBackend(makeClient(), { bucket, prefix, url: `s3://${bucket}/${prefix}` });
}

test("S3 lease soak: 1,500 legacy generations + 300 live heartbeats; a waiter never takes a live lease, takes a dead one within 2 TTL", async () => {
  const bucket = await ceph.bucket("soak");
  const key = "a".repeat(64);
  await seedGenerations(bucket, "p/", key, 0, 1500); // past one ListObjectsV2 page: the old protocol busy-looped here
  const backend = s3Leases(bucket, "p");
  const ttlMs = 500;
  const me = new Leases(backend, { ttlMs, pollMs: 125, isAlive: () => true });
  const waits: string[] = [];
  const t0 = performance.now();
  const first = await me.acquire(key, "count", { signal: AbortSignal.timeout(20_000), isDone: async () => false, onWait: (m) => waits.push(m) });
  const firstMs = performance.now() - t0;
  assert.ok("held" in first, "took over the silent legacy lease");
  assert.match(waits.join("; "), /took over the lease: no heartbeat from gone-node-3 \(pid 777\)/);
  assert.ok(firstMs < 2 * ttlMs + 4000, `took over in ${Math.round(firstMs)} ms (a one-time listing of 1,500 leftovers)`);
  assert.ok(Number(first.held.version) >= 1500, `continued the numbering (generation ${first.held.version})`);
  await first.held.release();

  // A live owner heartbeats 300 times, as fast as the server allows; a waiter with a 0.5 s TTL watches.
  const owner = { runner: "live-runner", host: "gpu-node-9", pid: 4242, stage: "count" };
  let token = (await backend.create(key, { owner, beat: 0, ttlMs, heartbeat: "" }))!;
  assert.ok(token, "the released lease can be created again");
  const waiter = new Leases(backend, { ttlMs, pollMs: 125, isAlive: () => true });
  const waiterLog: string[] = [];
  let tookAt = 0;
  const waiting = waiter
    .acquire(key, "count", { signal: AbortSignal.timeout(90_000), isDone: async () => false, onWait: (m) => waiterLog.push(m) })
    .then((r) => ((tookAt = performance.now()), r));
  const tb = performance.now();
  let maxListed = 0;
  for (let b = 1; b <= 300; b++) {
    const next = await backend.replace(key, token, { owner, beat: b, ttlMs, heartbeat: "" });
    assert.ok(next, `heartbeat ${b} succeeded (the waiter never took a live lease)`);
    token = next;
    if (b % 25 === 0) maxListed = Math.max(maxListed, (await listKeys(bucket, `p/leases/${key}/`)).length);
  }
  const beatsS = (performance.now() - tb) / 1000;
  const lastBeat = performance.now();
  const got = await waiting;
  const takeoverMs = tookAt - lastBeat;
  assert.ok("held" in got);
  assert.ok(Number(token) >= 1800, `past 1,800 generations (${token})`);
  assert.ok(maxListed <= 3, `old generations are pruned: at most ${maxListed} lease objects listed at once`);
  assert.ok(takeoverMs >= ttlMs, `not before a full TTL of silence (${Math.round(takeoverMs)} ms)`);
  assert.ok(takeoverMs < 2 * ttlMs + 1000, `within ~2 TTL of the owner's death (${Math.round(takeoverMs)} ms)`);
  assert.deepEqual(waiterLog, ["held by count on gpu-node-9 (pid 4242); waiting", `took over the lease: no heartbeat from gpu-node-9 (pid 4242) for 1 s`]);
  // The dead owner's next heartbeat fails: the lease changed hands.
  assert.equal(await backend.replace(key, token, { owner, beat: 9999, ttlMs, heartbeat: "" }), undefined);
  await got.held.release();
  console.log(
    `# soak: ${(300 / beatsS).toFixed(0)} heartbeats/s; takeover ${Math.round(firstMs)} ms after 1,500 legacy generations, ${Math.round(takeoverMs)} ms after 300 live ones (TTL ${ttlMs} ms)`,
  );
});

test("S3 lease compare-and-swap: of 8 racing writers exactly one wins; a stale writer re-creating a pruned generation loses", async () => {
  const bucket = await ceph.bucket("cas");
  const backend = s3Leases(bucket, "");
  const rec = (runner: string, beat = 0) => ({ owner: { runner, host: "h", pid: 1, stage: "s" }, beat, ttlMs: 1000, heartbeat: "" });
  const key = "c".repeat(64);
  const t0 = (await backend.create(key, rec("a")))!;
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => backend.replace(key, t0, rec(`w${i}`))));
  assert.equal(results.filter(Boolean).length, 1, `one winner: ${JSON.stringify(results)}`);
  // The winner beats three more times: generation t0+1 is pruned. A writer still holding t0 must not win it back.
  let t = results.find(Boolean)!;
  for (let b = 1; b <= 3; b++) t = (await backend.replace(key, t, rec("winner", b)))!;
  assert.equal(await backend.replace(key, t0, rec("stale")), undefined, "the re-created pruned slot does not count");
  assert.equal((await backend.read(key))!.token, t, "the winner still holds it");
  assert.ok((await backend.replace(key, t, rec("winner", 4))) !== undefined, "and keeps heartbeating");
});

// Counts to 99 (two-digit steps from 10 on: the checkpoint is rewritten at the same size), one step per 100 ms.
const COUNTER99 = COUNTER.replace(/40/g, "99");

const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")));

function startRun(dir: string, args: string[], env: NodeJS.ProcessEnv) {
  const c = dnaflowAsync(args, { cwd: dir, env });
  children.push(c);
  const r = { out: "", err: "", code: null as number | null, lines: [] as Array<{ at: number; e: Record<string, any> }> };
  let buf = "";
  c.stdout!.on("data", (d) => {
    r.out += d;
    buf += d;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith("{")) r.lines.push({ at: performance.now(), e: JSON.parse(line) });
    }
  });
  c.stderr!.on("data", (d) => (r.err += d));
  const done = new Promise<void>((res) => c.on("exit", (code) => ((r.code = code), res())));
  return { child: c, r, done };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

test("takeover soak (CLI): past 1,000 lease generations with a 0.5 s TTL; a same-size checkpoint rewrite syncs; B takes over within ~2 TTL and resumes from the newest content", async () => {
  const bucket = await ceph.bucket("ckpt");
  const url = `s3://${bucket}/t`;
  const dir = tempProject({ "counter.js": COUNTER99, "p.yaml": "stages:\n  count:\n    run: [node, counter.js]\n    outputs: [out]\n" });
  const leaseEnv = { ...env(), DNAFLOW_LEASE_TTL: "0.5" };
  const key = planJson(dir, "p.yaml", ["--store", url, "--cache", cache()], leaseEnv)[0].key;
  await seedGenerations(bucket, "t/", key, 0, 1200);
  const a = startRun(dir, ["run", "p.yaml", "--json", "--store", url, "--cache", cache()], leaseEnv);
  // B's cache holds a stale checkpoint of the same size as the newest one (an earlier attempt on B's machine).
  const cacheB = cache();
  mkdirSync(join(cacheB, "checkpoints", key), { recursive: true });
  writeFileSync(join(cacheB, "checkpoints", key, "step"), "12");
  let b: ReturnType<typeof startRun> | undefined;
  // Wait until S3's checkpoint says 25 or more: every step from 10 on rewrites it at the same size (2 bytes).
  let synced = 0;
  for (let i = 0; i < 300 && synced < 25; i++) {
    await sleep(100);
    assert.equal(a.r.code, null, `A ended early: ${a.r.err}`);
    if (!b && a.r.out.includes('"stage-start"')) b = startRun(dir, ["run", "p.yaml", "--json", "--store", url, "--cache", cacheB], leaseEnv);
    synced = Number(await getText(bucket, `t/checkpoints/${key}/step`).catch(() => "0"));
  }
  assert.ok(synced >= 25, `the same-size rewrites reached S3 (S3 says step ${synced})`);
  assert.ok(b, "B started");
  assert.equal(b.r.code, null, `B is still waiting: ${b.r.out} ${b.r.err}`);
  const cpu0 = cpuSeconds(b.child.pid!);
  const w0 = performance.now();
  await sleep(2000);
  const waitCpu = (cpuSeconds(b.child.pid!) - cpu0) / ((performance.now() - w0) / 1000);
  // The 1,200 leftovers are pruned in the background after A's takeover: wait (bounded) until they are gone.
  let gens: number[] = [];
  for (let i = 0; i < 100; i++) {
    gens = (await listKeys(bucket, `t/leases/${key}/`)).map((k) => Number(k.slice(-12)));
    if (gens.length <= 3) break;
    await sleep(100);
  }
  assert.ok(Math.max(...gens) > 1200, `A holds the lease past generation 1,200 (${Math.max(...gens)})`);
  assert.ok(gens.length <= 3, `pruned: ${gens.length} lease objects`);
  assert.ok(waitCpu < 0.15, `a waiting runner is not busy (${(waitCpu * 100).toFixed(1)} % of a core)`);
  const lastSynced = Number(await getText(bucket, `t/checkpoints/${key}/step`));
  a.child.kill("SIGKILL");
  const killedAt = performance.now();
  await b.done;
  assert.equal(b.r.code, 0, b.r.err);
  const took = b.r.lines.find((l) => l.e.type === "stage-waiting" && /took over the lease/.test(l.e.reason));
  assert.ok(took, JSON.stringify(b.r.lines.map((l) => l.e)));
  const takeoverMs = took.at - killedAt;
  assert.ok(takeoverMs < 2 * 500 + 1500, `B took over ${Math.round(takeoverMs)} ms after A was killed (TTL 500 ms)`);
  const doneKey = b.r.lines.find((l) => l.e.type === "stage-done")!.e.key;
  const out = readFileSync(join(cacheB, "objects", doneKey, "out", "out"), "utf8");
  const resumedAt = Number(/resumed at step (\d+)/.exec(out)?.[1]);
  assert.ok(resumedAt >= lastSynced && resumedAt < 99, `B resumed from the newest synced step (${lastSynced}) or later, not the stale local 12: ${out}`);
  console.log(
    `# takeover soak: lease at generation ${Math.max(...gens)}; waiting runner ${(waitCpu * 100).toFixed(1)} % CPU; takeover ${Math.round(takeoverMs)} ms after SIGKILL; resumed at ${resumedAt} (S3 had ${lastSynced})`,
  );
});

// Writes its checkpoint, its output, then says "ready" and waits for "go" (the test cuts S3 off in between).
const GATED = `
const fs = require("fs");
fs.writeFileSync(process.env.DNAFLOW_CHECKPOINT_DIR + "/state", "halfway");
fs.writeFileSync(process.env.DNAFLOW_OUTPUT_OUT, "made\\n");
fs.writeFileSync("ready", "");
const wait = () => (fs.existsSync("go") ? process.exit(0) : setTimeout(wait, 50));
wait();
`;

async function gatedRun(name: string, outageMs: number, patience: number) {
  const bucket = await ceph.bucket(name);
  const url = `s3://${bucket}/o`;
  const dir = tempProject({ "gated.js": GATED, "p.yaml": "stages:\n  gated:\n    run: [node, gated.js]\n    outputs: [out]\n" });
  const e = { ...env(), DNAFLOW_LEASE_TTL: "1", DNAFLOW_S3_PUBLISH_PATIENCE: String(patience) };
  const key = planJson(dir, "p.yaml", ["--store", url, "--cache", cache()], e)[0].key;
  const cacheA = cache();
  const a = startRun(dir, ["run", "p.yaml", "--json", "--store", url, "--cache", cacheA], e);
  for (let i = 0; i < 600 && !(existsSync(join(dir, "ready")) && (await listKeys(bucket, `o/checkpoints/${key}/`)).length); i++) await sleep(50);
  assert.ok((await listKeys(bucket, `o/checkpoints/${key}/`)).length, "the checkpoint reached S3 before the outage");
  await ceph.stopGateway();
  writeFileSync(join(dir, "go"), "");
  if (outageMs >= 0) {
    await sleep(outageMs);
    await ceph.startGateway();
    await a.done;
  } else {
    await a.done;
    await ceph.startGateway();
  }
  return { bucket, url, dir, e, key, cacheA, a };
}

test("S3 down at publish and back within the patience: the upload is retried and the object is in S3 when the run says ok", async () => {
  const { bucket, url, dir, e, key, a } = await gatedRun("outage-short", 3000, 120);
  assert.equal(a.r.code, 0, a.r.err);
  assert.match(a.r.err, /uploading .* failed .*retrying in/);
  assert.ok((await listKeys(bucket, `o/manifests/${key}.json`)).length, "the manifest is in S3");
  const other = cache();
  assert.deepEqual(
    planJson(dir, "p.yaml", ["--store", url, "--cache", other], e).map((s) => s.action),
    ["cached"],
  );
  const v = dnaflow(["verify", "p.yaml", "--store", url, "--cache", other], { cwd: dir, env: e });
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /verified 1 object\(s\) in s3:\/\/outage-short\/o: 1 ok, 0 corrupt/);
});

test("S3 down at publish for longer than the patience: exit 1, checkpoints kept; the next run uploads the cached copy, never calls it cached without", async () => {
  const { bucket, url, dir, e, key, cacheA, a } = await gatedRun("outage-long", -1, 3);
  assert.equal(a.r.code, 1, `the run fails: ${a.r.out}`);
  assert.match(a.r.err + a.r.out, /not published/);
  assert.equal((await listKeys(bucket, `o/manifests/`)).length, 0, "nothing published in S3");
  assert.ok((await listKeys(bucket, `o/checkpoints/${key}/`)).length, "the remote checkpoints are kept");
  assert.ok(existsSync(join(cacheA, "checkpoints", key, "state")), "and the local ones");
  // This machine's cache has the object, S3 does not: it is not cached for planning.
  assert.deepEqual(
    planJson(dir, "p.yaml", ["--store", url, "--cache", cacheA], e).map((s) => s.action),
    ["run"],
  );
  const again = dnaflow(["run", "p.yaml", "--json", "--store", url, "--cache", cacheA], { cwd: dir, env: e });
  assert.equal(again.code, 0, again.stderr);
  assert.ok((await listKeys(bucket, `o/manifests/${key}.json`)).length, "the next run put it in S3");
  const other = cache();
  const v = dnaflow(["verify", "p.yaml", "--store", url, "--cache", other], { cwd: dir, env: e });
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /1 ok, 0 corrupt/);
});

test("verify with an empty cache reads S3 before judging: nothing intact is unpublished; a corrupt object is, its files and orphaned attempts collected", async () => {
  const bucket = await ceph.bucket("verify");
  const url = `s3://${bucket}/v`;
  const dir = tempProject({ "p.yaml": PIPELINE });
  assert.equal(dnaflow(["run", "p.yaml", "--store", url, "--cache", cache()], { cwd: dir, env: env() }).code, 0);
  const v = dnaflow(["verify", "p.yaml", "--store", url, "--cache", cache()], { cwd: dir, env: env() });
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /verified 3 object\(s\) in s3:\/\/verify\/v: 3 ok, 0 corrupt/);
  assert.equal((await listKeys(bucket, "v/manifests/")).length, 3, "all three still published");
  const whole = dnaflow(["verify", "--store", url, "--cache", cache()], { cwd: dir, env: env() });
  assert.equal(whole.code, 0, whole.stdout + whole.stderr);
  assert.match(whole.stdout, /3 ok, 0 corrupt/);

  const doubleKey = planJson(dir, "p.yaml", ["--store", url, "--cache", cache()], env()).find((s) => s.id === "double")!.key;
  const m = JSON.parse(await getText(bucket, `v/manifests/${doubleKey}.json`));
  await ceph.client.send(
    new PutObjectCommand({ Bucket: bucket, Key: `v/objects/${doubleKey}/${m.attempt}/out/out`, Body: "ACGTACGTACGTACGTACGTACGTACGTACGt" }),
  );
  // A dead runner's upload attempt that never got a manifest.
  await ceph.client.send(new PutObjectCommand({ Bucket: bucket, Key: `v/objects/${doubleKey}/deadbeef0000/out/out`, Body: "partial" }));
  const bad = dnaflow(["verify", "--store", url, "--cache", cache()], { cwd: dir, env: { ...env(), DNAFLOW_S3_ORPHAN_GRACE: "0" } });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /corrupt [0-9a-f]{10} in s3:\/\/verify\/v: out: sha256 of the remote copy differs/);
  assert.match(bad.stdout, /2 ok, 1 corrupt/);
  assert.equal((await listKeys(bucket, "v/manifests/")).length, 2, "only the corrupt one is unpublished");
  assert.deepEqual(await listKeys(bucket, `v/objects/${doubleKey}/`), [], "its files and the orphaned attempt are deleted");
  assert.equal((await listKeys(bucket, `v/quarantine/${doubleKey}`)).length, 1, "its manifest is kept in quarantine/");
});
