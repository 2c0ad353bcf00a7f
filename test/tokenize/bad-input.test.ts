// Bad input fails with a message naming the problem, and nothing is published.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import train from "../../stages/tokenize/train.js";
import encode from "../../stages/tokenize/encode.js";
import { parseTokenizerJson } from "../../lib/tokenizers/tokenizer-file.js";
import { createFixedTokenizer } from "../../lib/tokenizers/create.js";
import { chr2Segments, writeSegments } from "./data.js";

test("unknown tokenizer kind is a params error listing the kinds", async () => {
  await assert.rejects(
    runStage(train, { params: { kind: "wordpiece" } }),
    /\/kind: must be one of "bpe", "kmer-overlapping", "kmer-nonoverlapping", "single-nucleotide"/,
  );
  assert.throws(() => createFixedTokenizer("wordpiece", 6, []), /unknown tokenizer kind 'wordpiece'/);
});

test("k out of range, and k on a kind without k, are params errors", async () => {
  await assert.rejects(runStage(train, { params: { kind: "kmer-overlapping", k: 7 } }), /\/k: must be <= 6/);
  await assert.rejects(runStage(train, { params: { kind: "kmer-overlapping", k: 2 } }), /\/k: must be >= 3/);
  await assert.rejects(runStage(train, { params: { kind: "bpe", k: 6 } }), /\/k: boolean schema is false/);
  assert.throws(() => createFixedTokenizer("kmer-nonoverlapping", 9, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]), /k = 9 is out of range 3\.\.6/);
});

test("vocab smaller than the alphabet + specials is rejected before training; bpe needs segments", async () => {
  const segments = await writeSegments(chr2Segments(5));
  await assert.rejects(runStage(train, { params: { kind: "bpe", vocabSize: 8 }, inputs: { segments } }), /\/vocabSize: must be >= 10/);
  await assert.rejects(
    runStage(train, {
      params: { kind: "bpe", vocabSize: 10, specialTokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[BOS]", "[EOS]"] },
      inputs: { segments },
    }),
    /params\.vocabSize 10 is smaller than the 7 special tokens \+ 4 bases \(11\)/,
  );
  await assert.rejects(runStage(train, { params: { kind: "bpe" } }), /kind bpe needs the 'segments' input/);
  await assert.rejects(
    runStage(train, { params: { kind: "single-nucleotide", specialTokens: ["a", "b", "c", "d", "e"] } }),
    /params\.specialTokens: special tokens must include \[PAD\]/,
  );
});

async function tokenizerDir(): Promise<string> {
  return (await runStage(train, { params: { kind: "kmer-overlapping", k: 4 } })).outputs.tokenizer;
}

test("corrupted tokenizer.json: clear errors naming the file and field, no output", async () => {
  const good = readFileSync(join(await tokenizerDir(), "tokenizer.json"), "utf8");
  assert.throws(() => parseTokenizerJson(good.slice(0, 500), "t.json"), /t\.json: not valid JSON/);
  const j = JSON.parse(good);
  j.model.vocab.AAAA = 7;
  assert.throws(() => parseTokenizerJson(JSON.stringify(j), "t.json"), /t\.json: model\.vocab: id 7 is used twice/);
  const k = JSON.parse(good);
  k.model.type = "Unigram";
  assert.throws(
    () => parseTokenizerJson(JSON.stringify(k), "t.json"),
    /model type 'Unigram' with pre_tokenizer 'WhitespaceSplit' is not a dnaflow tokenizer kind/,
  );
  const m = JSON.parse(good);
  m.model.vocab = Object.fromEntries(Object.entries(m.model.vocab).map(([t, i]) => [t === "ACGT" ? "ACGA" : t, i]));
  delete m.model.vocab.ACGT;
  assert.throws(
    () => parseTokenizerJson(JSON.stringify(m), "t.json"),
    /model\.vocab: id \d+ is missing|id \d+ is 'ACGA', the kmer-overlapping layout has 'ACGT'/,
  );

  const dir = join(mkdtempSync(join(tmpdir(), "tok-bad-")), "tok");
  cpSync(await tokenizerDir(), dir, { recursive: true });
  writeFileSync(join(dir, "tokenizer.json"), good.slice(0, 100));
  const segments = await writeSegments(chr2Segments(3));
  const work = mkdtempSync(join(tmpdir(), "tok-run-"));
  await assert.rejects(runStage(encode, { params: {}, inputs: { tokenizer: dir, segments }, dir: work }), /tokenizer\.json: not valid JSON/);
  assert.equal(existsSync(join(work, "outputs", "tokens")), false, "nothing written");
});

test("a tokenizer.json altered after training no longer matches the digest in stats.json", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "tok-alt-")), "tok");
  cpSync(await tokenizerDir(), dir, { recursive: true });
  const j = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
  j.decoder = { type: "Fuse" };
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(j));
  const segments = await writeSegments(chr2Segments(3));
  await assert.rejects(
    runStage(encode, { params: {}, inputs: { tokenizer: dir, segments } }),
    /tokenizer\.json: sha256 [0-9a-f]{12}… does not match tokenizerDigest [0-9a-f]{12}… in .*stats\.json/,
  );
});

test("encode needs exactly one of segments / sequences", async () => {
  await assert.rejects(
    runStage(encode, { params: {}, inputs: { tokenizer: await tokenizerDir() } }),
    /bind exactly one of the inputs 'segments' and 'sequences'/,
  );
});
