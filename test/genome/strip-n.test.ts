import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readFragmentsMeta } from "../../lib/genome/fragments-format.js";
import stripN from "../../stages/genome/strip-n.js";
import { runStage } from "../helpers/stage-harness.js";
import { CHR2, CHRM, fragmentsOf, parseAll, tempFile } from "./helpers.js";

test("chr2 fixture: one fragment with exactly the .fai length minus the 10 kb N run", async () => {
  const length = Number(readFileSync(CHR2 + ".fai", "utf8").split("\t")[1]);
  const { outputs, meta } = await runStage(stripN, { inputs: { fasta: CHR2 } });
  const frags = await fragmentsOf(outputs.fragments);
  assert.equal(frags.length, 1);
  assert.equal(frags[0].record, "chr2");
  assert.equal(frags[0].start, 10_000);
  assert.equal(frags[0].seq.length, length - 10_000);
  assert.match(frags[0].seq, /^[ACGT]+$/);
  assert.equal(meta.basesKept, length - 10_000);
  assert.equal(meta.basesDroppedN, 10_000);
  assert.deepEqual(meta.records, [{ name: "chr2", length, n: 10_000, softMasked: 831_507, kept: true }]);
  const m = await readFragmentsMeta(outputs.fragments);
  assert.equal(readFileSync(join(outputs.fragments, m.shards[0].bed), "utf8"), `chr2\t10000\t${length}\n`);
  assert.equal(readFileSync(join(outputs.fragments, m.shards[0].file), "latin1"), `>chr2:10001\n${frags[0].seq}\n`);
});

test("chrM splits at its single N into 3106 + 13462 bases; minLength drops the short one", async () => {
  const all = await fragmentsOf((await runStage(stripN, { params: { minLength: 1 }, inputs: { fasta: CHRM } })).outputs.fragments);
  assert.deepEqual(
    all.map((f) => [f.record, f.start, f.seq.length]),
    [
      ["chrM:1-16569", 0, 3106],
      ["chrM:1-16569", 3107, 13462],
    ],
  );
  const seq = parseAll(readFileSync(CHRM)).seqs.get("chrM:1-16569")!;
  assert.equal(all[0].seq + "N" + all[1].seq, seq, "fragments are the record's bases at their coordinates");
  const { outputs, meta } = await runStage(stripN, { params: { minLength: 5000 }, inputs: { fasta: CHRM } });
  assert.deepEqual(
    (await fragmentsOf(outputs.fragments)).map((f) => f.start),
    [3107],
  );
  assert.equal(meta.basesDroppedShort, 3106);
  assert.equal(meta.fragmentsDroppedShort, 1);
});

test("include/exclude regexes pick records; N runs at ends and in the middle; shards rotate", async () => {
  const fa = [
    ">NC_000001.11 chr1",
    "NNACGTACGTNNNNGGGGCCCCAATTNN",
    ">NC_000001.11_alt",
    "ACGTACGTAC",
    ">chrUn_KI270302v1",
    "ACGTACGTACGT",
    ">NC_000002.12",
    "TTTTTTTTTT",
  ].join("\n");
  const path = tempFile("g.fa", fa + "\n");
  const { outputs, meta } = await runStage(stripN, {
    params: { minLength: 4, include: ["^NC_0000"], exclude: ["_alt$"], shardBases: 5 },
    inputs: { fasta: path },
  });
  const frags = await fragmentsOf(outputs.fragments);
  assert.deepEqual(
    frags.map((f) => [f.record, f.start, f.seq]),
    [
      ["NC_000001.11", 2, "ACGTACGT"],
      ["NC_000001.11", 14, "GGGGCCCCAATT"],
      ["NC_000002.12", 0, "TTTTTTTTTT"],
    ],
  );
  assert.equal((await readFragmentsMeta(outputs.fragments)).shards.length, 3);
  assert.equal(meta.recordsKept, 2);
  assert.equal(meta.basesInDroppedRecords, 22);
  assert.equal(meta.basesDroppedN, 8);
});

test("same input, same fragments bytes (gzip or plain)", async () => {
  const a = await runStage(stripN, { inputs: { fasta: CHRM } });
  const b = await runStage(stripN, { inputs: { fasta: tempFile("m.fa.gz", readFileSync(CHRM)) } });
  const bytes = (dir: string) => readFileSync(join(dir, "part-00000.fa"));
  assert.ok(bytes(a.outputs.fragments).equals(bytes(b.outputs.fragments)));
});

test("keepSoftMask: lowercase kept in fragments, and lowercase n still splits", async () => {
  const path = tempFile("sm.fa", ">r\nACGTacgtnnnnACGTACGT\n");
  const { outputs } = await runStage(stripN, { params: { minLength: 1, keepSoftMask: true }, inputs: { fasta: path } });
  assert.deepEqual(
    (await fragmentsOf(outputs.fragments)).map((f) => [f.start, f.seq]),
    [
      [0, "ACGTacgt"],
      [12, "ACGTACGT"],
    ],
  );
});

test("an aborted run stops with the abort, not a result", async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(runStage(stripN, { inputs: { fasta: CHR2 }, signal: ac.signal }), /abort/i);
});
