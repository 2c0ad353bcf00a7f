import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { StageInputError } from "../../core/errors.js";
import download from "../../stages/genome/download.js";
import { runStage } from "../helpers/stage-harness.js";
import { startServer, type Behaviour } from "./http-fixture-server.js";
import { CHR2, tempDir } from "./helpers.js";

const BODY = readFileSync(CHR2);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const FAST = { retries: 3, timeoutMs: 300, backoffMs: 5 };

async function withServer(plan: (i: number) => Behaviour, fn: (s: Awaited<ReturnType<typeof startServer>>) => Promise<void>, extra = {}) {
  const s = await startServer(BODY, plan, extra);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const published = (r: { outputs: Record<string, string> }) => readFileSync(r.outputs.fasta);

test("plain download: published bytes verified; manifest has url, size, checksums, time", () =>
  withServer(
    () => ({}),
    async (s) => {
      const r = await runStage(download, { params: { url: s.url, sha256: sha256(BODY), ...FAST } });
      assert.ok(published(r).equals(BODY));
      assert.equal(r.meta.url, s.url);
      assert.equal(r.meta.size, BODY.length);
      assert.equal(r.meta.sha256, sha256(BODY));
      assert.equal(r.meta.md5, md5(BODY));
      assert.ok(Date.now() - Date.parse(r.meta.downloadedAt as string) < 60_000);
    },
  ));

test("connection dropped after N bytes, three times: resumes with Range + If-Range", () =>
  withServer(
    (i) => (i < 3 ? { dropAfter: 100_000 } : {}),
    async (s) => {
      const r = await runStage(download, { params: { url: s.url, md5: md5(BODY), ...FAST } });
      assert.ok(published(r).equals(BODY));
      assert.deepEqual(
        s.requests.map((q) => q.range),
        [undefined, "bytes=100000-", "bytes=200000-", "bytes=300000-"],
      );
      assert.ok(s.requests.slice(1).every((q) => q.ifRange === '"v1"'));
      assert.equal(r.meta.resumes, 3);
    },
  ));

test("a server that ignores Range: restarts from zero and still ends correct", () =>
  withServer(
    (i) => (i === 0 ? { dropAfter: 50_000 } : { ignoreRange: true }),
    async (s) => {
      const r = await runStage(download, { params: { url: s.url, sha256: sha256(BODY), ...FAST } });
      assert.ok(published(r).equals(BODY));
      assert.equal(r.meta.restarts, 1);
    },
  ));

test("ETag changes mid-way: the new resource is downloaded whole (If-Range honoured or not)", async () => {
  const v2 = Buffer.concat([BODY.subarray(0, 1000), Buffer.from("changed"), BODY.subarray(1000)]);
  for (const broken of [false, true])
    await withServer(
      (i) => (i === 0 ? { dropAfter: 50_000 } : { body: v2, etag: '"v2"', ignoreIfRange: broken }),
      async (s) => {
        const r = await runStage(download, { params: { url: s.url, sha256: sha256(v2), ...FAST } });
        assert.ok(published(r).equals(v2), `broken If-Range: ${broken}`);
        assert.ok((r.meta.restarts as number) >= 1);
      },
    );
});

test("the resource changed and the checksum is the old one: clear mismatch error, nothing kept", async () => {
  const dir = tempDir();
  await withServer(
    (i) => (i === 0 ? { dropAfter: 50_000 } : { body: Buffer.from(BODY.toString("latin1") + "x", "latin1"), etag: '"v2"' }),
    async (s) => {
      await assert.rejects(
        runStage(download, { dir, params: { url: s.url, sha256: sha256(BODY), ...FAST } }),
        /sha256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}.*nothing published/,
      );
    },
  );
  assert.equal(existsSync(join(dir, "checkpoint", "download.part")), false);
});

test("404 fails at once with the status; 500s are retried; endless 500s give up", async () => {
  await withServer(
    () => ({ status: 404 }),
    async (s) => {
      await assert.rejects(
        runStage(download, { params: { url: s.url, md5: md5(BODY), ...FAST } }),
        (e: Error) => e instanceof StageInputError && /HTTP 404/.test(e.message),
      );
      assert.equal(s.requests.length, 1);
    },
  );
  await withServer(
    (i) => (i < 2 ? { status: 500 } : {}),
    async (s) => {
      assert.ok(published(await runStage(download, { params: { url: s.url, md5: md5(BODY), ...FAST } })).equals(BODY));
    },
  );
  await withServer(
    () => ({ status: 500 }),
    async (s) => {
      await assert.rejects(runStage(download, { params: { url: s.url, md5: md5(BODY), ...FAST } }), /giving up after 3 retries without progress: HTTP 500/);
      assert.equal(s.requests.length, 4);
    },
  );
});

