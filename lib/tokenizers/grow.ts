// Capacity doubling for typed arrays that grow while training.

export function growInt32(a: Int32Array<ArrayBuffer>, need: number, fill?: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  let cap = Math.max(a.length * 2, 16);
  while (cap < need) cap *= 2;
  const b = new Int32Array(cap);
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

export function growFloat64(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  let cap = Math.max(a.length * 2, 16);
  while (cap < need) cap *= 2;
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

export function growUint32(a: Uint32Array<ArrayBuffer>, need: number, fill?: number): Uint32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  let cap = Math.max(a.length * 2, 16);
  while (cap < need) cap *= 2;
  const b = new Uint32Array(cap);
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}
