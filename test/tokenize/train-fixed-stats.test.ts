// tokenize/train for k-mer and single-nucleotide tokenizers: the files Hugging Face loads are pinned (revision 2 only
// changed stats.json), and the stats come from a bounded sample of a large corpus, not from reading all of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import train from "../../stages/tokenize/train.js";
import { SegmentsWriter } from "../../lib/segments/format.js";
import { SAMPLE_MAX_BASES } from "../../lib/segments/bounded-sample.js";
import { chr2Segments, writeSegments } from "./data.js";

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

test("the tokenizer files HF loads are the bytes revision 1 wrote (recorded before the change)", async () => {
  const segments = await writeSegments(chr2Segments(50));
  const got: Record<string, Record<string, string>> = {};
  for (const params of [{ kind: "kmer-overlapping", k: 6 }, { kind: "kmer-nonoverlapping", k: 6 }, { kind: "single-nucleotide" }]) {
    const dir = (await runStage(train, { params, inputs: { segments } })).outputs.tokenizer;
    got[params.kind] = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f !== "stats.json")
        .sort()
        .map((f) => [f, sha(join(dir, f))]),
    );
  }
  assert.deepEqual(got, {
    "kmer-overlapping": {
      "special_tokens_map.json": "af856fe9500d6a61306efc3badbfd1a13171152f8b4b118a0960fc68fd9e6213",
      "tokenizer.json": "9af8be415df4f47c14954b62be2610d78a74f6dd7d90b7f9073a2ae64afb367d",
      "tokenizer_config.json": "256fe95885ffe402b1f3aa68dd3bba8cd8aa706d8e60a67bccc29aace82fd288",
      "vocab.txt": "d8f61c247fc10f9b8c7f6baf4d31876f30076d4aaf9f31ff47b9e68badd62e61",
    },
    "kmer-nonoverlapping": {
      "special_tokens_map.json": "af856fe9500d6a61306efc3badbfd1a13171152f8b4b118a0960fc68fd9e6213",
      "tokenizer.json": "f106b48ad9359ac9212ca4a3c305e5ca63d87d4aef4ea6610105c50733a46dc5",
      "tokenizer_config.json": "256fe95885ffe402b1f3aa68dd3bba8cd8aa706d8e60a67bccc29aace82fd288",
    },
    "single-nucleotide": {
      "special_tokens_map.json": "af856fe9500d6a61306efc3badbfd1a13171152f8b4b118a0960fc68fd9e6213",
      "tokenizer.json": "58e984aa78a2bf5000153e560d98658f1450cb1a8aa0c8dd7e71aa566e2c2ff0",
      "tokenizer_config.json": "256fe95885ffe402b1f3aa68dd3bba8cd8aa706d8e60a67bccc29aace82fd288",
    },
  });
});

test("a corpus larger than the bound: stats from a sample of at most 64 Mbp of whole segments, deterministic", async () => {
  // 72 Mbp of a 1 Mbp pseudo-random sequence cut in 500 bp segments, in 16 MiB shards
  const dir = join(mkdtempSync(join(tmpdir(), "tok-sample-")), "s");
  const w = await new SegmentsWriter(dir, 16 << 20).open();
  const src = Buffer.alloc(1 << 20);
  let x = 12345;
  for (let i = 0; i < src.length; i++) src[i] = "ACGT".charCodeAt(((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 3);
  const total = 72 << 20;
  for (let done = 0; done < total; done += 500) {
    const at = done % (src.length - 500);
    w.append(src, at, at + 500);
    if (done % (1 << 22) === 0) await w.drain();
  }
  const meta = await w.close();
  assert.ok(meta.bases > SAMPLE_MAX_BASES && meta.shards.length >= 4);
  const stats = async () => {
    const r = await runStage(train, { params: { kind: "kmer-nonoverlapping", k: 6 }, inputs: { segments: dir } });
    return JSON.parse(readFileSync(join(r.outputs.tokenizer, "stats.json"), "utf8"));
  };
  const a = await stats();
  assert.ok(a.corpusBases <= SAMPLE_MAX_BASES && a.corpusBases > SAMPLE_MAX_BASES * 0.95, `${a.corpusBases} bases sampled`);
  assert.equal(a.corpusBases % 500, 0, "whole segments only");
  assert.equal(a.corpusSequences, a.corpusBases / 500);
  assert.equal(a.meanBasesPerToken, 5.8824, "500 bp clean segments: 83 six-mers + 2 single bases each");
  assert.deepEqual(a.corpusSample, { artifactSequences: meta.count, artifactBases: meta.bases, maxBases: SAMPLE_MAX_BASES });
  assert.deepEqual(await stats(), a, "the same sample every time");
});
