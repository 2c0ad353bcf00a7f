// The linear-time BPE encoder (bpe-backtrack.ts) against the reference encoder (bpe-merge-word.ts, HF's merge
// replay) and a naive BPE: trained and adversarial random vocabularies; real, random, repetitive, long and
// boundary inputs; the large-vocabulary validity cache; and the fallback for vocabularies that break its premises.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BacktrackEncoder } from "../../lib/tokenizers/bpe-backtrack.js";
import { BpeTokenizer } from "../../lib/tokenizers/bpe-model.js";
import { DEFAULT_SPECIAL_TOKENS } from "../../lib/tokenizers/alphabet.js";
import { EDGE_CASES, chr2, chr2Segments, chrM, cutSegments, gueSequences } from "./data.js";
import { boundaryInputs, bpeFromMerges, encodeAll, firstDifference, naiveBpe, randomDna, randomMerges, repeatInputs, rng, trainedBpe } from "./bpe-vocabs.js";

const real = [...chr2Segments(1500), ...gueSequences(), ...cutSegments(chrM(), 0, 40), ...EDGE_CASES];
const long = [chr2().slice(200_000, 400_000), chr2().slice(1_000_000, 1_050_000).toUpperCase(), chrM()];
const rand = rng(7);
const randomSeqs = Array.from({ length: 300 }, () => randomDna(rand, 1 + Math.floor(rand() * 1500)));
const stress = [...repeatInputs(3), ...boundaryInputs(chr2().slice(500_000, 501_100)), ...randomSeqs];

function fast(tok: BpeTokenizer): BacktrackEncoder {
  const f = tok.fastEncoder();
  assert.ok(f instanceof BacktrackEncoder, `fast encoder refused: ${f}`);
  return f;
}

function assertFastEqualsReference(name: string, tok: BpeTokenizer, seqs: string[], denseMax?: number): void {
  const enc = denseMax === undefined ? fast(tok) : tok.fastEncoder(denseMax);
  assert.ok(enc instanceof BacktrackEncoder);
  const got = encodeAll(seqs, (s, out) => tok.encodeWith(enc, s, out));
  const want = encodeAll(seqs, (s, out) => tok.encodeReference(s, out));
  const bad = firstDifference(got, want);
  assert.equal(
    bad,
    -1,
    `${name}: sequence ${bad} (${seqs[bad]?.length} bp '${seqs[bad]?.slice(0, 40)}…') fast ${got[bad]?.slice(0, 12)} reference ${want[bad]?.slice(0, 12)}`,
  );
}

const trainCorpus = chr2Segments(3000).slice(1500);
for (const vocabSize of [4096, 1024, 300, 40]) {
  test(`trained BPE (vocab ${vocabSize}): fast == reference on ${real.length} real, ${long.length} long (up to 200 kbp) and ${stress.length} repeat/boundary/random sequences`, () => {
    const tok = trainedBpe(trainCorpus, vocabSize);
    assertFastEqualsReference("real", tok, real);
    assertFastEqualsReference("long", tok, long);
    assertFastEqualsReference("stress", tok, stress);
  });
}

test("BPE trained on tandem repeats (many overlapping merges like AA+A): fast == reference", () => {
  const r = rng(11);
  const corpus = [
    ...repeatInputs(5),
    ...repeatInputs(6),
    ...Array.from({ length: 200 }, () => "AC".repeat(5 + Math.floor(r() * 50)) + "A".repeat(Math.floor(r() * 40))),
  ];
  for (const vocabSize of [64, 200, 600]) {
    const tok = trainedBpe(corpus, vocabSize);
    assertFastEqualsReference(`repeats-${vocabSize}`, tok, [...stress, ...corpus, ...real.slice(0, 200)]);
  }
});

test("the direct-mapped validity cache (vocabularies over 8,192 tokens) gives the same ids as the dense memo", () => {
  const tok = trainedBpe(trainCorpus, 4096);
  assertFastEqualsReference("cache", tok, [...real.slice(0, 500), ...long, ...stress], 0);
});

