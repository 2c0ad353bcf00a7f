// The across-machines scenario: two runners with separate local caches share one S3 store and run the same pipeline.
// Every stage is made once; runner A is SIGKILLed during pretraining; B takes the stage over once A's lease has gone
// silent, resumes from A's last synced checkpoint, and the final model is byte-identical to an uninterrupted run.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { startCeph, type CephServer } from "../infra/ceph-server.js";
import { dnaflow, dnaflowAsync, events } from "../helpers/cli.js";
import { ENV, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";

let ceph: CephServer;
before(async () => {
  requireWorkerPython();
  ceph = await startCeph();
});
after(() => ceph?.stop());

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
