// The BPE trainer's occurrence lists (compressed: zigzag varint differences in growing chunks) give back exactly the
// positions added, sorted, for any mix of pairs, orders and distances, and reuse the chunks of taken lists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PairOccurrences } from "../../lib/tokenizers/pair-occurrences.js";

/** xorshift32, seeded: the same lists every run. */
function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test("positions come back sorted and complete: ascending runs, descending steps, the whole Uint32 range, one and many per pair", () => {
  const occ = new PairOccurrences();
  const rand = rng(7);
  const want = new Map<number, number[]>();
  const add = (pair: number, pos: number) => {
    occ.add(pair, pos);
    let l = want.get(pair);
    if (!l) want.set(pair, (l = []));
    l.push(pos);
  };
  // 2,000 pairs: a few runs each (the trainer's pattern), plus random jumps across the whole Uint32 range
  for (let round = 0; round < 3; round++) {
    for (let pair = 0; pair < 2000; pair++) {
      const n = pair % 10 === 0 ? 3000 : Math.floor(rand() * 8);
      let pos = Math.floor(rand() * 2 ** 32);
      for (let k = 0; k < n; k++) {
        add(pair, pos);
        pos = (pos + 1 + Math.floor(rand() * (pair % 3 === 0 ? 100 : 5_000_000))) % 2 ** 32;
      }
    }
  }
  for (const pos of [0, 0xffffffff, 0, 0x80000000, 0x7fffffff, 0xfffffffe, 1]) add(5000, pos); // extreme differences
  assert.equal(
    occ.stored,
    [...want.values()].reduce((a, l) => a + l.length, 0),
  );
  for (const [pair, l] of want) {
    const got = Array.from(occ.take(pair));
    assert.deepEqual(
      got,
      [...l].sort((a, b) => a - b),
      `pair ${pair}`,
    );
  }
  assert.equal(occ.stored, 0);
  assert.equal(occ.take(1).length, 0, "a taken list is empty");
  assert.equal(occ.take(123456).length, 0, "a pair never added is empty");
});

test("taken lists' chunks are reused: refilling the same positions allocates no new arena block", () => {
  const occ = new PairOccurrences();
  const fill = () => {
    for (let pair = 0; pair < 20000; pair++) for (let k = 0; k < (pair % 50) + 1; k++) occ.add(pair, pair * 1000 + k * 7);
  };
  occ.add(40000, 1); // the per-pair arrays' size is settled first: only the arena is compared
  occ.take(40000);
  fill();
  const bytes = occ.bytes;
  for (let pair = 0; pair < 20000; pair++) occ.take(pair);
  // refill in a different shape: small lists now come from the freed (and split) larger chunks
  for (let pair = 0; pair < 40000; pair++) occ.add(pair, pair * 3);
  for (let pair = 0; pair < 40000; pair++) assert.deepEqual(Array.from(occ.take(pair)), [pair * 3]);
  fill();
  assert.equal(occ.bytes, bytes, "the arena did not grow");
  assert.deepEqual(
    Array.from(occ.take(49)),
    Array.from({ length: 50 }, (_, k) => 49_000 + k * 7),
  );
});
