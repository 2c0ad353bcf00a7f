// The fast BPE encoder's ids equal Hugging Face tokenizers' on the inputs where a linear-time encoder could go
// wrong: long words (up to 200 kbp), tandem repeats and homopolymers, random DNA, N / IUPAC codes / case changes at
// every offset near chunk sizes, and adversarial random vocabularies loaded into HF from our tokenizer.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktrackEncoder } from "../../lib/tokenizers/bpe-backtrack.js";
import type { BpeTokenizer } from "../../lib/tokenizers/bpe-model.js";
import { tokenizerJsonText } from "../../lib/tokenizers/hf-json.js";
import { encodeWithSpecials } from "../../lib/tokenizers/tokenizer.js";
import { chr2, chr2Segments, chrM } from "./data.js";
import { boundaryInputs, bpeFromMerges, encodeAll, firstDifference, randomDna, randomMerges, repeatInputs, rng, trainedBpe } from "./bpe-vocabs.js";
import { hfEncode } from "./oracle.js";

function assertSameAsHf(name: string, tok: BpeTokenizer, seqs: string[]): void {
  assert.ok(tok.fastEncoder() instanceof BacktrackEncoder, `${name}: the fast encoder is in use`);
  const file = join(mkdtempSync(join(tmpdir(), "bpe-fast-hf-")), "tokenizer.json");
  writeFileSync(file, tokenizerJsonText(tok));
  const ours = encodeAll(seqs, (s, out) => encodeWithSpecials(tok, s, out));
  const hf = hfEncode(file, seqs);
  const bad = firstDifference(ours, hf);
  assert.equal(
    bad,
    -1,
    `${name}: sequence ${bad} (${seqs[bad]?.length} bp '${seqs[bad]?.slice(0, 40)}…') ours ${ours[bad]?.slice(0, 12)} HF ${hf[bad]?.slice(0, 12)}`,
  );
}

const rand = rng(99);
const inputs = [
  chr2().slice(100_000, 300_000), // 200 kbp, soft-masked runs and all
  chr2().slice(1_500_000, 1_600_000).toUpperCase(),
  chrM(),
  ...Array.from({ length: 20 }, (_, i) => chr2().slice(400_000 + i * 20_000, 400_000 + i * 20_000 + 5_000 + i * 700)),
  ...repeatInputs(21),
  ...boundaryInputs(chr2().slice(700_000, 701_100)),
  ...Array.from({ length: 200 }, () => randomDna(rand, 1 + Math.floor(rand() * 3000))),
  "A".repeat(20_000),
  "AC".repeat(10_000),
  "AAT".repeat(5_000) + "N" + "GGGGC".repeat(3_000),
];

test(`BPE vocab 4096 (chr2): ids equal HF on ${inputs.length} long, repeat, boundary and random sequences`, () => {
  const tok = trainedBpe(chr2Segments(2000), 4096, 4);
  assertSameAsHf("bpe-4096", tok, inputs);
});

test("BPE vocab 512 trained on repeats: ids equal HF", () => {
  const tok = trainedBpe([...repeatInputs(1), ...repeatInputs(2), ...chr2Segments(200)], 512);
  assertSameAsHf("bpe-repeats", tok, inputs);
});

test("20 adversarial random vocabularies loaded into HF: ids equal HF", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const tok = bpeFromMerges(randomMerges(seed * 101, 50 + seed * 20, true));
    const r = rng(seed);
    assertSameAsHf(`random-${seed}`, tok, [...Array.from({ length: 40 }, () => randomDna(r, 1 + Math.floor(r() * 2000))), ...repeatInputs(seed).slice(0, 60)]);
  }
});
