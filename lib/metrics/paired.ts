// Paired comparison of two variants (pretrained vs scratch, a model vs the k-mer baseline) over matched results
// (the same task and seed): mean gain, a seeded percentile-bootstrap 95 % CI of that mean, the Wilcoxon signed-rank
// test and the sign test. The tests are defined as scipy.stats defines them (wilcoxon with its defaults, binomtest
// two-sided) and the test suite checks them against scipy; the bootstrap is deterministic for a seed.
import { SeededRng } from "../genome/rng.js";

export interface PairedStats {
  /** Pairs (zero differences included). */
  n: number;
  meanGain: number;
  /** Percentile bootstrap CI of the mean gain (null with fewer than 2 pairs). */
  ci: [number, number] | null;
  /** Pairs where the first variant is better / worse / equal. */
  wins: number;
  losses: number;
  ties: number;
  /** Two-sided p-values (null when no pair differs). */
  wilcoxonP: number | null;
  signP: number | null;
}

export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number;
}

export function pairedStats(diffs: readonly number[], o: BootstrapOptions = {}): PairedStats {
  const n = diffs.length;
  const wins = diffs.filter((d) => d > 0).length;
  const losses = diffs.filter((d) => d < 0).length;
  return {
    n,
    meanGain: n ? mean(diffs) : NaN,
    ci: n >= 2 ? bootstrapMeanCI(diffs, o) : null,
    wins,
    losses,
    ties: n - wins - losses,
    wilcoxonP: wins + losses ? wilcoxonSignedRank(diffs).p : null,
    signP: wins + losses ? signTest(wins, wins + losses) : null,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Percentile bootstrap CI of the mean: `resamples` (default 10,000) resamples with replacement drawn from a seeded
 * xoroshiro128+ stream, the (1-level)/2 and (1+level)/2 quantiles of their means with linear interpolation (numpy's
 * default). The same diffs and seed give the same bytes on every machine.
 */
export function bootstrapMeanCI(xs: readonly number[], o: BootstrapOptions = {}): [number, number] {
  const B = o.resamples ?? 10_000;
  const level = o.level ?? 0.95;
  const n = xs.length;
  if (n === 0) throw new Error("bootstrap: no values");
  const rng = new SeededRng(o.seed ?? 42, "bootstrap-mean");
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[rng.int(0, n - 1)];
    means[b] = s / n;
  }
  means.sort();
  return [quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2)];
}

