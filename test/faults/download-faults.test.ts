// Download faults through the built CLI against a local HTTP server: what test/genome/download.test.ts does not cover
// at the stage level (503 with Retry-After, honoured and bounded), and that no failure ever publishes: a 404, wrong
// bytes, a connection dropped mid-body every time, a stall that never ends — each a clear line, exit 1, no stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRetryAfter } from "../../lib/genome/download/http-resume.js";
import { dnaflowAsync, objectKeys, tempProject } from "../helpers/cli.js";
import { CHR2 } from "../genome/helpers.js";
import { startServer, type Behaviour } from "../genome/http-fixture-server.js";

const BODY = readFileSync(CHR2);
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

/** `dnaflow run` of one genome/download stage against a server started here (async: the server shares this process). */
async function download(plan: (i: number) => Behaviour) {
  const server = await startServer(BODY, plan);
  const dir = tempProject({
    "p.yaml": `stages:\n  genome:\n    uses: genome/download@1\n    with: { url: "${server.url}", md5: ${md5(BODY)}, retries: 3, timeoutMs: 300, backoffMs: 5 }\n`,
  });
  try {
    const child = dnaflowAsync(["run", "p.yaml"], { cwd: dir });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    return { code, stdout, stderr, dir, requests: server.requests };
  } finally {
    await server.close();
  }
}

function assertNotPublished(r: Awaited<ReturnType<typeof download>>, message: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
  assert.deepEqual(objectKeys(join(r.dir, ".dnaflow")), [], "nothing published");
}

test("503 with Retry-After: 1 is honoured (the backoff alone would be 5 ms), then the download completes", async () => {
  const at: number[] = [];
  const r = await download((i) => (at.push(Date.now()), i === 0 ? { status: 503, headers: { "retry-after": "1" } } : {}));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(at.length, 2);
  assert.ok(at[1] - at[0] >= 950, `waited ${at[1] - at[0]} ms`);
  const [key] = objectKeys(join(r.dir, ".dnaflow"));
  assert.ok(readFileSync(join(r.dir, ".dnaflow", "objects", key, "out", "fasta")).equals(BODY));
});

test("503 with Retry-After of a day: bounded — a clear error at once, not a day's wait", async () => {
  const r = await download(() => ({ status: 503, headers: { "retry-after": "86400" } }));
  assertNotPublished(r, /genome\.fa\.gz: HTTP 503 Service Unavailable, and the server asks to retry after 86400 s \(more than 300 s\): try again later/);
  assert.equal(r.requests.length, 1);
});

test("Retry-After as an HTTP date", () => {
  const now = Date.parse("2026-12-01T07:00:00Z");
  assert.equal(parseRetryAfter("Tue, 01 Dec 2026 07:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter(" 7 ", now), 7000);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test("404: fails at once, never published", async () => {
  const r = await download(() => ({ status: 404 }));
  assertNotPublished(r, /✗ genome attempt 1: http:\/\/127\.0\.0\.1:\d+\/genome\.fa\.gz: HTTP 404 Not Found/);
  assert.equal(r.requests.length, 1);
});

test("wrong bytes every time: a checksum error, never published", async () => {
  const r = await download(() => ({ corrupt: true }));
  assertNotPublished(r, /✗ genome attempt 1: .*md5/);
});

test("the connection dropped mid-body without progress, every time: gives up with the reason, never published", async () => {
  const r = await download(() => ({ dropAfter: 0 }));
  assertNotPublished(r, /giving up after 3 retries without progress: /);
  assert.ok(r.requests.length >= 2, "retried"); // a request may be cut before the server counts it
});

test("a stall that never ends: gives up after the retries, never published", async () => {
  const r = await download(() => ({ stallAfter: 0, stallMs: 60_000 }));
  assertNotPublished(r, /giving up after 3 retries without progress: .*no data for 300 ms/);
});
