// Leases: runners sharing a store make each key once; stale leases are judged by observation, not by wall clocks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsLeaseBackend } from "../../cache/lease/fs-backend.js";
import { Leases } from "../../cache/lease/leases.js";
import type { LeaseRecord } from "../../cache/lease/types.js";
import { dnaflowAsync, events, tempProject } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";

const opts = (ttlMs: number) => ({ ttlMs, pollMs: 50, isAlive: () => true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const foreign = (beat: number, heartbeat: string): LeaseRecord => ({
  owner: { runner: "other-runner", host: "gpu-node-7", pid: 4242, stage: "pretrain" },
  beat,
  ttlMs: 300,
  heartbeat,
});

test("a lease whose heartbeats keep coming is never taken, even with a wildly skewed clock; a silent one is taken after its TTL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "leases-"));
  const backend = new FsLeaseBackend(dir);
  const key = "k".repeat(64);
  let token = (await backend.create(key, foreign(0, "1970-01-01T00:00:00Z")))!;
  const me = new Leases(backend, opts(300));
  const waits: string[] = [];
  const ac = new AbortController();
  let beating = true;
  let lastBeat = Date.now();
  // The other runner heartbeats every 100 ms with a clock stuck in 1970.
  const beats = (async () => {
    for (let b = 1; beating; b++) {
      await sleep(100);
      if (!beating) break;
      token = (await backend.replace(key, token, foreign(b, "1970-01-01T00:00:00Z")))!;
      lastBeat = Date.now();
    }
  })();
  const acquiring = me.acquire(key, "pretrain", { signal: ac.signal, isDone: async () => false, onWait: (m) => waits.push(m) });
  await sleep(1200);
  assert.deepEqual(waits, ["held by pretrain on gpu-node-7 (pid 4242); waiting"], "still waiting after 4 TTLs of live heartbeats");
  beating = false; // the other runner dies
  await beats;
  const got = await acquiring;
  assert.ok("held" in got);
  const silent = Date.now() - lastBeat;
  assert.ok(silent >= 300, `taken only after a full TTL of silence (${silent} ms)`);
  assert.match(waits[1], /took over the lease: no heartbeat from gpu-node-7 \(pid 4242\)/);
  await got.held.release();
});

test("a lease file with garbage is taken over after its TTL, with a clear reason; a published key ends the wait", async () => {
  const dir = mkdtempSync(join(tmpdir(), "leases-"));
  const key = "g".repeat(64);
  writeFileSync(join(dir, key), "\u0000\u0001 not a lease");
  const me = new Leases(new FsLeaseBackend(dir), opts(200));
  const waits: string[] = [];
  const got = await me.acquire(key, "s", { signal: new AbortController().signal, isDone: async () => false, onWait: (m) => waits.push(m) });
  assert.ok("held" in got);
  assert.deepEqual(waits, ["held by an unreadable lease; waiting", "took over the lease: unreadable lease unchanged for its TTL"]);
  const other = new Leases(new FsLeaseBackend(dir), opts(10_000));
  let published = false;
  setTimeout(() => (published = true), 300);
  const r = await other.acquire(key, "s", { signal: new AbortController().signal, isDone: async () => published, onWait: () => {} });
  assert.deepEqual(r, { done: true }, "the other runner published meanwhile: nothing to make");
  await got.held.release();
});

test("a runner that loses its lease sees `lost` abort", async () => {
  const dir = mkdtempSync(join(tmpdir(), "leases-"));
  const key = "l".repeat(64);
  const backend = new FsLeaseBackend(dir);
  const a = new Leases(backend, opts(300));
  const got = await a.acquire(key, "s", { signal: new AbortController().signal, isDone: async () => false, onWait: () => {} });
  assert.ok("held" in got);
  // Someone replaces the file behind A's back (as a takeover would).
  const cur = (await backend.read(key))!;
  await backend.replace(key, cur.token, foreign(0, new Date().toISOString()));
  await sleep(400);
  assert.equal(got.held.lost.aborted, true);
  assert.match(String(got.held.lost.reason), /lost the lease/);
});

test("two runners on one store: every stage is made exactly once, the other waits and reuses it", async () => {
  const dir = tempProject({
    "p.yaml": `
stages:
${[0, 1, 2, 3].map((i) => `  s${i}:\n    run: [sh, -c, 'sleep 0.7; echo ${i} > "$DNAFLOW_OUTPUT_OUT"']\n    outputs: [out]\n`).join("")}
  join:
    run: [sh, -c, 'cat "$@" > "$0"', "\${{ outputs.out }}", "\${{ inputs.a }}", "\${{ inputs.b }}", "\${{ inputs.c }}", "\${{ inputs.d }}"]
    inputs: { a: "\${{ stages.s0.outputs.out }}", b: "\${{ stages.s1.outputs.out }}", c: "\${{ stages.s2.outputs.out }}", d: "\${{ stages.s3.outputs.out }}" }
    outputs: [out]
`,
  });
  const store = mkdtempSync(join(tmpdir(), "shared-store-"));
  const run = () => {
    const c = dnaflowAsync(["run", "p.yaml", "--json", "--store", store, "-j", "2"], { cwd: dir });
    let out = "";
    c.stdout!.on("data", (d) => (out += d));
    return new Promise<{ code: number | null; out: string }>((r) => c.on("exit", (code) => r({ code, out })));
  };
  const [a, b] = await Promise.all([run(), run()]);
  assert.equal(a.code, 0);
  assert.equal(b.code, 0);
  const made = [...events(a.out), ...events(b.out)]
    .filter((e) => e.type === "stage-done")
    .map((e) => e.id)
    .sort();
  assert.deepEqual(made, ["join", "s0", "s1", "s2", "s3"], "each stage made once across both runners");
  assert.ok(
    [...events(a.out), ...events(b.out)].some((e) => e.type === "stage-waiting"),
    "one runner waited on the other's lease",
  );
});

test("filesystem lease soak: 2,000 heartbeats leave one file; a waiter never takes the live lease and takes the dead one within 2 TTL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "leases-"));
  const backend = new FsLeaseBackend(dir);
  const key = "s".repeat(64);
  let token = (await backend.create(key, foreign(0, "")))!;
  const waiter = new Leases(backend, opts(300));
  const log: string[] = [];
  let tookAt = 0;
  const waiting = waiter
    .acquire(key, "pretrain", { signal: AbortSignal.timeout(60_000), isDone: async () => false, onWait: (m) => log.push(m) })
    .then((r) => ((tookAt = performance.now()), r));
  // The waiter may see the last heartbeat before our await of it returns, so time the TTL from just before that write.
  let last = 0;
  for (let b = 1; b <= 2000; b++) {
    if (b === 2000) last = performance.now();
    const next = await backend.replace(key, token, foreign(b, ""));
    assert.ok(next, `heartbeat ${b}`);
    token = next;
    if (b % 50 === 0) await sleep(5); // let the waiter look
  }
  assert.deepEqual(readdirSync(dir), [key], "one lease file, no leftovers");
  const got = await waiting;
  assert.ok("held" in got);
  const ms = tookAt - last;
  assert.ok(ms >= 300 && ms < 2 * 300 + 500, `taken ${Math.round(ms)} ms after the last heartbeat (TTL 300 ms)`);
  assert.equal(await backend.replace(key, token, foreign(2001, "")), undefined, "the dead owner's next heartbeat fails");
  await got.held.release();
  assert.deepEqual(readdirSync(dir), [], "released: nothing left");
});

