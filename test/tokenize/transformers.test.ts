// transformers' PreTrainedTokenizerFast(tokenizer_file=...) and AutoTokenizer.from_pretrained(dir) load our
// tokenizers, give the same ids, and keep [MASK]/[CLS]/[SEP] ids.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runStage } from "../helpers/stage-harness.js";
import train from "../../stages/tokenize/train.js";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { encodeWithSpecials } from "../../lib/tokenizers/tokenizer.js";
import { chr2Segments, gueSequences, writeSegments } from "./data.js";
import { transformersCheck } from "./oracle.js";

const seqs = gueSequences().slice(0, 20);

for (const params of [{ kind: "bpe", vocabSize: 600 }, { kind: "kmer-overlapping", k: 6 }, { kind: "kmer-nonoverlapping" }, { kind: "single-nucleotide" }]) {
  test(`transformers loads ${params.kind} and round-trips the special ids`, async () => {
    const inputs = params.kind === "bpe" ? { segments: await writeSegments(chr2Segments(300)) } : undefined;
    const dir = (await runStage(train, { params, inputs })).outputs.tokenizer;
    const { tokenizer } = await loadTokenizer(dir);
    const r = transformersCheck(dir, seqs);
    const ids = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };
    assert.deepEqual(r.special_ids, ids);
    assert.deepEqual(r.attr_ids, { mask: 4, cls: 2, sep: 3, pad: 0 });
    assert.deepEqual(r.auto_attr_ids, { mask: 4, cls: 2, sep: 3, pad: 0 });
    const buf = new IdBuffer();
    const ours = seqs.map((s) => (buf.clear(), encodeWithSpecials(tokenizer, s, buf), buf.toArray()));
    assert.deepEqual(r.ids, ours);
    assert.deepEqual(r.auto_ids, ours);
    assert.equal(r.mask_in_text[0], 4, "[MASK] written in the text is the mask id");
    assert.ok(r.masked_roundtrip.includes(4), "decode -> encode keeps [MASK]");
  });
}
