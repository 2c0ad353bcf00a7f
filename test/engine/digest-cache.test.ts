// The digest memory trusts a published object's files without their ctime (genome/split hard-links them, which changes
// ctime), and keeps noticing an in-place edit that restores mtime anywhere else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { linkSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { DigestCache } from "../../cache/digest-cache.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** Writes `before`, remembers its digest, then rewrites it as `after` (same size) with the old mtime, and links it. */
async function editedInPlace(path: string, before: string, after: string): Promise<string> {
  const then = 1_000_000_000; // whole seconds: restored exactly (a Date round trip would lose the nanoseconds)
  writeFileSync(path, before);
  utimesSync(path, then, then);
  const cache = new DigestCache();
  assert.equal(await cache.digest(path), sha(before));
  writeFileSync(path, after);
  utimesSync(path, then, then);
  linkSync(path, `${path}.link`); // what genome/split does to an input's shard: only ctime moves
  return cache.digest(path);
}

test("a published object's file keeps its digest across a hard link; any other file is rehashed when ctime moves", async () => {
  const root = mkdtempSync(join(tmpdir(), "digest-cache-"));
  const objectDir = join(root, "objects", "a".repeat(64), "out", "segments");
  mkdirSync(objectDir, { recursive: true });
  assert.equal(await editedInPlace(join(objectDir, "part-00000.seq"), "ACGT\n", "TTTT\n"), sha("ACGT\n"), "trusted: objects are immutable");
  assert.equal(await editedInPlace(join(root, "input.fa"), "ACGT\n", "TTTT\n"), sha("TTTT\n"), "an edit that restores mtime is noticed");
  const fresh = new DigestCache();
  assert.equal(await fresh.digest(join(objectDir, "part-00000.seq"), { fresh: true }), sha("TTTT\n"), "--fresh always rehashes");
});
