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
  assert.deepEqual(counts, { train: total - Math.round(total * 0.1) - Math.round(total * 0.05), validation: Math.round(total * 0.1), test: Math.round(total * 0.05) });
  const parts = [...(await all(a.outputs.train)), ...(await all(a.outputs.validation)), ...(await all(a.outputs.test))];
  assert.deepEqual(parts.sort(), (await all(segments)).sort());
  const b = await runStage(split, { params: { validation: 0.1, test: 0.05, seed: 9 }, inputs: { segments } });
  const bytes = (d: string) => readdirSync(d).sort().map((f) => readFileSync(join(d, f), "latin1"));
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

// The split routes raw lines; its bytes must be what decoding every segment and origin and writing them again gives
// (the previous implementation, kept here as the oracle), for fraction and record splits, small shards included.
async function oracleSplit(segments: string, out: string, p: { by: "fraction" | "record"; validation: number; test: number; seed: number; validationRecords: string[]; shardBases: number }) {
  const { FractionAssigner, RecordAssigner } = await import("../../lib/genome/split-assigner.js");
  const { SegmentsWriter, readSegmentsWithOrigins } = await import("../../lib/segments/format.js");
  const meta = await readSegmentsMeta(segments);
  const f = p.by === "fraction" ? new FractionAssigner(meta.count, p.validation, p.test, p.seed) : undefined;
  const r = p.by === "record" ? new RecordAssigner(p.validationRecords, []) : undefined;
  const w = Object.fromEntries(await Promise.all(["train", "validation", "test"].map(async (s) => [s, await new SegmentsWriter(join(out, s), p.shardBases).open()]))) as Record<string, InstanceType<typeof SegmentsWriter>>;
  for await (const { segment: s, origin } of readSegmentsWithOrigins(segments)) await w[f ? f.next() : r!.next(origin!.record)].write(s, origin);
  return w;
}

test("split bytes equal the decode-and-rewrite oracle's, shard files and all", async () => {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const segments = await segmentsDir;
  for (const params of [
    { by: "fraction" as const, validation: 0.1, test: 0.05, seed: 3, validationRecords: [], shardBases: 5000 },
    { by: "record" as const, validation: 0, test: 0, seed: 42, validationRecords: ["chr2"], shardBases: 67108864 },
  ]) {
    const got = await runStage(split, { params, inputs: { segments } });
    const dir = mkdtempSync(join(tmpdir(), "split-oracle-"));
    const writers = await oracleSplit(segments, dir, params);
    for (const s of ["train", "validation", "test"]) {
      await writers[s].close();
      const files = readdirSync(join(dir, s)).sort();
      assert.deepEqual(readdirSync(got.outputs[s]).sort(), files);
      for (const f of files.filter((x) => x !== "meta.json")) assert.ok(readFileSync(join(dir, s, f)).equals(readFileSync(join(got.outputs[s], f))), `${params.by} ${s}/${f}`);
      const m = (d: string) => JSON.parse(readFileSync(join(d, "meta.json"), "utf8"));
      for (const k of ["shards", "count", "bases"]) assert.deepEqual(m(got.outputs[s])[k], m(join(dir, s))[k]);
    }
  }
});
