// tokenize/encode: token shards byte layout, packing modes, determinism, labels, and the tokenizer digest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import { fixture } from "../helpers/paths.js";
import train from "../../stages/tokenize/train.js";
import encode from "../../stages/tokenize/encode.js";
import { readTokenRows, readTokenShardsMeta, verifyShardsTokenizer } from "../../lib/tokenizers/token-shards-reader.js";
import { chr2Segments, writeSegments } from "./data.js";
import { createHash } from "node:crypto";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { encodeWithSpecials } from "../../lib/tokenizers/tokenizer.js";

const segs = chr2Segments(200);

async function setup(params: Record<string, unknown>) {
  const segments = await writeSegments(segs);
  const tok = await runStage(train, { params, inputs: { segments } });
  return { segments, tokenizer: tok.outputs.tokenizer, stats: JSON.parse(readFileSync(join(tok.outputs.tokenizer, "stats.json"), "utf8")) };
}

test("blocks: every row is maxLength tokens of [CLS] seq [SEP] concatenated; bytes are uint16 LE + uint64 LE offsets", async () => {
  const { segments, tokenizer } = await setup({ kind: "kmer-overlapping", k: 6 });
  const r = await runStage(encode, { params: { maxLength: 512 }, inputs: { tokenizer, segments } });
  const dir = r.outputs.tokens;
  const meta = await readTokenShardsMeta(dir);
  const totalIds = segs.reduce((a, s) => a + s.length - 5 + 2, 0);
  assert.equal(meta.dtype, "uint16");
  assert.equal(meta.packing, "blocks");
  assert.equal(meta.count, Math.floor(totalIds / 512));
  assert.equal(meta.droppedTokens, totalIds % 512);
  assert.equal(meta.totalTokens, meta.count * 512);
  assert.equal(readFileSync(join(dir, "tokens.bin")).length, meta.totalTokens * 2);
  const index = readFileSync(join(dir, "index.bin"));
  assert.equal(index.length, (meta.count + 1) * 8);
  assert.equal(index.readBigUInt64LE(8 * 3), 3n * 512n);
  const rows = await readTokenRows(dir);
  assert.equal(rows[0][0], 2, "[CLS] opens the first block");
  assert.equal(rows[0][1], 1, "then [UNK]: the first segment starts inside chr2's leading N run");
  const { tokenizer: tok } = await loadTokenizer(tokenizer);
  const all = new IdBuffer();
  for (const s of segs) encodeWithSpecials(tok, s, all);
  assert.deepEqual(
    rows.flatMap((r) => [...r]),
    all.toArray().slice(0, meta.totalTokens),
    "blocks = the concatenation, cut",
  );
  assert.equal(
    meta.tokenizerDigest,
    createHash("sha256")
      .update(readFileSync(join(tokenizer, "tokenizer.json")))
      .digest("hex"),
  );
});

test("rows: one sequence per row, truncated to maxLength with [SEP] kept; same inputs give the same bytes", async () => {
  const { segments, tokenizer } = await setup({ kind: "bpe", vocabSize: 512, minFrequency: 2 });
  const run = () => runStage(encode, { params: { maxLength: 128, packing: "rows" }, inputs: { tokenizer, segments } });
  const a = await run();
  const b = await run();
  for (const f of ["tokens.bin", "index.bin", "meta.json"]) {
    assert.ok(readFileSync(join(a.outputs.tokens, f)).equals(readFileSync(join(b.outputs.tokens, f))), `${f} is deterministic`);
  }
  const meta = await readTokenShardsMeta(a.outputs.tokens);
  const rows = await readTokenRows(a.outputs.tokens);
  assert.equal(meta.count, segs.length);
  assert.ok(meta.truncatedRows > 0);
  for (const row of rows) {
    assert.ok(row.length <= 128);
    assert.equal(row[0], 2);
    assert.equal(row[row.length - 1], 3);
  }
});

test("CSV sequences with labels: rows + labels.bin (int32 LE)", async () => {
  const { tokenizer } = await setup({ kind: "single-nucleotide" });
  const csv = fixture("tokenize", "gue", "prom_core_tata_test.csv");
  const r = await runStage(encode, { params: { packing: "rows", maxLength: 80 }, inputs: { tokenizer, sequences: csv } });
  const meta = await readTokenShardsMeta(r.outputs.tokens);
  const lines = readFileSync(csv, "utf8").trim().split("\n").slice(1);
  assert.equal(meta.count, lines.length);
  assert.equal(meta.labels, true);
  const labels = readFileSync(join(r.outputs.tokens, "labels.bin"));
  assert.equal(labels.length, 4 * lines.length);
  assert.deepEqual(
    [0, 1, 2, lines.length - 1].map((i) => labels.readInt32LE(4 * i)),
    [0, 1, 2, lines.length - 1].map((i) => Number(lines[i].split(",")[1])),
  );
  const rows = await readTokenRows(r.outputs.tokens);
  assert.equal(rows[0].length, 72, "70 bp + [CLS] + [SEP]");
});