// Each process: read the lease, replace it with its own record, and log "previous → new" when the swap succeeded.
const RACER = `
const { appendFileSync } = require("node:fs");
import(process.argv[1]).then(async ({ FsLeaseBackend }) => {
  const [, , dir, key, me, logFile] = process.argv;
  const b = new FsLeaseBackend(dir);
  for (let i = 0; i < 150; i++) {
    const cur = await b.read(key);
    if (!cur) continue;
    const next = await b.replace(key, cur.token, { owner: { runner: cur.rec && i % 2 ? cur.rec.owner.runner : me, host: "h", pid: 1, stage: "s" }, beat: i, ttlMs: 1, heartbeat: "" });
    if (next) appendFileSync(logFile, cur.token + " " + next + "\\n");
  }
});
`;

test("filesystem lease swaps are compare-and-swap across processes: heartbeats and takeovers racing never both succeed on one version", async () => {
  const dir = mkdtempSync(join(tmpdir(), "leases-race-"));
  const key = "r".repeat(64);
  const backend = new FsLeaseBackend(dir);
  await backend.create(key, foreign(0, ""));
  const logFile = join(dir, "..", `${key.slice(0, 6)}-${process.pid}.log`);
  writeFileSync(logFile, "");
  const mod = join(repoRoot(), "dist", "cache", "lease", "fs-backend.js");
  await Promise.all(
    Array.from({ length: 6 }, (_, i) => {
      const c = spawn(process.execPath, ["-e", RACER, mod, dir, key, `racer-${i}`, logFile], { stdio: "inherit" });
      return new Promise((r) => c.on("exit", r));
    }),
  );
  const swaps = readFileSync(logFile, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" "));
  assert.ok(swaps.length > 20, `enough successful swaps to mean something (${swaps.length})`);
  const from = swaps.map((s) => s[0]);
  assert.equal(new Set(from).size, from.length, "no version was swapped twice");
  assert.deepEqual(readdirSync(dir), [key], "one lease file, no side files left");
});
