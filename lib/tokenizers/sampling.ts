// Deterministic sampling of training segments: segment i is kept when hash(seed, i) < fraction, so the same
// seed keeps the same segments on any machine, independent of shard layout or read order.

/** A uniform number in [0, 1) from (seed, index) (a 32-bit integer mix, splitmix-style). */
export function unitHash(seed: number, index: number): number {
  let x = (Math.imul(seed | 0, 0x9e3779b9) ^ Math.imul(index | 0, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

export function keepSegment(seed: number, index: number, fraction: number): boolean {
  return fraction >= 1 || unitHash(seed, index) < fraction;
}
