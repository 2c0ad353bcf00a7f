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
  assert.deepEqual(
    meta.shards.map((s) => s.count),
    [2, 1, 1],
    "a shard closes once it holds >= 10 bases",
  );
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

test("optional origins: a BED6 file beside each shard, read back in step with the segments", async () => {
  const { readSegmentsWithOrigins } = await import("../../lib/segments/format.js");
  const dir = join(mkdtempSync(join(tmpdir(), "seg-")), "s");
  const w = await new SegmentsWriter(dir, 6).open();
  await w.write("ACGTAC", { record: "chr1", start: 10, end: 16, strand: "+" });
  w.append(Buffer.from("xxGTTyy"), 2, 5, { record: "chr2", start: 0, end: 3, strand: "-" });
  const meta = await w.close();
  assert.deepEqual(
    meta.shards.map((s) => s.origins),
    ["part-00000.bed", "part-00001.bed"],
  );
  assert.equal(readFileSync(join(dir, "part-00001.bed"), "utf8"), "chr2\t0\t3\t.\t0\t-\n");
  const back = [];
  for await (const s of readSegmentsWithOrigins(dir)) back.push(s);
  assert.deepEqual(back, [
    { segment: "ACGTAC", origin: { record: "chr1", start: 10, end: 16, strand: "+" } },
    { segment: "GTT", origin: { record: "chr2", start: 0, end: 3, strand: "-" } },
  ]);
  await assert.rejects(async () => {
    const w2 = await new SegmentsWriter(join(dir, "mixed")).open();
    await w2.write("AC", { record: "r", start: 0, end: 2, strand: "+" });
    await w2.write("AC");
  }, /origin for every segment or for none/);
});

test("format 2 ranges: a torn or overlapping ranges file is an error naming the file", async () => {
  const { writeFileSync } = await import("node:fs");
  const { readRanges, RangeBuilder } = await import("../../lib/segments/ranges.js");
  const dir = mkdtempSync(join(tmpdir(), "seg-ranges-"));
  const r = new RangeBuilder();
  r.add(0, 10, 0, 20, 9);
  r.add(10, 15, 20, 40, 4); // follows on in both files: merged
  r.add(30, 35, 60, 80, 4);
  assert.deepEqual([r.count, r.bases], [3, 17]);
  writeFileSync(join(dir, "ok.ranges"), r.bytes());
  assert.deepEqual(readRanges(join(dir, "ok.ranges")), {
    seq: [
      { offset: 0, bytes: 15 },
      { offset: 30, bytes: 5 },
    ],
    bed: [
      { offset: 0, bytes: 40 },
      { offset: 60, bytes: 20 },
    ],
  });
  writeFileSync(join(dir, "torn.ranges"), r.bytes().subarray(0, 40));
  assert.throws(() => readRanges(join(dir, "torn.ranges")), /torn\.ranges: 40 bytes, not a whole number of 32-byte ranges/);
  const back = new RangeBuilder();
  back.add(30, 35, 60, 80, 4);
  back.add(0, 10, 0, 20, 9);
  writeFileSync(join(dir, "back.ranges"), back.bytes());
  assert.throws(() => readRanges(join(dir, "back.ranges")), /back\.ranges: range 1 \[0, 10\) .*overlaps the one before/);
});
