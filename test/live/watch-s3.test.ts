// dnaflow watch across machines through S3 (a real Ceph RGW): a tiny pretraining runs on "machine A" (its own local
// cache), and a watcher on "machine B" (another cache, nothing shared but the bucket) sees its host, step and loss from
// the progress record in <prefix>/progress/<key>.json; after SIGKILL of A the stage is shown silent.
// Run under: flock /tmp/dnaflow-ceph.lock node scripts/run-tests.mjs live/watch-s3
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { startCeph, type CephServer } from "../infra/ceph-server.js";
import { dnaflow, dnaflowAsync, events } from "../helpers/cli.js";
import { ENV, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";
import { until as poll } from "../helpers/until.js";

let ceph: CephServer;
before(async () => {
  requireWorkerPython();
  ceph = await startCeph();
});
after(() => ceph?.stop());

const LONG = `      model: { layers: 2, hidden: 32, heads: 2, intermediate: 64, maxPositions: 64 }
      masking: { strategy: bert }
      optimizer: { lr: 0.001, warmupSteps: 4 }
      steps: 100000
      batchSize: 8
      checkpointEvery: 100000
      seed: 3`;

/** The shared poll, with this file's patience: watch refreshes are whole CLI runs. */
const until = <T>(what: string, fn: () => T | undefined, ms = 180_000): Promise<T> => poll(what, fn, ms, 500);

test("a watcher with its own cache sees a pretraining on another machine through S3, then sees it go silent", async () => {
  const url = `s3://${await ceph.bucket("watch")}/team/run1`;
  const env = { ...ENV, ...(ceph.env as unknown as NodeJS.ProcessEnv), DNAFLOW_LEASE_TTL: "2" };
  const dir = project(tinyPipeline(LONG));
  const cacheA = mkdtempSync(join(tmpdir(), "s3-cache-a-"));
  const cacheB = mkdtempSync(join(tmpdir(), "s3-cache-b-"));
  const engine = dnaflowAsync(["run", "p.yaml", "--json", "--store", url, "--cache", cacheA], { cwd: dir, env });
  let out = "";
  engine.stdout!.on("data", (d) => (out += d));
  const exited = new Promise((r) => engine.on("exit", r));
  const killAll = () => {
    engine.kill("SIGKILL");
    for (const a of readdirSync(join(cacheA, "attempts"))) {
      try {
        const pgid = JSON.parse(readFileSync(join(cacheA, "attempts", a, "owner.json"), "utf8")).childPgid;
        if (pgid) process.kill(-pgid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };
  const watch = () => {
    const r = dnaflow(["watch", "p.yaml", "--once", "--json", "--store", url, "--cache", cacheB], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.trim());
  };
  try {
    const key = await until(
      "pretrain to start",
      () => events(out.slice(0, out.lastIndexOf("\n") + 1)).find((e) => e.type === "stage-start" && e.id === "pretrain")?.key as string | undefined,
    );
    const row = await until("a running row seen from machine B", () => {
      const r = watch().stages.find((s: any) => s.stage === "pretrain");
      return r?.state === "running" && typeof r.loss === "number" && r.done > 0 ? r : undefined;
    });
    assert.equal(row.key, key);
    assert.equal(row.host, hostname());
    assert.ok(row.loss > 0 && row.tokensPerS > 0 && row.total === 100000);
    const obj = await ceph.client.send(new GetObjectCommand({ Bucket: "watch", Key: `team/run1/progress/${key}.json` }));
    const rec = JSON.parse(await obj.Body!.transformToString());
    assert.equal(rec.stage, "pretrain");
    assert.equal(rec.ttlMs, 2000);

    killAll();
    await exited;
    const silent = await until(
      "the stage shown silent from machine B",
      () => {
        const r = watch().stages.find((s: any) => s.stage === "pretrain");
        return r?.state === "silent" ? r : undefined;
      },
      30_000,
    );
    assert.ok(silent.heartbeatAgeS >= 2, `age ${silent.heartbeatAgeS}`); // silent means unchanged for a whole TTL (2 s)
  } finally {
    killAll();
  }
});
