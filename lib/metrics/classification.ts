// Classification metrics from integer labels and predictions, defined as scikit-learn defines them (the tests check
// parity): the label set is the union of the true and predicted labels; macro averages weigh every label equally; a
// zero denominator gives 0 (sklearn's zero_division=0 / "warn"), and MCC is 0 when either side has a single class.

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  mcc: number;
  /** Macro-averaged F1, precision and recall. */
  f1: number;
  precision: number;
  recall: number;
}

/** Confusion counts over `labels` (sorted union of the true and predicted labels): counts[i][j] = true i, predicted j. */
export function confusion(yTrue: readonly number[], yPred: readonly number[]): { labels: number[]; counts: number[][] } {
  if (yTrue.length !== yPred.length) throw new Error(`metrics: ${yTrue.length} labels but ${yPred.length} predictions`);
  const labels = [...new Set([...yTrue, ...yPred])].sort((a, b) => a - b);
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) counts[index.get(yTrue[i])!][index.get(yPred[i])!]++;
  return { labels, counts };
}

export function classificationMetrics(yTrue: readonly number[], yPred: readonly number[]): ClassificationMetrics {
  const n = yTrue.length;
  if (n === 0) throw new Error("metrics: no rows");
  const { labels, counts } = confusion(yTrue, yPred);
  const k = labels.length;
  const tp = labels.map((_, i) => counts[i][i]);
  const trueSum = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const predSum = labels.map((_, j) => counts.reduce((a, row) => a + row[j], 0));
  const correct = tp.reduce((a, b) => a + b, 0);
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b);
  let p = 0;
  let r = 0;
  let f = 0;
  for (let i = 0; i < k; i++) {
    p += div(tp[i], predSum[i]);
    r += div(tp[i], trueSum[i]);
    f += div(2 * tp[i], trueSum[i] + predSum[i]);
  }
  return { n, accuracy: correct / n, mcc: mcc(n, correct, trueSum, predSum), f1: f / k, precision: p / k, recall: r / k };
}

/** Gorodkin's multiclass MCC (R_K), which is Matthews' coefficient for two classes. */
function mcc(n: number, correct: number, trueSum: number[], predSum: number[]): number {
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let i = 0; i < trueSum.length; i++) {
    tp += trueSum[i] * predSum[i];
    pp += predSum[i] * predSum[i];
    tt += trueSum[i] * trueSum[i];
  }
  const cov = correct * n - tp;
  const denom = Math.sqrt((n * n - pp) * (n * n - tt));
  return denom === 0 ? 0 : cov / denom;
}