test("shards paired with another tokenizer are rejected, naming both digests", async () => {
  const a = await setup({ kind: "kmer-overlapping", k: 6 });
  const b = await setup({ kind: "kmer-overlapping", k: 5 });
  const r = await runStage(encode, { params: {}, inputs: { tokenizer: a.tokenizer, segments: a.segments } });
  await verifyShardsTokenizer(r.outputs.tokens, a.tokenizer);
  await assert.rejects(
    verifyShardsTokenizer(r.outputs.tokens, b.tokenizer),
    /tokenizerDigest [0-9a-f]{12}… does not match .*tokenizer\.json \(sha256 [0-9a-f]{12}…\): these shards were encoded with another tokenizer/,
  );
});

test("train stats: vocab, mean bp/token and token-length histograms", async () => {
  const { stats } = await setup({ kind: "kmer-nonoverlapping", k: 6 });
  assert.equal(stats.vocabSize, 5 + 4096 + 5);
  assert.equal(stats.vocabTokenLengths["6"], 4096);
  assert.equal(stats.vocabTokenLengths["1"], 5);
  assert.ok(stats.meanBasesPerToken > 5 && stats.meanBasesPerToken <= 6, `${stats.meanBasesPerToken}`);
  assert.equal(
    stats.corpusBases,
    segs.reduce((a, s) => a + s.length, 0),
  );
  assert.match(stats.tokenizerDigest, /^[0-9a-f]{64}$/);
});

test("train stats of k-mer and single-nucleotide tokenizers (a byte scan) equal encoding every segment", async () => {
  const { StatsCollector } = await import("../../lib/tokenizers/corpus-stats.js");
  const { createFixedTokenizer } = await import("../../lib/tokenizers/create.js");
  // Clean segments of many lengths, soft-masked ones, and ones with N and IUPAC codes (encoded, not scanned).
  const mixed = [
    ...segs.slice(0, 60),
    ...segs.slice(60, 80).map((s) => s.slice(0, 100).toLowerCase() + s.slice(100)),
    "ACGTNNACGTACGTAC",
    "ACGRTACGTACGTTT",
    "AC",
    "acgtn",
    ...segs.slice(80, 90).map((s) => s.slice(0, 37)),
  ];
  const segments = await writeSegments(mixed);
  for (const params of [{ kind: "kmer-overlapping", k: 6 }, { kind: "kmer-nonoverlapping", k: 3 }, { kind: "single-nucleotide" }]) {
    const r = await runStage(train, { params, inputs: { segments } });
    const got = JSON.parse(readFileSync(join(r.outputs.tokenizer, "stats.json"), "utf8"));
    const tok = createFixedTokenizer(params.kind, (params as { k?: number }).k ?? 0, got.specialTokens ?? ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
    const oracle = new StatsCollector(tok);
    const buf = new IdBuffer();
    for (const s of mixed) {
      buf.clear();
      tok.encode(s, buf);
      oracle.add(s.length, buf);
    }
    const { tokenizerDigest, ...rest } = got;
    assert.match(tokenizerDigest, /^[0-9a-f]{64}$/);
    assert.deepEqual(rest, oracle.result(), params.kind);
    assert.ok(rest.corpusTokenLengths["[UNK]"] > 0 || params.kind !== "kmer-overlapping");
  }
});

test("encode with cpus 1 and 3 writes the same bytes, for every tokenizer kind (worker threads)", async () => {
  // chr2 (~2.3 Mbp) in 256–1024 bp pieces, shards of 256 KB: several tasks in flight at once, results appended in order.
  const { cutSegments, chr2 } = await import("./data.js");
  const many = cutSegments(chr2(), 256, 100_000);
  const segments = await writeSegments(many);
  for (const params of [{ kind: "kmer-overlapping", k: 6 }, { kind: "single-nucleotide" }, { kind: "bpe", vocabSize: 200 }]) {
    const tok = (await runStage(train, { params, inputs: { segments } })).outputs.tokenizer;
    for (const packing of ["blocks", "rows"]) {
      const one = await runStage(encode, { params: { maxLength: 128, packing }, inputs: { tokenizer: tok, segments }, cpus: 1 });
      const three = await runStage(encode, { params: { maxLength: 128, packing }, inputs: { tokenizer: tok, segments }, cpus: 3 });
      for (const f of ["tokens.bin", "index.bin", "meta.json"]) {
        assert.ok(readFileSync(join(one.outputs.tokens, f)).equals(readFileSync(join(three.outputs.tokens, f))), `${params.kind} ${packing} ${f}`);
      }
      assert.equal((await readTokenShardsMeta(one.outputs.tokens)).sequences, many.filter((s) => s.length).length);
    }
  }
});

test("encode stops at cancellation with worker threads running (and names a missing shard)", async () => {
  const { cutSegments, chr2 } = await import("./data.js");
  const { rmSync } = await import("node:fs");
  const segments = await writeSegments(cutSegments(chr2(), 256, 100_000));
  const tokenizer = (await runStage(train, { params: { kind: "single-nucleotide" }, inputs: { segments } })).outputs.tokenizer;
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(runStage(encode, { params: {}, inputs: { tokenizer, segments }, cpus: 2, signal: ac.signal }), { name: "AbortError" });
  rmSync(join(segments, "part-00003.seq"));
  for (const cpus of [1, 2]) await assert.rejects(runStage(encode, { params: {}, inputs: { tokenizer, segments }, cpus }), /part-00003\.seq/, `cpus ${cpus}`);
});
