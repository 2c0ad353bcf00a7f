// BPE's pair-validity memo shared between copies of a tokenizer (what parallel encoding gives its worker threads):
// one copy's answers serve the other, and the ids stay those of an unshared tokenizer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { fixture } from "../helpers/paths.js";
import { chr2Segments } from "./data.js";

const BPE = fixture("tokenize", "encode-pins", "bpe-200.json");

test("copies sharing a BPE tokenizer's state encode as an unshared one, and share what they learn", async () => {
  const [a, b, alone] = await Promise.all([loadTokenizer(BPE), loadTokenizer(BPE), loadTokenizer(BPE)]).then((l) => l.map((t) => t.tokenizer));
  const shared = a.sharedState!()!;
  assert.ok(shared instanceof SharedArrayBuffer);
  assert.ok(
    new Uint8Array(shared).every((x) => x === 0),
    "nothing known before encoding",
  );
  b.useSharedState!(shared);
  const segs = chr2Segments(60);
  const ids = (tok: typeof a, seqs: string[]) => {
    const out = new IdBuffer();
    for (const s of seqs) tok.encode(s, out);
    return out.toArray();
  };
  const first = ids(a, segs.slice(0, 30));
  const known = new Uint8Array(shared).reduce((n, x) => n + (x !== 0 ? 1 : 0), 0);
  assert.ok(known > 0, "a's answers are in the shared memory");
  assert.deepEqual(first, ids(alone, segs.slice(0, 30)));
  assert.deepEqual(ids(b, segs), ids(alone, segs), "b reads a's answers and adds its own: same ids");
  assert.throws(() => alone.useSharedState!(new SharedArrayBuffer(3)), /BPE pair memo of 3 bytes given to a vocabulary of \d+ tokens/);
});

test("a BPE memo filled ahead (prepare for many bases, in two shares) encodes as one filled as it goes", async () => {
  const [filled, lazy] = await Promise.all([loadTokenizer(BPE), loadTokenizer(BPE)]).then((l) => l.map((t) => t.tokenizer));
  const shared = filled.sharedState!()!;
  filled.prepare!(0); // too few bases to pay off: nothing filled
  assert.ok(new Uint8Array(shared).every((x) => x === 0));
  filled.prepare!(1e12, 0, 2);
  filled.prepare!(1e12, 1, 2);
  assert.ok(
    new Uint8Array(shared).every((x) => x !== 0),
    "every pair answered",
  );
  const segs = chr2Segments(60);
  const ids = (tok: typeof filled) => {
    const out = new IdBuffer();
    for (const s of segs) tok.encode(s, out);
    return out.toArray();
  };
  assert.deepEqual(ids(filled), ids(lazy));
});
