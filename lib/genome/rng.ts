// Seeded random numbers that give the same values on any machine and Node version: pure-rand's xoroshiro128+
// (integer arithmetic only) with its unbiased uniformInt. Each stream is keyed by (seed, scope...), e.g. one per
// fragment, so a fragment's segments do not depend on which other records were kept or in which order they ran.
import { createHash } from "node:crypto";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

export class SeededRng {
  private readonly gen;

  constructor(seed: number, ...scope: Array<string | number>) {
    const digest = createHash("sha256")
      .update(JSON.stringify([seed, ...scope]))
      .digest();
    this.gen = xoroshiro128plus(digest.readInt32LE(0));
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.gen, min, max);
  }

  /** Fair coin. */
  coin(): boolean {
    return uniformInt(this.gen, 0, 1) === 1;
  }
}
