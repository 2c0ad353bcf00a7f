// dnaflow watch: a real tiny pretraining run on a local store, watched from separate processes (as from another
// machine sharing the store): host, step/total, loss and tokens/s appear while it trains; after SIGKILL of the engine
// and its stage the stage is shown as silent, with a heartbeat age that keeps growing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { dnaflow, dnaflowAsync, events } from "../helpers/cli.js";
import { ENV, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";
import { until as poll } from "../helpers/until.js";

requireWorkerPython();

const LONG = `      model: { layers: 2, hidden: 32, heads: 2, intermediate: 64, maxPositions: 64 }
      masking: { strategy: bert }
      optimizer: { lr: 0.001, warmupSteps: 4 }
      steps: 100000
      batchSize: 8
      checkpointEvery: 1000
      seed: 3`;

const TTL = "1"; // heartbeat every ~0.33 s, silent after 1 s
const env = { ...ENV, DNAFLOW_LEASE_TTL: TTL };

function watchOnce(dir: string): any {
  const r = dnaflow(["watch", "p.yaml", "--once", "--json"], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

/** The shared poll, with this file's patience: watch refreshes are whole CLI runs. */
const until = <T>(what: string, fn: () => T | undefined, ms = 120_000): Promise<T> => poll(what, fn, ms, 300);

test("watch from another process: step, loss, tokens/s and host of a running pretrain; silent after SIGKILL of the engine", async () => {
  const dir = project(tinyPipeline(LONG));
  const engine = dnaflowAsync(["run", "p.yaml", "--json"], { cwd: dir, env });
  let out = "";
  engine.stdout!.on("data", (d) => (out += d));
  const exited = new Promise((r) => engine.on("exit", r));
  const killAll = () => {
    engine.kill("SIGKILL");
    for (const a of readdirSync(join(dir, ".dnaflow", "attempts"))) {
      try {
        const pgid = JSON.parse(readFileSync(join(dir, ".dnaflow", "attempts", a, "owner.json"), "utf8")).childPgid;
        if (pgid) process.kill(-pgid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };
  try {
    await until("the pretrain to report step 5", () =>
      events(out.slice(0, out.lastIndexOf("\n") + 1)).some((e) => e.type === "stage-progress" && e.id === "pretrain" && e.done >= 5) ? true : undefined,
    );
    const live = await until("a running row with a loss", () => {
      const s = watchOnce(dir);
      const row = s.stages.find((r: any) => r.stage === "pretrain");
      return row?.state === "running" && typeof row.loss === "number" ? { s, row } : undefined;
    });
    assert.equal(live.row.host, hostname());
    assert.equal(live.row.total, 100000);
    assert.ok(live.row.done >= 1 && live.row.done < 100000, `step ${live.row.done}`);
    assert.ok(Number.isFinite(live.row.loss) && live.row.loss > 0, `loss ${live.row.loss}`);
    assert.ok(live.row.tokensPerS > 0, `tokens/s ${live.row.tokensPerS}`);
    assert.ok(live.row.etaS > 0, "an ETA while running");
    assert.ok(live.row.heartbeatAgeS < 1, `fresh heartbeat, ${live.row.heartbeatAgeS} s`);
    assert.equal(live.s.counts.done, 4, "the four upstream stages are done");
    assert.equal(live.s.counts.running, 1);

    // The plain view a user reads (not a terminal: one block of lines).
    const plain = dnaflow(["watch", "p.yaml", "--once"], { cwd: dir, env });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /4 done · 1 running · 0 silent/);
    assert.match(plain.stdout, new RegExp(`running\\s+pretrain\\s+${hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+\\d+/100000\\s+\\d+\\.\\d{4}`));

    killAll();
    await exited;
    const silent = await until(
      "the stage shown silent",
      () => {
        const row = watchOnce(dir).stages.find((r: any) => r.stage === "pretrain");
        return row?.state === "silent" ? row : undefined;
      },
      20_000,
    );
    assert.ok(silent.heartbeatAgeS > Number(TTL), `age ${silent.heartbeatAgeS}`);
    assert.equal(silent.etaS, undefined, "no ETA for a silent stage");
    await new Promise((r) => setTimeout(r, 1500));
    const later = watchOnce(dir).stages.find((r: any) => r.stage === "pretrain");
    assert.equal(later.state, "silent");
    assert.ok(later.heartbeatAgeS >= silent.heartbeatAgeS + 1, `age grows: ${silent.heartbeatAgeS} → ${later.heartbeatAgeS}`);
    const text = dnaflow(["watch", "p.yaml", "--once"], { cwd: dir, env }).stdout;
    assert.match(text, /SILENT\s+pretrain/);
    assert.match(text, /0 running · 1 silent/);
  } finally {
    killAll();
  }
});

test("watch --interval follows a run as plain lines, one block per refresh, and stops when everything is done", async () => {
  const dir = project(tinyPipeline(LONG.replace("steps: 100000", "steps: 30")));
  const r = dnaflow(["run", "p.yaml"], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  const w = dnaflow(["watch", "p.yaml", "--interval", "0.2"], { cwd: dir, env });
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /5 done · 0 running · 0 silent · 0 stopped · 0 pending/);
  const pdir = join(dir, ".dnaflow", "progress");
  assert.ok(!existsSync(pdir) || readdirSync(pdir).length === 0, "a published stage leaves no progress record");
});
