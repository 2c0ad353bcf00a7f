// BPE training with the semantics of Hugging Face's BpeTrainer (tokenizers/src/models/bpe/trainer.rs):
//  vocab = special tokens, then the alphabet sorted by code point (A, C, G, T always included), then one token per
//  merge; the next merge is the pair with the highest count, ties to the smallest (left id, right id); stop at
//  vocabSize, or when the best count is below minFrequency. Like HF, merging a pair does not decrement that pair's
//  own count (only its neighbours'), and a merge whose string already exists reuses that token's id.
// Unlike HF, a merge applies to every occurrence of the pair; HF applies it to the words recorded with the heap
// entry, which differs only after such a duplicate-string merge (reported as stats.duplicateMerges).
// Memory: the corpus (2 B/base, 4 past 65,535 tokens) + occurrence lists of the pairs that contain a merged token
// (compressed, ~1.3-2 B per listed occurrence, stale ones included: pair-occurrences.ts) + ~100 B per distinct pair.
import { BASES } from "./alphabet.js";
import type { BpeCorpus } from "./bpe-corpus.js";
import { BpeTokenizer } from "./bpe-model.js";
import { growFloat64, growInt32 } from "./grow.js";
import { PairHeap } from "./pair-heap.js";
import { PairOccurrences } from "./pair-occurrences.js";
import { PairTable } from "./pair-table.js";

export interface BpeTrainOptions {
  vocabSize: number;
  minFrequency: number;
  specialTokens: string[];
  signal?: AbortSignal;
  /** Called every few merges with (vocab size so far, target). */
  onProgress?: (vocab: number, target: number) => void;
}

export interface BpeTrainStats {
  merges: number;
  duplicateMerges: number;
  stoppedBy: "vocabSize" | "minFrequency" | "noPairs";
  /** Tokens of the training corpus after the merges (non-ACGT chars count one each). */
  corpusTokens: number;
  corpusBases: number;
  distinctPairs: number;
}

