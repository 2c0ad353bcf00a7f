// Regression metrics: Pearson and Spearman correlation (as scipy.stats computes them; Spearman with average ranks for
// ties), plus MSE and R² (as scikit-learn). A correlation is undefined (NaN, written as null) when either side is constant.

export interface RegressionMetrics {
  n: number;
  pearson: number;
  spearman: number;
  mse: number;
  r2: number;
}

export function regressionMetrics(yTrue: readonly number[], yPred: readonly number[]): RegressionMetrics {
  if (yTrue.length !== yPred.length) throw new Error(`metrics: ${yTrue.length} labels but ${yPred.length} predictions`);
  const n = yTrue.length;
  if (n === 0) throw new Error("metrics: no rows");
  let se = 0;
  for (let i = 0; i < n; i++) se += (yTrue[i] - yPred[i]) ** 2;
  const mt = mean(yTrue);
  let st = 0;
  for (const y of yTrue) st += (y - mt) ** 2;
  // sklearn: a constant target gives 1 for a perfect prediction, else 0.
  const r2 = st === 0 ? (se === 0 ? 1 : 0) : 1 - se / st;
  return { n, pearson: pearson(yTrue, yPred), spearman: spearman(yTrue, yPred), mse: se / n, r2 };
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  // Normalize each side first (as scipy does) so large magnitudes cannot overflow, then clip rounding beyond ±1.
  const r = sxy / Math.sqrt(sxx) / Math.sqrt(syy);
  return Math.max(-1, Math.min(1, r));
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/** 1-based ranks; tied values share their average rank. */
export function ranks(v: readonly number[]): number[] {
  const order = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
  const out = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) out[order[t]] = rank;
    i = j + 1;
  }
  return out;
}

function mean(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}
