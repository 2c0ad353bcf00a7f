// Our ids equal Hugging Face tokenizers' ids (Tokenizer.from_file(our tokenizer.json)) for every kind, on real
// sequences (hg38 chr2 segments with N and soft-masked bases, GUE rows, chrM) and edge cases; and our BPE training
// yields exactly the merges of HF's BpeTrainer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import train from "../../stages/tokenize/train.js";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { encodeWithSpecials, type DnaTokenizer } from "../../lib/tokenizers/tokenizer.js";
import { EDGE_CASES, chr2Segments, chrM, cutSegments, gueSequences, writeSegments } from "./data.js";
import { hfEncode, hfTrainBpe } from "./oracle.js";

const trainSegs = chr2Segments(1600);
const sequences = [...chr2Segments(2200).slice(1600), ...gueSequences(), ...cutSegments(chrM(), 3000, 20), ...EDGE_CASES];

function ours(tok: DnaTokenizer, seqs: string[]): number[][] {
  const buf = new IdBuffer();
  return seqs.map((s) => {
    buf.clear();
    encodeWithSpecials(tok, s, buf);
    return buf.toArray();
  });
}

function assertSameIds(kind: string, ourIds: number[][], hf: number[][], seqs: string[]): void {
  assert.equal(hf.length, seqs.length);
  const bad = seqs.findIndex((_, i) => JSON.stringify(ourIds[i]) !== JSON.stringify(hf[i]));
  assert.equal(
    bad,
    -1,
    `${kind}: sequence ${bad} '${seqs[bad]?.slice(0, 60)}' differs: ours ${JSON.stringify(ourIds[bad]?.slice(0, 20))} HF ${JSON.stringify(hf[bad]?.slice(0, 20))}`,
  );
}

async function trained(params: Record<string, unknown>, segs?: string[]) {
  const inputs = segs ? { segments: await writeSegments(segs) } : undefined;
  const r = await runStage(train, { params, inputs });
  const dir = r.outputs.tokenizer;
  return { dir, file: join(dir, "tokenizer.json"), ...(await loadTokenizer(dir)), meta: r.meta };
}

test("the parity set holds >= 1000 real sequences, some with N and some lowercase", () => {
  assert.ok(sequences.length - EDGE_CASES.length >= 1000, `${sequences.length}`);
  assert.ok(
    sequences.some((s) => s.length > 200 && /N/.test(s)),
    "a chr2 segment with N",
  );
  assert.ok(
    sequences.some((s) => /[acgt]/.test(s)),
    "soft-masked bases",
  );
});

for (const params of [
  { kind: "kmer-overlapping", k: 6 },
  { kind: "kmer-overlapping", k: 3 },
  { kind: "kmer-nonoverlapping", k: 6 },
  { kind: "single-nucleotide" },
]) {
  test(`${JSON.stringify(params)}: ids equal HF tokenizers on ${sequences.length} sequences`, async () => {
    const t = await trained(params);
    assertSameIds(params.kind, ours(t.tokenizer, sequences), hfEncode(t.file, sequences), sequences);
  });
}

test("kmer-overlapping k=6 has DNABERT's 4101-token layout (ids of its released vocab.txt)", async () => {
  const t = await trained({ kind: "kmer-overlapping" });
  const vocab = JSON.parse(readFileSync(t.file, "utf8")).model.vocab;
  assert.equal(Object.keys(vocab).length, 4101);
  assert.deepEqual([vocab["[PAD]"], vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"], vocab["[MASK]"]], [0, 1, 2, 3, 4]);
  assert.deepEqual([vocab.AAAAAA, vocab.AAAAAT, vocab.AAAAAC, vocab.AAAAAG, vocab.AAAATA, vocab.GGGGGG], [5, 6, 7, 8, 9, 4100]);
});

test("kmer-overlapping vocabOrder: lexicographic keeps the ACGT order (AAAAAC = 6 … TTTTTT = 4100), HF ids equal", async () => {
  const t = await trained({ kind: "kmer-overlapping", k: 6, vocabOrder: "lexicographic" });
  const vocab = JSON.parse(readFileSync(t.file, "utf8")).model.vocab;
  assert.deepEqual([vocab.AAAAAA, vocab.AAAAAC, vocab.AAAAAG, vocab.AAAAAT, vocab.TTTTTT], [5, 6, 7, 8, 4100]);
  assert.equal((t.tokenizer as { order?: string }).order, "lexicographic", "the order is recognised when the file is loaded");
  assertSameIds("kmer-lexicographic", ours(t.tokenizer, sequences), hfEncode(t.file, sequences), sequences);
});

test("BPE (vocab 4096, minFrequency 4): merges and vocab identical to HF BpeTrainer, encode ids identical", async () => {
  const t = await trained({ kind: "bpe", vocabSize: 4096, minFrequency: 4 }, trainSegs);
  const hf = hfTrainBpe(trainSegs, 4096, 4);
  const mine = JSON.parse(readFileSync(t.file, "utf8")).model;
  const hfMerges = hf.model.merges.map((m: string | string[]) => (Array.isArray(m) ? m.join(" ") : m));
  assert.equal(Object.keys(mine.vocab).length, 4096);
  assert.ok(mine.merges.length >= 4096 - 10, `${mine.merges.length} merges`);
  assert.deepEqual(mine.merges, hfMerges);
  assert.deepEqual(mine.vocab, hf.model.vocab);
  assertSameIds("bpe", ours(t.tokenizer, sequences), hfEncode(t.file, sequences), sequences);
});

test("BPE (vocab 1024, minFrequency 2) on GUE + chrM with N: identical merges; N is a token, other codes [UNK]", async () => {
  const corpus = [...gueSequences(), ...cutSegments(chrM(), 0, 40)];
  assert.ok(
    corpus.some((s) => s.includes("N")),
    "corpus holds chrM's N",
  );
  const t = await trained({ kind: "bpe", vocabSize: 1024, minFrequency: 2 }, corpus);
  const hf = hfTrainBpe(corpus, 1024, 2);
  const mine = JSON.parse(readFileSync(t.file, "utf8")).model;
  assert.deepEqual(
    mine.merges,
    hf.model.merges.map((m: string | string[]) => (Array.isArray(m) ? m.join(" ") : m)),
  );
  assert.deepEqual(mine.vocab, hf.model.vocab);
  assert.deepEqual(
    ["A", "C", "G", "N", "T"].map((c) => mine.vocab[c]),
    [5, 6, 7, 8, 9],
    "alphabet sorted by code point after the specials",
  );
  const buf = new IdBuffer();
  t.tokenizer.encode("RN", buf);
  assert.deepEqual(buf.toArray(), [1, 8], "IUPAC R is [UNK], N its own token");
  assertSameIds("bpe-1024", ours(t.tokenizer, sequences), hfEncode(t.file, sequences), sequences);
});
