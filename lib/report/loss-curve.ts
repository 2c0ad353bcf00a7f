// One pretraining run's loss curve as a standalone SVG file (model/pretrain's loss.svg): the report's line chart, with
// the styles it otherwise takes from the report page, so the file and the report draw the curve the same way.
import { phaseBoundaries, readLossCurve } from "./data.js";
import { lineChart } from "./line-chart.js";

const STYLE =
  "svg.chart{font:11px system-ui,sans-serif;background:#fff}svg .title{font-size:13px;font-weight:600}svg .grid{stroke:#eee}" +
  "svg .axis{stroke:#555}svg .tick{fill:#444}svg .label{fill:#222}svg .legend{fill:#222}svg .mark{font-size:10px}";

/** `metricsJsonl`: metrics.jsonl lines ({step, loss, phase?}); a dashed line where a (RandomMask) phase starts. */
export function lossCurveSvg(metricsJsonl: string, label: string): string {
  const points = readLossCurve(metricsJsonl);
  const series = [
    { label, points: points.map((p) => ({ x: p.step, y: p.loss })), marks: phaseBoundaries(points).map((b) => ({ x: b.step, label: `phase ${b.phase}` })) },
  ];
  const chart = lineChart(series, { title: `Pretraining loss · ${label}`, xLabel: "step", yLabel: "loss" });
  return chart.replace(/^(<svg[^>]*>)/, `$1<style>${STYLE}</style>`) + "\n";
}
