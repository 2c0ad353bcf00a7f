// Vocabularies and inputs for the BPE encoder tests: trained ones (our trainer), adversarial synthetic ones (random
// merges), a naive O(n^2) BPE (HF's rule written out plainly: merge the leftmost pair of lowest rank until none is
// left) as an independent oracle, and DNA inputs that stress the fast encoder (random, repeats, long, N at edges).
import { DEFAULT_SPECIAL_TOKENS } from "../../lib/tokenizers/alphabet.js";
import { BpeCorpus } from "../../lib/tokenizers/bpe-corpus.js";
import { BpeTokenizer } from "../../lib/tokenizers/bpe-model.js";
import { trainBpe } from "../../lib/tokenizers/bpe-trainer.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function trainedBpe(lines: string[], vocabSize: number, minFrequency = 2): BpeTokenizer {
  const corpus = new BpeCorpus(
    lines.reduce((a, l) => a + l.length, 0),
    vocabSize,
  );
  for (const l of lines) corpus.add(l);
  return trainBpe(corpus, { vocabSize, minFrequency, specialTokens: DEFAULT_SPECIAL_TOKENS }).tokenizer;
}

/** BPE tokenizer from merge strings ("A C", …) over specials + ACGT. */
export function bpeFromMerges(merges: Array<[string, string]>): BpeTokenizer {
  const vocab = [...DEFAULT_SPECIAL_TOKENS, "A", "C", "G", "T"];
  const ids = new Map(vocab.map((t, i) => [t, i]));
  for (const [a, b] of merges) if (!ids.has(a + b)) ids.set(a + b, vocab.push(a + b) - 1);
  return new BpeTokenizer(vocab, DEFAULT_SPECIAL_TOKENS, {
    left: Int32Array.from(merges, ([a]) => ids.get(a)!),
    right: Int32Array.from(merges, ([, b]) => ids.get(b)!),
  });
}

/** HF's BPE rule, naively: token strings of one ACGT word. */
export function naiveBpe(word: string, merges: Array<[string, string]>): string[] {
  const rank = new Map<string, number>();
  merges.forEach(([a, b], r) => rank.set(`${a} ${b}`, r)); // a pair listed twice keeps its last rank, as in HF
  const syms = [...word];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < syms.length; i++) {
      const r = rank.get(`${syms[i]} ${syms[i + 1]}`);
      if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
    }
    if (best < 0) return syms;
    syms.splice(best, 2, syms[best] + syms[best + 1]);
  }
}

/**
 * Random merges: each joins two existing tokens (short ones more often) into a new string. With `selfEncoding`,
 * only merges whose token BPE encodes to itself are kept (the fast encoder's premise), so the vocabulary is
 * adversarial but eligible; without it, many vocabularies break the premise and must fall back.
 */
export function randomMerges(seed: number, count: number, selfEncoding: boolean, alphabet = "ACGT"): Array<[string, string]> {
  const rand = rng(seed);
  const tokens = [...alphabet];
  const have = new Set(tokens);
  const merges: Array<[string, string]> = [];
  for (let tries = 0; merges.length < count && tries < count * 50; tries++) {
    const pick = () => tokens[Math.floor(tokens.length * rand() ** 2)] ?? tokens[0];
    const [a, b] = [pick(), pick()];
    if (have.has(a + b) || a.length + b.length > 24) continue;
    const next: Array<[string, string]> = [...merges, [a, b]];
    if (selfEncoding && naiveBpe(a + b, next).length !== 1) continue;
    merges.push([a, b]);
    tokens.push(a + b);
    tokens.sort((x, y) => x.length - y.length);
    have.add(a + b);
  }
  return merges;
}

export function randomDna(rand: () => number, n: number, alphabet = "ACGT"): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** Repeats that make BPE's choices hard: homopolymers, tandem repeats of period 1..12, slightly mutated ones. */
export function repeatInputs(seed: number): string[] {
  const rand = rng(seed);
  const out: string[] = [];
  for (const b of "ACGT") for (const n of [1, 2, 3, 7, 8, 9, 16, 33, 100, 1001]) out.push(b.repeat(n));
  for (let period = 1; period <= 12; period++) {
    for (let k = 0; k < 4; k++) {
      const unit = randomDna(rand, period);
      const n = 20 + Math.floor(rand() * 600);
      let s = unit.repeat(Math.ceil(n / period)).slice(0, n);
      out.push(s);
      const chars = [...s];
      for (let m = 0; m < 3; m++) chars[Math.floor(rand() * chars.length)] = "ACGT"[Math.floor(rand() * 4)];
      s = chars.join("");
      out.push(s);
    }
  }
  return out;
}

/** Sequences whose ACGT words end at every offset near typical chunk sizes: N (or another code) at the boundary. */
export function boundaryInputs(base: string): string[] {
  const out: string[] = [];
  for (const cut of [1, 7, 8, 9, 15, 16, 17, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025]) {
    if (cut >= base.length) continue;
    out.push(`${base.slice(0, cut)}N${base.slice(cut + 1)}`, `${base.slice(0, cut)}R${base.slice(cut)}`, base.slice(0, cut), base.slice(cut));
    out.push(`${base.slice(0, cut).toLowerCase()}${base.slice(cut)}`);
  }
  return out;
}

export function encodeAll(seqs: string[], encode: (s: string, out: IdBuffer) => void): number[][] {
  const buf = new IdBuffer();
  return seqs.map((s) => {
    buf.clear();
    encode(s, buf);
    return buf.toArray();
  });
}

/** Index of the first sequence whose ids differ, or -1. */
export function firstDifference(a: number[][], b: number[][]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((x, i) => x.length !== b[i].length || x.some((id, j) => id !== b[i][j]));
}
