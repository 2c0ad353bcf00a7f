import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readSegmentsMeta, readSegmentsWithOrigins } from "../../lib/segments/format.js";
import segment from "../../stages/genome/segment.js";
import split from "../../stages/genome/split.js";
import stripN from "../../stages/genome/strip-n.js";
import { runStage } from "../helpers/stage-harness.js";
import { tempFile } from "./helpers.js";

// Three records of random bases, so every record yields many segments.
const genome = (() => {
  let x = 12345;
  const base = () => "ACGT"[((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) & 3];
  return ["chr1", "chr2", "chr8"].map((n) => `>${n}\n${Array.from({ length: 40_000 }, base).join("")}\n`).join("");
})();
const segmentsDir = (async () => {
  const frags = (await runStage(stripN, { inputs: { fasta: tempFile("g.fa", genome) } })).outputs.fragments;
  return (await runStage(segment, { params: { min: 100, max: 300 }, inputs: { fragments: frags } })).outputs.segments;
})();

async function all(dir: string) {
  const out: string[] = [];
  for await (const { segment: s, origin } of readSegmentsWithOrigins(dir)) out.push(`${origin!.record}:${origin!.start}:${s}`);
  return out;
}

test("by fraction: exact counts, every segment once, same seed same bytes", async () => {
  const segments = await segmentsDir;
  const total = (await readSegmentsMeta(segments)).count;
  const a = await runStage(split, { params: { validation: 0.1, test: 0.05, seed: 9 }, inputs: { segments } });
  const counts = a.meta.counts as Record<string, number>;
  assert.deepEqual(counts, {
    train: total - Math.round(total * 0.1) - Math.round(total * 0.05),
    validation: Math.round(total * 0.1),
    test: Math.round(total * 0.05),
  });
  const parts = [...(await all(a.outputs.train)), ...(await all(a.outputs.validation)), ...(await all(a.outputs.test))];
  assert.deepEqual(parts.sort(), (await all(segments)).sort());
  const b = await runStage(split, { params: { validation: 0.1, test: 0.05, seed: 9 }, inputs: { segments } });
  const bytes = (d: string) =>
    readdirSync(d)
      .sort()
      .map((f) => readFileSync(join(d, f), "latin1"));
  assert.deepEqual(bytes(a.outputs.validation), bytes(b.outputs.validation));
  const c = await runStage(split, { params: { validation: 0.1, test: 0.05, seed: 10 }, inputs: { segments } });
  assert.notDeepEqual(bytes(a.outputs.validation), bytes(c.outputs.validation));
});

test("by record: whole chromosomes held out", async () => {
  const segments = await segmentsDir;
  const r = await runStage(split, { params: { by: "record", validationRecords: ["chr8"], testRecords: ["chr2"] }, inputs: { segments } });
  const recs = async (d: string) => new Set((await all(d)).map((s) => s.split(":")[0]));
  assert.deepEqual(await recs(r.outputs.train), new Set(["chr1"]));
  assert.deepEqual(await recs(r.outputs.validation), new Set(["chr8"]));
  assert.deepEqual(await recs(r.outputs.test), new Set(["chr2"]));
});

test("by record: an unknown record name is an error", async () => {
  const segments = await segmentsDir;
  await assert.rejects(
    runStage(split, { params: { by: "record", validationRecords: ["chr9"] }, inputs: { segments } }),
    /held-out records not found in the segments: chr9/,
  );
});

// The split must hold what decoding every segment and origin and writing them into three artifacts gives (the first
// implementation, kept here as the oracle), for fraction and record splits: the same segments with the same origins,
// in the same order, and the same counts — though since revision 2 it shares the input's shard files instead.
async function oracleSplit(
  segments: string,
  out: string,
  p: { by: "fraction" | "record"; validation: number; test: number; seed: number; validationRecords: string[] },
) {
  const { FractionAssigner, RecordAssigner } = await import("../../lib/genome/split-assigner.js");
  const { SegmentsWriter, readSegmentsWithOrigins } = await import("../../lib/segments/format.js");
  const meta = await readSegmentsMeta(segments);
  const f = p.by === "fraction" ? new FractionAssigner(meta.count, p.validation, p.test, p.seed) : undefined;
  const r = p.by === "record" ? new RecordAssigner(p.validationRecords, []) : undefined;
  const w = Object.fromEntries(
    await Promise.all(["train", "validation", "test"].map(async (s) => [s, await new SegmentsWriter(join(out, s)).open()])),
  ) as Record<string, InstanceType<typeof SegmentsWriter>>;
  for await (const { segment: s, origin } of readSegmentsWithOrigins(segments)) await w[f ? f.next() : r!.next(origin!.record)].write(s, origin);
  return w;
}

/** A segments artifact in small shards (several per record), so that some shards fall wholly in one split. */
const smallShards = (async () => {
  const { SegmentsWriter, readSegmentsWithOrigins } = await import("../../lib/segments/format.js");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = join(mkdtempSync(join(tmpdir(), "split-small-")), "segments");
  const w = await new SegmentsWriter(dir, 5000).open();
  for await (const { segment: s, origin } of readSegmentsWithOrigins(await segmentsDir)) await w.write(s, origin);
  await w.close({ note: "small shards" });
  return dir;
})();

test("split holds what the decode-and-rewrite oracle writes, in the same order, without copying segment bytes", async () => {
  const { mkdtempSync, statSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const segments = await smallShards;
  for (const params of [
    { by: "fraction" as const, validation: 0.1, test: 0.05, seed: 3, validationRecords: [] },
    { by: "record" as const, validation: 0, test: 0, seed: 42, validationRecords: ["chr2"] },
  ]) {
    const got = await runStage(split, { params, inputs: { segments } });
    const dir = mkdtempSync(join(tmpdir(), "split-oracle-"));
    const writers = await oracleSplit(segments, dir, params);
    let whole = 0;
    for (const s of ["train", "validation", "test"]) {
      const want = await writers[s].close();
      const meta = await readSegmentsMeta(got.outputs[s]);
      assert.equal(meta.format, "dnaflow.segments/2");
      assert.deepEqual([meta.count, meta.bases], [want.count, want.bases], `${params.by} ${s}`);
      assert.deepEqual(await all(got.outputs[s]), await all(join(dir, s)), `${params.by} ${s}: segments and origins`);
      for (const shard of meta.shards) {
        for (const f of [shard.file, shard.origins!])
          assert.equal(statSync(join(got.outputs[s], f)).ino, statSync(join(segments, f)).ino, `${s}/${f} is a hard link of the input's file`);
        if (!shard.ranges) whole++;
      }
    }
    const shared = got.meta.sharedFiles as { linked: number; copied: number };
    assert.ok(shared.linked > 0 && shared.copied === 0, JSON.stringify(shared));
    if (params.by === "record") assert.ok(whole >= 3, `${whole}: shards wholly in one split carry no ranges`);
  }
});

test("where hard links cannot be made (another filesystem: EXDEV), the shards are copied and the artifacts are the same", async (t) => {
  const { cpSync, mkdtempSync, statSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  if (statSync("/dev/shm").dev === statSync(tmpdir()).dev) return t.skip("/dev/shm is on the same filesystem as the temporary directory");
  const segments = await smallShards;
  const elsewhere = join(mkdtempSync("/dev/shm/split-exdev-"), "segments");
  cpSync(segments, elsewhere, { recursive: true });
  const params = { validation: 0.1, seed: 3 };
  const linked = await runStage(split, { params, inputs: { segments } });
  const copied = await runStage(split, { params, inputs: { segments: elsewhere } });
  assert.deepEqual(copied.meta.sharedFiles, { linked: 0, copied: (linked.meta.sharedFiles as { linked: number }).linked }, "every file the other run linked");
  for (const s of ["train", "validation", "test"]) {
    const bytes = (d: string) =>
      readdirSync(d)
        .sort()
        .map((f) => [f, readFileSync(join(d, f), "latin1")]);
    assert.deepEqual(bytes(copied.outputs[s]), bytes(linked.outputs[s]), `${s}: same files, same bytes`);
    for (const f of readdirSync(copied.outputs[s]).filter((x) => x.endsWith(".seq")))
      assert.notEqual(statSync(join(copied.outputs[s], f)).dev, statSync(join(elsewhere, f)).dev, "a copy on the output's filesystem");
  }
});

test("a split of a split and the bounded sample read format 2 through the same readers", async () => {
  const { boundedSampleLines } = await import("../../lib/segments/bounded-sample.js");
  const segments = await smallShards;
  const first = await runStage(split, { params: { validation: 0.3, seed: 5 }, inputs: { segments } });
  const again = await runStage(split, { params: { validation: 0.5, seed: 6 }, inputs: { segments: first.outputs.validation } });
  const parts = [...(await all(again.outputs.train)), ...(await all(again.outputs.validation))];
  assert.deepEqual(parts.sort(), (await all(first.outputs.validation)).sort());
  const meta = await readSegmentsMeta(first.outputs.validation);
  const inSplit = new Set((await all(first.outputs.validation)).map((x) => x.split(":")[2]));
  const sampled: string[] = [];
  for (const lines of boundedSampleLines(first.outputs.validation, meta, Math.floor(meta.bases / 4), 512)) {
    while (lines.next()) sampled.push(lines.line.toString("latin1", lines.lineStart, lines.lineEnd));
    lines.close();
  }
  assert.ok(sampled.length > 0 && sampled.length < meta.count / 2, `${sampled.length} of ${meta.count}`);
  assert.ok(
    sampled.every((x) => inSplit.has(x)),
    "the sample holds only the split's own segments",
  );
  const whole: string[] = [];
  for (const lines of boundedSampleLines(first.outputs.validation, meta)) {
    while (lines.next()) whole.push(lines.line.toString("latin1", lines.lineStart, lines.lineEnd));
    lines.close();
  }
  assert.deepEqual(
    whole,
    (await all(first.outputs.validation)).map((x) => x.split(":")[2]),
  );
});