test("200 adversarial random vocabularies (tokens that encode to themselves): fast == reference == naive BPE", () => {
  let words = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const merges = randomMerges(seed, 20 + (seed % 7) * 40, true);
    const tok = bpeFromMerges(merges);
    const r = rng(seed * 31);
    const seqs = [
      ...Array.from({ length: 30 }, () => randomDna(r, 1 + Math.floor(r() * 120))),
      ...Array.from({ length: 10 }, () => {
        const parts = Array.from({ length: 2 + Math.floor(r() * 10) }, () => merges[Math.floor(r() * merges.length)]);
        return parts.map(([a, b]) => a + b).join(""); // concatenated tokens: many near-ties
      }),
    ];
    const naive = seqs.map((s) => naiveBpe(s, merges).map((t) => tok.vocab.indexOf(t)));
    const ref = encodeAll(seqs, (s, out) => tok.encodeReference(s, out));
    assert.equal(firstDifference(ref, naive), -1, `seed ${seed}: reference != naive`);
    assertFastEqualsReference(`seed ${seed}`, tok, [...seqs, ...Array.from({ length: 3 }, () => randomDna(r, 3000))]);
    words += seqs.length;
  }
  assert.ok(words >= 8000);
});

test("random vocabularies that break the premises fall back to the reference encoder (and still match naive BPE)", () => {
  let refused = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const merges = randomMerges(seed, 60, false);
    const tok = bpeFromMerges(merges);
    if (typeof tok.fastEncoder() === "string") refused++;
    else assertFastEqualsReference(`eligible seed ${seed}`, tok, randomSeqs.slice(0, 20));
    const r = rng(seed);
    const seqs = Array.from({ length: 20 }, () => randomDna(r, 1 + Math.floor(r() * 80)));
    const naive = seqs.map((s) => naiveBpe(s, merges).map((t) => tok.vocab.indexOf(t)));
    assert.equal(
      firstDifference(
        encodeAll(seqs, (s, out) => tok.encode(s, out)),
        naive,
      ),
      -1,
      `seed ${seed}`,
    );
  }
  assert.ok(refused > 30, `${refused} of 60 random vocabularies refused`);
});

test("named premise failures: a token made by two merges, a token that does not encode to itself", () => {
  const dup = bpeFromMerges([
    ["A", "A"],
    ["AA", "A"],
    ["A", "AA"],
  ]);
  assert.match(String(dup.fastEncoder()), /more than one merge/);
  const notSelf = bpeFromMerges([
    ["A", "A"],
    ["A", "AA"],
  ]); // AAA encodes to AA A
  assert.match(String(notSelf.fastEncoder()), /does not encode to itself/);
  for (const tok of [dup, notSelf]) {
    const seqs = ["AAA", "AAAA", "AAAAA", "CAAAAAAAG"];
    const merges: Array<[string, string]> = Array.from(tok.merges.left, (a, r) => [tok.vocab[a], tok.vocab[tok.merges.right[r]]]);
    const want = seqs.map((s) => naiveBpe(s, merges).map((t) => tok.vocab.indexOf(t)));
    assert.deepEqual(
      encodeAll(seqs, (s, out) => tok.encode(s, out)),
      want,
    );
  }
});

test("merges over other characters (N) are skipped by the fast encoder: they never apply inside an ACGT word", () => {
  const vocab = [...DEFAULT_SPECIAL_TOKENS, "A", "C", "G", "N", "T", "NA", "AC", "NAC", "CA", "ACA"];
  const id = (t: string) => vocab.indexOf(t);
  const pairs = [
    ["N", "A"],
    ["A", "C"],
    ["NA", "C"],
    ["C", "A"],
    ["AC", "A"],
  ];
  const tok = new BpeTokenizer(vocab, DEFAULT_SPECIAL_TOKENS, {
    left: Int32Array.from(pairs, ([a]) => id(a)),
    right: Int32Array.from(pairs, ([, b]) => id(b)),
  });
  fast(tok);
  assertFastEqualsReference("with-N", tok, ["NACA", "ACACAN", "NNACANAC", ...stress.slice(0, 100)]);
  assert.deepEqual(encodeAll(["NACA"], (s, out) => tok.encode(s, out))[0], [id("N"), id("ACA")]);
});
