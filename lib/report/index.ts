// Report rendering: results across matrix instances (or runs) → terminal table, markdown, CSV and HTML with SVG charts.
export { barChart, type BarSeries, type ReferenceMark } from "./bar-chart.js";
export { lineChart, type LineSeries } from "./line-chart.js";
export { collectFromRuns, compareRuns, type ComparedRun, type RunObject } from "./compare.js";
export {
  curvesFromInputs,
  findEventLog,
  phaseBoundaries,
  readLossCurve,
  resultsFromInputs,
  type LossCurve,
  type LossPoint,
  type ReportData,
  type ResultRecord,
} from "./data.js";
export { averagesTable, charts, gainAxis, renderReport, resultsCsv, resultsTable, statisticsTable, writeReport, type RenderedReport } from "./render.js";
export { DEFAULT_OPTIONS, summarize, type PairedComparison, type ReportOptions, type Summary } from "./summarize.js";
export { toCsv, toHtml, toMarkdown, toTerminal, type Column, type Table } from "./table.js";
