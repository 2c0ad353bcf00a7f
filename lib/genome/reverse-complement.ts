// Reverse complement of a DNA segment (case kept; N stays N).
const COMPLEMENT = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = i;
  const pairs = ["AT", "CG", "NN", "at", "cg", "nn"];
  for (const [a, b] of pairs) {
    t[a.charCodeAt(0)] = b.charCodeAt(0);
    t[b.charCodeAt(0)] = a.charCodeAt(0);
  }
  return t;
})();

/** Writes the reverse complement of src[start, end) into dst[0, end - start). */
export function reverseComplementInto(src: Uint8Array, start: number, end: number, dst: Uint8Array): void {
  for (let i = end - 1, o = 0; i >= start; i--, o++) dst[o] = COMPLEMENT[src[i]];
}
