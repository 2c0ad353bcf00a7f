// data/benchmark from URLs: an archive over HTTP (sha256-verified, cached in the checkpoint dir), and a base URL
// under which <task>/<split>.csv of a suite's tasks are fetched. A local HTTP server serves the real GUE fixtures.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "../helpers/paths.js";
import { runStage } from "../helpers/stage-harness.js";
import benchmark from "../../stages/data/benchmark.js";

const GUE = fixture("benchmark", "gue");
let server: Server;
let base = "";
let archive: Buffer;
const hits: string[] = [];

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-bench-tar-"));
  execFileSync("tar", ["-czf", join(dir, "GUE.tar.gz"), "-C", join(GUE, ".."), "gue/prom", "gue/tf"]);
  archive = readFileSync(join(dir, "GUE.tar.gz"));
  server = createServer((req, res) => {
    hits.push(req.url!);
    if (req.url === "/GUE.tar.gz") return void res.end(archive);
    const m = /^\/data\/(.+\.csv)$/.exec(req.url!);
    const file = m && join(GUE, decodeURIComponent(m[1]));
    if (file && existsSync(file)) return void res.end(readFileSync(file));
    res.statusCode = 404;
    res.end("not found");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

const sha = () => createHash("sha256").update(archive).digest("hex");
const names = (out: string) => JSON.parse(readFileSync(join(out, "tasks.json"), "utf8")).tasks.map((t: { name: string }) => t.name);

test("an archive URL: downloaded, verified, unpacked (single top folder skipped), selected; kept for the next attempt", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-bench-run-"));
  const r = await runStage(benchmark, { dir, params: { url: `${base}/GUE.tar.gz`, sha256: sha(), tasks: ["tf/*"] } });
  assert.deepEqual(names(r.outputs.tasks), ["tf/0"]);
  assert.equal(r.meta.archiveSha256, sha());
  const before = hits.length;
  const again = await runStage(benchmark, { dir: mkdtempSync(join(tmpdir(), "x-")), params: { url: `${base}/GUE.tar.gz`, sha256: sha() } });
  assert.deepEqual(names(again.outputs.tasks), ["prom/prom_core_tata", "tf/0"]);
  assert.equal(hits.length, before + 1, "a fresh run downloads again");
});

test("an archive URL with a wrong sha256, or none, is refused", async () => {
  const bad = "0".repeat(64);
  await assert.rejects(runStage(benchmark, { params: { url: `${base}/GUE.tar.gz`, sha256: bad } }), (e: Error) => {
    assert.equal(e.message, `${base}/GUE.tar.gz: sha256 mismatch: expected ${bad}, got ${sha()}`);
    return true;
  });
  await assert.rejects(
    runStage(benchmark, { params: { url: `${base}/GUE.tar.gz` } }),
    /no checksum to verify against \(give sha256, or allowUnverified: true\)/,
  );
});

test("a base URL fetches the suite's split files of the selected tasks; names in messages are URLs", async () => {
  const r = await runStage(benchmark, { params: { url: `${base}/data/`, tasks: ["gue/prom/prom_core_t*"], allowUnverified: true } });
  assert.deepEqual(names(r.outputs.tasks), ["prom/prom_core_tata"]);
  const task = JSON.parse(readFileSync(join(r.outputs.tasks, "tasks.json"), "utf8")).tasks[0];
  assert.deepEqual(Object.keys(task.splits), ["train", "dev", "test"]);
  assert.equal(task.splits.dev.rows, 613);
  // gue lists prom_core_all and prom_core_notata too, which this server does not have: HTTP 404, named by URL.
  await assert.rejects(runStage(benchmark, { params: { url: `${base}/data`, tasks: ["gue/prom/prom_core_all"], allowUnverified: true } }), (e: Error) => {
    assert.equal(e.message, `${base}/data/prom/prom_core_all/train.csv: HTTP 404 Not Found`);
    return true;
  });
  await assert.rejects(runStage(benchmark, { params: { url: `${base}/data`, tasks: ["prom/*"], allowUnverified: true } }), /a base URL cannot be listed/);
});
