// Metrics of finetuned models, computed in TypeScript from their predictions (parity with scikit-learn/scipy is tested).
export { classificationMetrics, confusion, type ClassificationMetrics } from "./classification.js";
export { regressionMetrics, pearson, spearman, ranks, type RegressionMetrics } from "./regression.js";
export {
  collapseWarning,
  metricsFromPredictions,
  readMetricsArtifact,
  readPredictions,
  PRIMARY,
  type MetricsFile,
  type PredictionRow,
  type SplitMetrics,
  type TaskKind,
} from "./predictions.js";
