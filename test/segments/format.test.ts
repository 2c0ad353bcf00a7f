import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SegmentsWriter, readSegments, readSegmentsMeta } from "../../lib/segments/format.js";

test("segments round-trip across shard rotation", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "seg-")), "s");
  const w = await new SegmentsWriter(dir, 10).open();
  const segs = ["ACGTACGT", "GGGG", "ACGTNACGTN", "T"];
  for (const s of segs) await w.write(s);
  const meta = await w.close({ seed: 1 });
  assert.equal(meta.count, 4);
  assert.equal(meta.bases, 23);
  assert.deepEqual(meta.shards.map((s) => s.count), [2, 1, 1], "a shard closes once it holds >= 10 bases");
  const back: string[] = [];
  for await (const s of readSegments(dir)) back.push(s);
  assert.deepEqual(back, segs);
  assert.deepEqual((await readSegmentsMeta(dir)).info, { seed: 1 });
  assert.equal(readFileSync(join(dir, meta.shards[0].file), "utf8"), "ACGTACGT\nGGGG\n");
});

test("readSegmentsMeta rejects a directory that is not a segments artifact", async () => {
  const dir = mkdtempSync(join(tmpdir(), "seg-"));
  await assert.rejects(readSegmentsMeta(dir), /not a segments artifact/);
});