test("a stalled connection times out and resumes", () =>
  withServer(
    (i) => (i === 0 ? { stallAfter: 70_000, stallMs: 30_000 } : {}),
    async (s) => {
      const r = await runStage(download, { params: { url: s.url, md5: md5(BODY), ...FAST } });
      assert.ok(published(r).equals(BODY));
      assert.equal(s.requests[1].range, "bytes=70000-");
    },
  ));

test("corrupted bytes: a fresh download fails with a checksum error; a corrupt resumed piece is re-fetched whole", async () => {
  await withServer(
    () => ({ corrupt: true }),
    async (s) => {
      await assert.rejects(runStage(download, { params: { url: s.url, md5: md5(BODY), ...FAST } }), /md5 mismatch/);
    },
  );
  await withServer(
    (i) => (i === 0 ? { dropAfter: 60_000 } : i === 1 ? { corrupt: true } : {}),
    async (s) => {
      const r = await runStage(download, { params: { url: s.url, md5: md5(BODY), ...FAST } });
      assert.ok(published(r).equals(BODY));
      assert.equal(s.requests[2].range, undefined, "third request starts from zero");
    },
  );
});

test("partial bytes survive a failed attempt in the checkpoint dir; the next attempt resumes", async () => {
  const dir = tempDir();
  await withServer(
    (i) => (i === 0 ? { dropAfter: 200_000 } : i < 3 ? { status: 503 } : {}),
    async (s) => {
      await assert.rejects(runStage(download, { dir, params: { url: s.url, md5: md5(BODY), ...FAST, retries: 1 } }), /giving up/);
      assert.equal(readFileSync(join(dir, "checkpoint", "download.part")).length, 200_000);
      const r = await runStage(download, { dir, params: { url: s.url, md5: md5(BODY), ...FAST } });
      assert.ok(published(r).equals(BODY));
      assert.equal(s.requests.at(-1)!.range, "bytes=200000-");
    },
  );
});

test("checksum read from a checksum file URL (md5sum and Ensembl BSD sum formats)", async () => {
  const lists = {
    "/md5checksums.txt": `0123456789abcdef0123456789abcdef  ./other.fna.gz\n${md5(BODY)}  ./genome.fa.gz\n`,
    "/CHECKSUMS": `1 1 other.fa.gz\n${bsdSum(BODY)} genome.fa.gz\n`,
    "/wrong.txt": `${md5(Buffer.from("x"))}  genome.fa.gz\n`,
  };
  await withServer(
    () => ({}),
    async (s) => {
      for (const list of ["/md5checksums.txt", "/CHECKSUMS"]) {
        const r = await runStage(download, { params: { url: s.url, checksumUrl: s.base + list, ...FAST } });
        assert.ok(published(r).equals(BODY));
        assert.match((r.meta.verifiedWith as string[])[0], list === "/CHECKSUMS" ? /^sum:\d+ \d+$/ : /^md5:/);
      }
      await assert.rejects(runStage(download, { params: { url: s.url, checksumUrl: s.base + "/wrong.txt", ...FAST } }), /md5 mismatch/);
    },
    lists,
  );
});

test("local path and file:// sources; a missing checksum is refused unless allowed", async () => {
  const r1 = await runStage(download, { params: { url: CHR2, md5: md5(BODY) } });
  const r2 = await runStage(download, { params: { url: pathToFileURL(CHR2).href, sha256: sha256(BODY) } });
  assert.ok(published(r1).equals(BODY) && published(r2).equals(BODY));
  await assert.rejects(runStage(download, { params: { url: CHR2, md5: "0".repeat(32) } }), /md5 mismatch/);
  await assert.rejects(runStage(download, { params: { url: CHR2 } }), /no checksum to verify against/);
  assert.equal((await runStage(download, { params: { url: CHR2, allowUnverified: true } })).meta.sha256, sha256(BODY));
});

test("presets are data: ucsc-hg38 carries the published md5, a mirror url keeps it", async () => {
  await assert.rejects(runStage(download, { params: { preset: "ucsc-hg38", url: CHR2 } }), /md5 mismatch: expected 1c9dcaddfa41027f17cd8f7a82c7293b/);
});

/** BSD sum as coreutils `sum` prints it (checked against `sum` for chrM.fa: "32534 5" for its first 5000 bytes). */
function bsdSum(b: Buffer): string {
  let s = 0;
  for (const x of b) s = (((s >>> 1) | ((s & 1) << 15)) + x) & 0xffff;
  return `${String(s).padStart(5, "0")} ${String(Math.ceil(b.length / 1024)).padStart(5)}`;
}
