// Overlapping k-mer ids are DNABERT's: vocab.txt is byte-identical to DNABERT's released
// bert-config-{3,4}/vocab.txt (test/fixtures/tokenize/dnabert, copied from jerryji1993/DNABERT), has the released
// sizes and known ids for k = 5, 6, is generated here independently from DNABERT's documented rule (specials, then
// base 4 over A T C G), and BertTokenizer(vocab.txt) — how DNABERT loads it — gives our ids.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import { fixture } from "../helpers/paths.js";
import train from "../../stages/tokenize/train.js";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { encodeWithSpecials } from "../../lib/tokenizers/tokenizer.js";
import { EDGE_CASES, chr2Segments, gueSequences } from "./data.js";
import { bertVocabEncode, hfEncode } from "./oracle.js";

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/** DNABERT's rule, written out independently of lib/: every k-mer over "ATCG" in nested-loop order. */
function dnabertTokens(k: number): string[] {
  let out = [""];
  for (let i = 0; i < k; i++) out = out.flatMap((p) => [..."ATCG"].map((b) => p + b));
  return out;
}

const RELEASED_BYTES: Record<number, number> = { 3: 286, 4: 1310, 5: 6174, 6: 28703 };

async function kmerDir(params: Record<string, unknown>) {
  return (await runStage(train, { params: { kind: "kmer-overlapping", ...params } })).outputs.tokenizer;
}

for (const k of [3, 4, 5, 6]) {
  test(`k=${k}: vocab.txt has DNABERT's bytes and tokenizer.json the same ids`, async () => {
    const dir = await kmerDir({ k });
    const txt = readFileSync(join(dir, "vocab.txt"), "utf8");
    const tokens = [...SPECIALS, ...dnabertTokens(k)];
    // the released k = 6 file ends with a newline, the k = 3, 4, 5 files do not
    assert.equal(txt, tokens.join("\n") + (k === 6 ? "\n" : ""));
    assert.equal(Buffer.byteLength(txt), RELEASED_BYTES[k]);
    if (k <= 4)
      assert.ok(
        readFileSync(join(dir, "vocab.txt")).equals(readFileSync(fixture("tokenize", "dnabert", `bert-config-${k}-vocab.txt`))),
        "byte-identical to the released file",
      );
    const vocab = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")).model.vocab;
    assert.deepEqual(
      Object.entries(vocab)
        .sort((a, b) => (a[1] as number) - (b[1] as number))
        .map(([t]) => t),
      tokens,
    );
  });
}

test("k=6: known ids of DNABERT's released vocab (AAAAAA=5 … GGGGGG=4100)", async () => {
  const { tokenizer } = await loadTokenizer(await kmerDir({ k: 6 }));
  const id = (t: string) => tokenizer.vocab.indexOf(t);
  assert.deepEqual(
    ["AAAAAA", "AAAAAT", "AAAAAC", "AAAAAG", "AAAATA", "AAATAA", "ATAAAA", "TAAAAA", "CAAAAA", "GAAAAA", "GGGGGG"].map(id),
    [5, 6, 7, 8, 9, 21, 261, 1029, 2053, 3077, 4100],
  );
  const buf = new IdBuffer();
  tokenizer.encode("AAAAAATC", buf);
  assert.deepEqual(buf.toArray(), [5, 5 + 1, 5 + 4 * 1 + 2], "AAAAAA AAAAAT AAAATC");
});

test("BertTokenizer(vocab.txt) on seq2kmer text (DNABERT's loader) gives dnaflow's ids and tokenizer.json's", async () => {
  // BertTokenizer's basic tokenizer splits at punctuation ('-'), so the comparison uses letters only (N, IUPAC kept)
  const seqs = [...chr2Segments(150), ...gueSequences().slice(0, 150), ...EDGE_CASES.filter((s) => /^[A-Za-z]*$/.test(s))];
  for (const k of [3, 6]) {
    const dir = await kmerDir({ k });
    const { tokenizer } = await loadTokenizer(dir);
    const buf = new IdBuffer();
    const ours = seqs.map((s) => {
      buf.clear();
      encodeWithSpecials(tokenizer, s.toUpperCase(), buf);
      return buf.toArray();
    });
    const upper = seqs.map((s) => s.toUpperCase());
    assert.deepEqual(bertVocabEncode(join(dir, "vocab.txt"), k, upper), ours, `k=${k}: BertTokenizer`);
    assert.deepEqual(hfEncode(join(dir, "tokenizer.json"), upper), ours, `k=${k}: tokenizers`);
  }
});

test("vocabOrder: lexicographic writes its own vocab.txt (ACGT order, one token per line)", async () => {
  const dir = await kmerDir({ k: 3, vocabOrder: "lexicographic" });
  const lines = readFileSync(join(dir, "vocab.txt"), "utf8").split("\n");
  assert.deepEqual(lines.slice(0, 9), [...SPECIALS, "AAA", "AAC", "AAG", "AAT"]);
  assert.equal(lines.length, 5 + 64 + 1, "ends with a newline");
});

test("vocabOrder is refused on other kinds", async () => {
  await assert.rejects(runStage(train, { params: { kind: "kmer-nonoverlapping", vocabOrder: "dnabert" } }), /vocabOrder/);
});
