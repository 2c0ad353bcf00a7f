// BPE vocabularies past 46,340 tokens (where the pair-validity memo's single int32 key used to overflow) and past
// 65,535 (uint32 shards): training gives HF BpeTrainer's merges, the fast encoder gives HF's ids, encode writes
// uint32 shards that decode to the same ids. Corpus: hg38 chr2 slice + its reverse complement + GUE rows + chrM
// (~4.9 Mbp of real sequence: enough for 70,000 tokens at minFrequency 2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import { fixture } from "../helpers/paths.js";
import train from "../../stages/tokenize/train.js";
import encode from "../../stages/tokenize/encode.js";
import { BacktrackEncoder } from "../../lib/tokenizers/bpe-backtrack.js";
import type { BpeTokenizer } from "../../lib/tokenizers/bpe-model.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { readTokenRows, readTokenShardsMeta } from "../../lib/tokenizers/token-shards-reader.js";
import { encodeWithSpecials } from "../../lib/tokenizers/tokenizer.js";
import { EDGE_CASES, chr2, chrM, cutSegments, gueSequences, writeSegments } from "./data.js";
import { hfEncode, hfTrainBpe } from "./oracle.js";

const COMPLEMENT: Record<string, string> = { A: "T", C: "G", G: "C", T: "A", a: "t", c: "g", g: "c", t: "a" };
const reverseComplement = (s: string) =>
  Array.from(s, (ch) => COMPLEMENT[ch] ?? ch)
    .reverse()
    .join("");
const csvSequences = (f: string) =>
  readFileSync(f, "utf8")
    .split("\n")
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(",")[0]);

const corpus = [
  ...cutSegments(chr2(), 0, 1e9),
  ...cutSegments(reverseComplement(chr2()), 0, 1e9),
  ...gueSequences(),
  ...["dnabert2_sample", "tf/0", "prom/prom_core_tata"].flatMap((t) => csvSequences(fixture("benchmark", "gue", t, "train.csv"))),
  chrM(),
].filter((s) => s.length > 0);
// held-out-ish mix: chr2 pieces (with N and lowercase), GUE rows, chrM, edge cases
const sequences = [...cutSegments(chr2(), 1_500_000, 600), ...gueSequences().slice(0, 400), ...cutSegments(chrM(), 0, 30), ...EDGE_CASES];

function idsOf(tok: BpeTokenizer, seqs: string[], reference: boolean): number[][] {
  const buf = new IdBuffer();
  return seqs.map((s) => {
    buf.clear();
    buf.push(tok.specials.cls);
    if (reference) tok.encodeReference(s, buf);
    else tok.encode(s, buf);
    buf.push(tok.specials.sep);
    return buf.toArray();
  });
}

function firstDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  return a.findIndex((x, i) => JSON.stringify(x) !== JSON.stringify(b[i]));
}

let segmentsDir: Promise<string> | undefined;
const segmentsOnce = () => (segmentsDir ??= writeSegments(corpus));
const trainedDirs = new Map<number, Promise<string>>();
const trainedOnce = (vocabSize: number) => {
  if (!trainedDirs.has(vocabSize)) {
    trainedDirs.set(
      vocabSize,
      segmentsOnce().then(
        async (segments) => (await runStage(train, { params: { kind: "bpe", vocabSize, minFrequency: 2 }, inputs: { segments } })).outputs.tokenizer,
      ),
    );
  }
  return trainedDirs.get(vocabSize)!;
};
// HF's BpeTrainer is greedy, so its 50k merges are the first merges of its 70k run: one HF training serves both
// sizes (the bounded test time matters; HF training is the slow part), while HF encodes with each of our files.
let hf70k: any;
const hfMerges = () => (hf70k ??= hfTrainBpe(corpus, 70_000, 2)).model.merges.map((m: string | string[]) => (Array.isArray(m) ? m.join(" ") : m));

for (const vocabSize of [50_000, 70_000]) {
  test(`BPE vocab ${vocabSize} (minFrequency 2): merges and vocab equal HF BpeTrainer; fast encoder ids equal HF and the reference`, async () => {
    const dir = await trainedOnce(vocabSize);
    const file = join(dir, "tokenizer.json");
    const mine = JSON.parse(readFileSync(file, "utf8")).model;
    assert.equal(Object.keys(mine.vocab).length, vocabSize, "the corpus is large enough to reach the vocab size");
    const merges = hfMerges();
    assert.equal(merges.length, 70_000 - 10, "HF reached 70,000 tokens too");
    assert.deepEqual(mine.merges, merges.slice(0, mine.merges.length));
    const hfVocab = Object.entries(hf70k.model.vocab as Record<string, number>).filter(([, id]) => id < vocabSize);
    assert.deepEqual(mine.vocab, Object.fromEntries(hfVocab));

    const tok = (await loadTokenizer(dir)).tokenizer as BpeTokenizer;
    const fast = tok.fastEncoder();
    assert.ok(fast instanceof BacktrackEncoder, `fast encoder applies: ${fast}`);
    const ours = idsOf(tok, sequences, false);
    const bad = firstDiff(ours, hfEncode(file, sequences));
    assert.equal(bad, -1, `sequence ${bad} '${sequences[bad]?.slice(0, 50)}' differs from HF`);
    assert.equal(firstDiff(ours, idsOf(tok, sequences, true)), -1, "fast == reference");
    assert.ok(
      ours.some((row) => row.some((id) => id >= 46_341)),
      "ids past the old 46,340 limit occur",
    );
    if (vocabSize > 65_535)
      assert.ok(
        ours.some((row) => row.some((id) => id > 65_535)),
        "ids past uint16 occur",
      );
  });
}

test("BPE vocab 70,000: tokenize/encode writes uint32 shards holding the tokenizer's ids", async () => {
  const dir = await trainedOnce(70_000);
  const few = sequences.slice(0, 300).filter((s) => s.length > 0);
  const e = await runStage(encode, { params: { maxLength: 4096, packing: "rows" }, inputs: { tokenizer: dir, segments: await writeSegments(few) } });
  const meta = await readTokenShardsMeta(e.outputs.tokens);
  assert.equal(meta.dtype, "uint32");
  assert.equal(meta.vocabSize, 70_000);
  assert.equal(readFileSync(join(e.outputs.tokens, "tokens.bin")).length, meta.totalTokens * 4);
  const { tokenizer } = await loadTokenizer(dir);
  const rows = await readTokenRows(e.outputs.tokens);
  const buf = new IdBuffer();
  const want = few.map((s) => {
    buf.clear();
    encodeWithSpecials(tokenizer, s, buf);
    return buf.toArray();
  });
  assert.equal(
    firstDiff(
      rows.map((x) => [...x]),
      want,
    ),
    -1,
  );
  assert.ok(
    rows.some((row) => [...row].some((id) => id > 65_535)),
    "an id past uint16 is stored intact",
  );
});