export function trainBpe(corpus: BpeCorpus, opts: BpeTrainOptions): { tokenizer: BpeTokenizer; stats: BpeTrainStats } {
  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const addToken = (t: string) => {
    if (!ids.has(t)) {
      ids.set(t, vocab.length);
      vocab.push(t);
    }
    return ids.get(t)!;
  };
  opts.specialTokens.forEach(addToken);
  const alphabet = [...new Set([...BASES].map((c) => c.charCodeAt(0)).concat([...corpus.otherChars]))].sort((a, b) => a - b);
  alphabet.forEach((c) => addToken(String.fromCharCode(c)));
  const baseIds = [...BASES].map((c) => ids.get(c)!);

  const { sym, gap, wordStart } = corpus;
  const n = corpus.length;
  if (opts.vocabSize > corpus.maxVocab) throw new RangeError(`the BPE corpus was sized for ${corpus.maxVocab} tokens, not ${opts.vocabSize}`);
  const isStart = (i: number) => (wordStart[i >>> 3] & (1 << (i & 7))) !== 0;
  /** The token after the one starting at `pos` in its word, or -1 (merged-away slots are GAP). */
  const rightOf = (pos: number): number => {
    let j = pos + 1;
    while (j < n && sym[j] === gap) j++;
    return j >= n || isStart(j) ? -1 : j;
  };
  const leftOf = (pos: number): number => {
    if (isStart(pos)) return -1;
    let j = pos - 1;
    while (sym[j] === gap) j--;
    return j;
  };

  // The 16 base pairs are counted on the base codes (no hashing per base) and never get occurrence lists: the first
  // merges, which swallow most of them, find their occurrences by one scan of the corpus each. Every later pair
  // contains a merged token, so all its occurrences arise from merges and are listed from its birth.
  const basePairs = new Float64Array(16);
  for (let i = 0; i + 1 < n; i++) if (!isStart(i + 1)) basePairs[(sym[i] << 2) | sym[i + 1]]++;
  for (let i = 0; i < n; i++) sym[i] = baseIds[sym[i]];

  const table = new PairTable(1 << 12);
  let left = new Int32Array(1 << 12);
  let right = new Int32Array(1 << 12);
  let count = new Float64Array(1 << 12);
  const occ = new PairOccurrences();
  const intern = (a: number, b: number): number => {
    const before = table.size;
    const p = table.intern(a, b);
    if (p === before) {
      left = growInt32(left, p + 1);
      right = growInt32(right, p + 1);
      count = growFloat64(count, p + 1);
      left[p] = a;
      right[p] = b;
      count[p] = 0;
    }
    return p;
  };
  for (let x = 0; x < 16; x++) if (basePairs[x] > 0) count[intern(baseIds[x >> 2], baseIds[x & 3])] = basePairs[x];
  const listedFrom = table.size;
  const heap = new PairHeap(
    () => left,
    () => right,
  );
  for (let p = 0; p < table.size; p++) if (count[p] > 0) heap.push(p, count[p]);

  const mergeLeft: number[] = [];
  const mergeRight: number[] = [];
  let duplicateMerges = 0;
  let stoppedBy: BpeTrainStats["stoppedBy"] = "noPairs";
  let tokens = n;
  let touched = new Int32Array(1024);
  let mark = new Uint8Array(0);
  while (heap.size > 0) {
    if (vocab.length >= opts.vocabSize) {
      stoppedBy = "vocabSize";
      break;
    }
    const p = heap.topPair;
    const c = heap.topCount;
    heap.pop();
    if (c !== count[p]) {
      heap.push(p, count[p]);
      continue;
    }
    if (c < 1 || opts.minFrequency > c) {
      stoppedBy = "minFrequency";
      break;
    }
    const a = left[p];
    const b = right[p];
    const str = vocab[a] + vocab[b];
    if (ids.has(str)) duplicateMerges++;
    const t = addToken(str);
    mergeLeft.push(a);
    mergeRight.push(b);
    if ((mergeLeft.length & 63) === 0) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      opts.onProgress?.(vocab.length, opts.vocabSize);
    }

    let nTouched = 0;
    const touch = (q: number, pos: number) => {
      count[q]++;
      occ.add(q, pos);
      if (q >= mark.length) mark = growMark(mark, q + 1);
      if (!mark[q]) {
        mark[q] = 1;
        touched = growInt32(touched, nTouched + 1);
        touched[nTouched++] = q;
      }
    };
    const apply = (pos: number) => {
      if (sym[pos] !== a) return;
      const q = rightOf(pos);
      if (q < 0 || sym[q] !== b) return;
      const before = leftOf(pos);
      const after = rightOf(q);
      if (before >= 0) {
        count[table.get(sym[before], a)]--;
        touch(intern(sym[before], t), before);
      }
      if (after >= 0) {
        count[table.get(b, sym[after])]--;
        touch(intern(t, sym[after]), pos);
      }
      sym[pos] = t;
      sym[q] = gap;
      tokens--;
    };
    if (p >= listedFrom) {
      const positions = occ.take(p);
      for (let k = 0; k < positions.length; k++) apply(positions[k]);
    } else {
      for (let i = 0; i < n; i++) if (sym[i] === a) apply(i);
    }
    for (let k = 0; k < nTouched; k++) {
      const q = touched[k];
      mark[q] = 0;
      if (count[q] > 0) heap.push(q, count[q]);
    }
  }
  if (heap.size === 0 && vocab.length >= opts.vocabSize) stoppedBy = "vocabSize";
  const merges = { left: Int32Array.from(mergeLeft), right: Int32Array.from(mergeRight) };
  return {
    tokenizer: new BpeTokenizer(vocab, opts.specialTokens, dedupeMerges(merges)),
    stats: {
      merges: mergeLeft.length,
      duplicateMerges,
      stoppedBy,
      corpusTokens: tokens + corpus.otherCount,
      corpusBases: n,
      distinctPairs: table.size,
    },
  };
}

function growMark(m: Uint8Array<ArrayBuffer>, need: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(Math.max(need, m.length * 2, 1024));
  b.set(m);
  return b;
}

/** A pair merged twice keeps only its last rank, as HF's merge map (and hence its tokenizer.json) does. */
function dedupeMerges(m: { left: Int32Array; right: Int32Array }) {
  const last = new Map<string, number>();
  for (let r = 0; r < m.left.length; r++) last.set(`${m.left[r]},${m.right[r]}`, r);
  const keep = [...last.values()].sort((x, y) => x - y);
  if (keep.length === m.left.length) return m;
  return { left: Int32Array.from(keep, (r) => m.left[r]), right: Int32Array.from(keep, (r) => m.right[r]) };
}
