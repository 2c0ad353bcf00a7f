// The byte path (encodeBytes: ids straight from segment bytes) gives exactly the string path's ids, for every kind
// that has it, on the inputs where the two could differ: case, N runs, other IUPAC codes and odd bytes, empty input,
// sequences shorter than k, a range that does not start at byte 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createFixedTokenizer } from "../../lib/tokenizers/create.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { DEFAULT_SPECIAL_TOKENS } from "../../lib/tokenizers/alphabet.js";
import { encodeBytesWithSpecials, encodeWithSpecials, type DnaTokenizer } from "../../lib/tokenizers/tokenizer.js";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import train from "../../stages/tokenize/train.js";
import { runStage } from "../helpers/stage-harness.js";
import { chr2, chr2Segments, writeSegments } from "./data.js";

const SEQS = [
  "",
  "A",
  "acg",
  "ACGTA",
  "ACGTAC",
  "acgtacgtNNNNNNNNacgtACGTAAGCTT",
  "NNNNNNNNNNNNNN",
  "ACGRYKMSWBDHVNacgryk.-*ACGTTT",
  "ACGTACGT\u00e9\u00ffACGTAC\u0000CGTA", // bytes above 127 and NUL: [UNK] on both paths
  "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttGGGGG",
];

function kinds(): Array<[string, DnaTokenizer]> {
  const out: Array<[string, DnaTokenizer]> = [["single-nucleotide", createFixedTokenizer("single-nucleotide", 0, DEFAULT_SPECIAL_TOKENS)]];
  for (const k of [3, 4, 5, 6]) {
    out.push([`kmer-overlapping k=${k} dnabert`, createFixedTokenizer("kmer-overlapping", k, DEFAULT_SPECIAL_TOKENS, "dnabert")]);
    out.push([`kmer-overlapping k=${k} lexicographic`, createFixedTokenizer("kmer-overlapping", k, DEFAULT_SPECIAL_TOKENS, "lexicographic")]);
    out.push([`kmer-nonoverlapping k=${k}`, createFixedTokenizer("kmer-nonoverlapping", k, DEFAULT_SPECIAL_TOKENS)]);
  }
  return out;
}

function both(tok: DnaTokenizer, seq: string): [number[], number[]] {
  const viaString = new IdBuffer(4);
  encodeWithSpecials(tok, seq, viaString);
  // The sequence sits inside a larger buffer, between other bytes, as a line of a shard does.
  const bytes = Buffer.concat([Buffer.from("ACGT\n"), Buffer.from(seq, "latin1"), Buffer.from("\nTTTT")]);
  const viaBytes = new IdBuffer(4);
  viaBytes.push(999); // appends after what is there, like the string path
  encodeBytesWithSpecials(tok, bytes, 5, 5 + seq.length, viaBytes);
  return [viaString.toArray(), viaBytes.toArray().slice(1)];
}

test("every byte-path kind has encodeBytes and matches encode() on edge cases", () => {
  for (const [name, tok] of kinds()) {
    assert.equal(typeof tok.encodeBytes, "function", name);
    for (const seq of SEQS) {
      const [s, b] = both(tok, seq);
      assert.deepEqual(b, s, `${name} on ${JSON.stringify(seq)}`);
    }
  }
});

test("byte path matches encode() on 200 soft-masked chr2 segments with N runs, and on every single byte value", () => {
  const g = chr2();
  const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  for (const [name, tok] of kinds()) {
    for (let i = 0; i < 200; i++) {
      const seq = g.slice(i * 9973, i * 9973 + 5 + ((i * 37) % 506));
      const [s, b] = both(tok, seq);
      assert.deepEqual(b, s, `${name} on chr2 segment ${i}`);
    }
    const [s, b] = both(tok, all);
    assert.deepEqual(b, s, `${name} on bytes 0..255`);
  }
});

test("BPE's byte path matches encode() on edge cases, chr2 segments and every byte value", async () => {
  const segments = await writeSegments(chr2Segments(50));
  const trained = await runStage(train, { params: { kind: "bpe", vocabSize: 64 }, inputs: { segments } });
  const { tokenizer } = await loadTokenizer(trained.outputs.tokenizer);
  assert.equal(tokenizer.kind, "bpe");
  assert.equal(typeof tokenizer.encodeBytes, "function");
  const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  for (const seq of [...SEQS, ...chr2Segments(20), all]) {
    const [s, b] = both(tokenizer, seq);
    assert.deepEqual(b, s);
  }
});