function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Average ranks (1-based) of values, ties sharing the mean rank. */
function averageRanks(v: readonly number[]): number[] {
  const idx = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/**
 * Wilcoxon signed-rank test, two-sided, as scipy.stats.wilcoxon(d) with its defaults (zero_method "wilcox": zeros
 * dropped; no continuity correction; method "auto"): exact null distribution for n ≤ 50 without ties or zeros, an
 * exact sign-flip permutation test for n ≤ 13 with them, else the normal approximation with the tie correction.
 * Returns the statistic min(R+, R-) and the p-value.
 */
export function wilcoxonSignedRank(d: readonly number[]): { statistic: number; p: number } {
  const n = d.length;
  const nz = d.filter((x) => x !== 0);
  const count = nz.length;
  if (count === 0) return { statistic: 0, p: NaN };
  const ranks = averageRanks(nz.map(Math.abs));
  const rPlus = nz.reduce((a, x, i) => a + (x > 0 ? ranks[i] : 0), 0);
  const rMinus = (count * (count + 1)) / 2 - rPlus;
  const statistic = Math.min(rPlus, rMinus);
  const hasTies = new Set(nz.map(Math.abs)).size < count;
  const zeros = n - count;
  let method: "exact" | "permutation" | "asymptotic" = "asymptotic";
  if (n <= 50) method = !hasTies && zeros === 0 ? "exact" : n <= 13 ? "permutation" : "asymptotic";
  if (method === "exact") {
    const dist = signedRankDistribution(count);
    const cdf = (k: number) => dist.slice(0, Math.max(0, Math.min(dist.length, k + 1))).reduce((a, b) => a + b, 0);
    const sf = (k: number) => 1 - cdf(k - 1); // P(T >= k), as scipy's WilcoxonDistribution
    const p = 2 * Math.min(sf(Math.floor(rPlus)), cdf(Math.ceil(rPlus)));
    return { statistic, p: Math.min(1, Math.max(0, p)) };
  }
  if (method === "permutation") {
    // every sign assignment of the n differences (zeros stay out of the statistic), as scipy's permutation_test does
    const gamma = Math.abs(1e-14 * rPlus); // scipy's permutation_test compares with a small relative tolerance
    let le = 0;
    let ge = 0;
    const total = 2 ** n;
    const rk = rankOfEach(d);
    for (let m = 0; m < total; m++) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        if (d[i] === 0) continue;
        const flipped = ((m >> i) & 1) === 1;
        const positive = d[i] > 0 !== flipped;
        if (positive) s += rk[i];
      }
      if (s <= rPlus + gamma) le++;
      if (s >= rPlus - gamma) ge++;
    }
    return { statistic, p: Math.min(1, 2 * Math.min(le / total, ge / total)) };
  }
  const mn = (count * (count + 1)) / 4;
  let se = count * (count + 1) * (2 * count + 1);
  const tieCounts = new Map<number, number>();
  for (const x of nz) tieCounts.set(Math.abs(x), (tieCounts.get(Math.abs(x)) ?? 0) + 1);
  let tie = 0;
  for (const t of tieCounts.values()) tie += t ** 3 - t;
  se = Math.sqrt((se - tie / 2) / 24);
  const z = (rPlus - mn) / se;
  return { statistic, p: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/** The rank of |d[i]| among the nonzero |d| (0 for a zero difference). */
function rankOfEach(d: readonly number[]): number[] {
  const nzIdx = d.map((x, i) => [x, i] as const).filter(([x]) => x !== 0);
  const ranks = averageRanks(nzIdx.map(([x]) => Math.abs(x)));
  const out = d.map(() => 0);
  nzIdx.forEach(([, i], j) => (out[i] = ranks[j]));
  return out;
}

/** P(R+ = k) for k = 0 … n(n+1)/2 under the null (each sign equally likely): subset sums of 1..n. */
function signedRankDistribution(n: number): number[] {
  const max = (n * (n + 1)) / 2;
  let c = new Array<number>(max + 1).fill(0);
  c[0] = 1;
  for (let i = 1; i <= n; i++) {
    const next = c.slice();
    for (let k = i; k <= max; k++) next[k] += c[k - i];
    c = next;
  }
  const total = 2 ** n;
  return c.map((x) => x / total);
}

/**
 * Sign test: two-sided exact binomial test of `k` successes in `n` trials at p = 1/2, as scipy.stats.binomtest: the
 * p-value sums the probabilities of all outcomes no more likely than the observed one (relative tolerance 1e-7).
 */
export function signTest(k: number, n: number): number {
  if (n === 0) return NaN;
  const logPmf = (j: number) => logChoose(n, j) - n * Math.LN2;
  const d = logPmf(k);
  let p = 0;
  for (let j = 0; j <= n; j++) if (logPmf(j) <= d + Math.log1p(1e-7)) p += Math.exp(logPmf(j));
  return Math.min(1, p);
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Upper tail of the standard normal, via erfc. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes 3rd ed. §6.2.2 (erfccheb): Chebyshev fit, accurate to ~1.2e-16 for x >= 0
  if (x < 0) return 2 - erfc(-x);
  const cof = [
    -1.3026537197817094, 0.6419697923564902, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5,
    -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10,
    -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16,
    -2.8e-17,
  ];
  const t = 2 / (2 + x);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = cof.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + cof[j];
    dd = tmp;
  }
  return t * Math.exp(-x * x + 0.5 * (cof[0] + ty * d) - dd);
}
