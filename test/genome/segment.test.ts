import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readSegmentsMeta, readSegmentsWithOrigins } from "../../lib/segments/format.js";
import segment from "../../stages/genome/segment.js";
import stripN from "../../stages/genome/strip-n.js";
import { runStage } from "../helpers/stage-harness.js";
import { CHR2, fragmentsOf, tempFile } from "./helpers.js";

const chr2Fragments = runStage(stripN, { inputs: { fasta: CHR2 } }).then((r) => r.outputs.fragments);

async function segmentsOf(dir: string) {
  const out: Array<{ segment: string; record: string; start: number; end: number; strand: string }> = [];
  for await (const { segment: s, origin } of readSegmentsWithOrigins(dir)) out.push({ segment: s, ...origin! });
  return out;
}

const dirBytes = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => [f, readFileSync(join(dir, f), "latin1")]);

test("random mode on chr2: lengths in [256, 1024], only ACGT, segments tile the fragment, origins exact", async () => {
  const fragments = await chr2Fragments;
  const [frag] = await fragmentsOf(fragments);
  const { outputs, meta } = await runStage(segment, { params: { seed: 7 }, inputs: { fragments } });
  const segs = await segmentsOf(outputs.segments);
  let pos = frag.start;
  for (const [i, s] of segs.entries()) {
    assert.match(s.segment, /^[ACGT]+$/);
    assert.ok(s.segment.length <= 1024 && s.segment.length >= 256, `segment ${i} has ${s.segment.length} bases`);
    assert.equal(s.start, pos, "consecutive, no gaps");
    assert.equal(s.end - s.start, s.segment.length);
    assert.equal(s.segment, frag.seq.slice(s.start - frag.start, s.end - frag.start));
    pos = s.end;
  }
  const covered = pos - frag.start;
  assert.equal(covered + (meta.droppedTailBases as number), frag.seq.length, "everything but a short tail is covered");
  assert.ok((meta.droppedTailBases as number) < 256);
  const lengths = segs.map((s) => s.segment.length);
  const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
  assert.ok(Math.abs(mean - 640) < 15, `mean length ${mean} ≈ 640 for uniform [256, 1024]`);
  assert.equal((await readSegmentsMeta(outputs.segments)).count, segs.length);
});

test("same seed → byte-identical artifact; another seed → different segments", async () => {
  const fragments = await chr2Fragments;
  const a = await runStage(segment, { params: { seed: 1 }, inputs: { fragments } });
  const b = await runStage(segment, { params: { seed: 1 }, inputs: { fragments } });
  const c = await runStage(segment, { params: { seed: 2 }, inputs: { fragments } });
  assert.deepEqual(dirBytes(a.outputs.segments), dirBytes(b.outputs.segments));
  assert.notDeepEqual(dirBytes(a.outputs.segments), dirBytes(c.outputs.segments));
  // Pinned: the first segments for seed 1 must not change across machines or library upgrades (revision bump needed).
  const first = (await segmentsOf(a.outputs.segments)).slice(0, 3).map((s) => [s.start, s.end]);
  assert.deepEqual(first, PINNED_SEED1);
});
const PINNED_SEED1 = [
  [10000, 10397],
  [10397, 10774],
  [10774, 11278],
];

test("window mode: stride < window overlaps, tail kept only when >= min", async () => {
  const seq = "ACGT".repeat(25) + "AC"; // 102 bases
  const frags = (await runStage(stripN, { params: { minLength: 1 }, inputs: { fasta: tempFile("w.fa", `>w\n${seq}\n`) } })).outputs.fragments;
  const run = async (p: Record<string, unknown>) =>
    (await segmentsOf((await runStage(segment, { params: { mode: "window", ...p }, inputs: { fragments: frags } })).outputs.segments)).map((s) => [
      s.start,
      s.end,
    ]);
  assert.deepEqual(await run({ window: 40, stride: 40, min: 40 }), [
    [0, 40],
    [40, 80],
  ]);
  assert.deepEqual(await run({ window: 40, stride: 40, min: 20 }), [
    [0, 40],
    [40, 80],
    [80, 102],
  ]);
  assert.deepEqual(await run({ window: 40, stride: 30, min: 40 }), [
    [0, 40],
    [30, 70],
    [60, 100],
  ]);
  assert.deepEqual(await run({ window: 40, stride: 30, min: 10 }), [
    [0, 40],
    [30, 70],
    [60, 100],
    [90, 102],
  ]);
  assert.deepEqual(
    await run({ window: 20, stride: 50, min: 20 }),
    [
      [0, 20],
      [50, 70],
    ],
    "stride > window skips; 2-base tail dropped",
  );
  assert.deepEqual(await run({ window: 20, stride: 50, min: 2 }), [
    [0, 20],
    [50, 70],
    [100, 102],
  ]);
});

test("reverse complement: both adds the RC of each segment; random flips some, same lengths as none", async () => {
  const fragments = await chr2Fragments;
  const rcOf = (s: string) =>
    [...s]
      .reverse()
      .map((c) => ({ A: "T", C: "G", G: "C", T: "A" })[c])
      .join("");
  const none = await segmentsOf((await runStage(segment, { params: { seed: 3 }, inputs: { fragments } })).outputs.segments);
  const both = await segmentsOf((await runStage(segment, { params: { seed: 3, reverseComplement: "both" }, inputs: { fragments } })).outputs.segments);
  assert.equal(both.length, 2 * none.length);
  for (let i = 0; i < 50; i++) {
    assert.deepEqual(both[2 * i], none[i]);
    assert.equal(both[2 * i + 1].segment, rcOf(none[i].segment));
    assert.equal(both[2 * i + 1].strand, "-");
  }
  const rnd = await segmentsOf((await runStage(segment, { params: { seed: 3, reverseComplement: "random" }, inputs: { fragments } })).outputs.segments);
  assert.deepEqual(
    rnd.map((s) => [s.start, s.end]),
    none.map((s) => [s.start, s.end]),
  );
  const flipped = rnd.filter((s) => s.strand === "-");
  assert.ok(flipped.length > none.length * 0.4 && flipped.length < none.length * 0.6, `${flipped.length} of ${none.length} flipped`);
  for (const s of flipped.slice(0, 20)) assert.equal(s.segment, rcOf(none[rnd.indexOf(s)].segment));
});

test("min > max is a clear error", async () => {
  await assert.rejects(
    runStage(segment, { params: { min: 900, max: 800 }, inputs: { fragments: await chr2Fragments } }),
    /min \(900\) is greater than max \(800\)/,
  );
});
