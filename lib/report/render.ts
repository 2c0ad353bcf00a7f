// Renders a report: terminal table, markdown, results.csv and a self-contained HTML page with inline SVG charts.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { barChart, type BarSeries } from "./bar-chart.js";
import { phaseBoundaries, type LossCurve, type ReportData } from "./data.js";
import { lineChart } from "./line-chart.js";
import { referenceAverages, referenceValue, summarize, type PairedComparison, type ReportOptions, type Summary } from "./summarize.js";
import { escapeHtml as esc, toCsv, toHtml, toMarkdown, toTerminal, type Column, type Table } from "./table.js";

export interface RenderedReport {
  summary: Summary;
  terminal: string;
  markdown: string;
  csv: string;
  html: string;
}

const SECONDARY = ["accuracy", "f1", "precision", "recall", "spearman", "mse", "r2"];

/** The aggregated table: one row per task × variant (and reference rows), mean ± sd over seeds. */
export function resultsTable(s: Summary): Table {
  const others = SECONDARY.filter((k) => s.cells.some((c) => k in c.others && c.others[k] !== null));
  const hasSd = s.cells.some((c) => c.sd !== null);
  const hasGain = s.gains.length > 0;
  const hasCollapsed = s.cells.some((c) => c.collapsed || c.collapsedDev);
  const collapsedText = (c: Summary["cells"][number]) =>
    c.collapsed || c.collapsedDev
      ? [c.collapsed ? `${c.collapsed}/${c.n} ${s.options.split}` : "", c.collapsedDev ? `${c.collapsedDev}/${c.n} dev` : ""].filter(Boolean).join(", ")
      : "";
  const cols: Column[] = [
    { key: "task", label: "task" },
    ...(s.axes.length ? s.axes.map((a) => ({ key: a, label: a })) : [{ key: "variant", label: "variant" }]),
    { key: "metric", label: "metric" },
    { key: "value", label: s.options.split, numeric: true, digits: 4 },
    ...(hasSd ? [{ key: "sd", label: "± sd", numeric: true, digits: 4 }] : []),
    { key: "n", label: "n", numeric: true },
    ...(hasGain ? [{ key: "gain", label: `gain vs ${s.options.baseline!.axis}=${s.options.baseline!.value}`, numeric: true, digits: 4 }] : []),
    ...others.map((k) => ({ key: k, label: k, numeric: true, digits: 4 })),
    ...(hasCollapsed ? [{ key: "collapsed", label: "collapsed" }] : []),
  ];
  const rows: Table["rows"] = [];
  for (const task of s.tasks) {
    for (const c of s.cells.filter((c) => c.task === task)) {
      rows.push([
        task,
        ...(s.axes.length ? s.axes.map((a) => (c.variant.coords[a] === undefined ? "" : String(c.variant.coords[a]))) : [c.variant.label]),
        c.metric,
        c.mean,
        ...(hasSd ? [c.sd] : []),
        c.n,
        ...(hasGain ? [c.gain ?? null] : []),
        ...others.map((k) => c.others[k] ?? null),
        ...(hasCollapsed ? [collapsedText(c)] : []),
      ]);
    }
    for (const r of s.references) {
      const v = referenceValue(r, task);
      if (v === null) continue;
      rows.push([
        task,
        ...(s.axes.length ? s.axes.map((_, i) => (i === 0 ? r.label : "")) : [r.label]),
        r.metric,
        v,
        ...(hasSd ? [null] : []),
        null,
        ...(hasGain ? [null] : []),
        ...others.map(() => null),
        ...(hasCollapsed ? [""] : []),
      ]);
    }
  }
  return { columns: cols, rows };
}

export function averagesTable(s: Summary): Table {
  const rows: Table["rows"] = s.averages.map((a) => [a.variant.label, a.mean, a.tasks, a.complete ? "" : `only ${a.tasks} of ${s.tasks.length} tasks`]);
  for (const r of s.references)
    for (const a of referenceAverages(r, s.tasks))
      rows.push([
        `${r.label}${r.approximate ? " ≈" : ""}`,
        a.value01,
        a.tasks,
        `${r.suite.toUpperCase()} ${a.over === "**" ? "all" : a.over} (${a.covered} of these tasks here)`,
      ]);
  return {
    columns: [
      { key: "variant", label: "variant" },
      { key: "average", label: `mean over tasks (${s.options.split})`, numeric: true, digits: 4 },
      { key: "tasks", label: "tasks", numeric: true },
      { key: "note", label: "note" },
    ],
    rows,
  };
}

/** Paired gains: each variant minus its baseline over matched (task, seed) results, with CI and tests. */
export function statisticsTable(s: Summary): Table {
  const p = (x: number | null) => (x === null ? null : x);
  return {
    columns: [
      { key: "variant", label: "variant" },
      { key: "vs", label: "minus" },
      { key: "pairs", label: "pairs", numeric: true },
      { key: "tasks", label: "tasks", numeric: true },
      { key: "gain", label: "mean gain", numeric: true, digits: 4 },
      { key: "lo", label: "95% CI low", numeric: true, digits: 4 },
      { key: "hi", label: "95% CI high", numeric: true, digits: 4 },
      { key: "wlt", label: "better/worse/tied" },
      { key: "wilcoxon", label: "Wilcoxon p", numeric: true, digits: 4 },
      { key: "sign", label: "sign test p", numeric: true, digits: 4 },
    ],
    rows: s.paired.map((c) => [
      c.variant.label,
      c.baseline.label,
      c.stats.n,
      c.tasks,
      c.stats.meanGain,
      c.stats.ci?.[0] ?? null,
      c.stats.ci?.[1] ?? null,
      `${c.stats.wins}/${c.stats.losses}/${c.stats.ties}`,
      p(c.stats.wilcoxonP),
      p(c.stats.signP),
    ]),
  };
}

/** A numeric axis along which the paired gains over the init baseline vary (e.g. pretraining `steps`), if any. */
export function gainAxis(s: Summary): string | undefined {
  const b = s.options.baseline;
  if (!b) return undefined;
  const gains = s.paired.filter((c) => c.baseline.coords[b.axis] === b.value);
  const axes = [...new Set(gains.flatMap((c) => Object.keys(c.variant.coords)))].filter((a) => a !== b.axis && !(a in gains[0].baseline.coords));
  return axes.find((a) => gains.every((c) => typeof c.variant.coords[a] === "number") && new Set(gains.map((c) => c.variant.coords[a])).size > 1);
}

/** Long format for analysis: one row per result instance and split, every metric (full precision). */
export function resultsCsv(data: ReportData): string {
  const axes = [...new Set(data.results.flatMap((r) => Object.keys(r.coords)))].sort();
  const metrics = [...new Set(data.results.flatMap((r) => Object.values(r.splits).flatMap((s) => Object.keys(s))))].filter((k) => k !== "n");
  metrics.sort((a, b) => SECONDARY.indexOf(a) + 100 * +!["mcc", "pearson"].includes(a) - (SECONDARY.indexOf(b) + 100 * +!["mcc", "pearson"].includes(b)));
  const cols: Column[] = [
    { key: "task", label: "task" },
    ...axes.map((a) => ({ key: a, label: a })),
    { key: "split", label: "split" },
    { key: "kind", label: "kind" },
    { key: "n", label: "n" },
    ...metrics.map((m) => ({ key: m, label: m })),
    { key: "source", label: "source" },
  ];
  const rows: Table["rows"] = [];
  const sorted = [...data.results].sort((a, b) => (a.task + JSON.stringify(a.coords) < b.task + JSON.stringify(b.coords) ? -1 : 1));
  for (const r of sorted)
    for (const [split, s] of Object.entries(r.splits).sort(([a], [b]) => (a < b ? -1 : 1)))
      rows.push([
        r.task,
        ...axes.map((a) => (r.coords[a] === undefined ? null : String(r.coords[a]))),
        split,
        r.kind,
        s.n,
        ...metrics.map((m) => s[m] ?? null),
        r.source,
      ]);
  return toCsv({ columns: cols, rows });
}

function curveLabel(c: LossCurve): string {
  const parts = Object.entries(c.coords).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(" · ") : c.source;
}

export function charts(s: Summary, data: ReportData): Array<{ id: string; title: string; svg: string }> {
  const out: Array<{ id: string; title: string; svg: string }> = [];
  const metricName = s.options.metric ?? ([...new Set(s.cells.map((c) => c.metric))].join(" / ") || "metric");
  if (s.tasks.length) {
    const series: BarSeries[] = s.variants.map((v) => {
      const cs = s.tasks.map((t) => s.cells.find((c) => c.task === t && c.variant === v));
      return { label: v.label, values: cs.map((c) => c?.mean ?? null), errors: cs.map((c) => c?.sd ?? null) };
    });
    const references = s.references
      .map((r) => ({ label: r.label, values: s.tasks.map((t) => referenceValue(r, t)) }))
      .filter((r) => r.values.some((v) => v !== null));
    out.push({
      id: "metric-per-task",
      title: `${metricName} per task (${s.options.split})`,
      svg: barChart(s.tasks, series, {
        title: `${metricName} per task, by variant (${s.options.split} split; mean ± sd over seeds)`,
        yLabel: metricName,
        references,
      }),
    });
  }
  if (s.gains.length) {
    const b = s.options.baseline!;
    const series: BarSeries[] = s.gains.map((g) => ({
      label: g.variant.label,
      values: s.tasks.map((t) => s.cells.find((c) => c.task === t && c.variant === g.variant)?.gain ?? null),
    }));
    out.push({
      id: "gain-over-baseline",
      title: `gain over ${b.axis}=${b.value}`,
      svg: barChart(s.tasks, series, { title: `Gain in ${metricName} over ${b.axis}=${b.value}`, yLabel: `Δ ${metricName}` }),
    });
  }
  const along = gainAxis(s);
  if (along) {
    // gain vs a numeric axis (pretraining steps): the baseline itself is the point at 0, each line one group of the
    // other axes, with the bootstrap 95 % CI as error bars
    const b = s.options.baseline!;
    const gains = s.paired.filter((c) => c.baseline.coords[b.axis] === b.value);
    const groupOf = (c: PairedComparison) =>
      Object.entries(c.variant.coords)
        .filter(([k]) => k !== along && k !== b.axis)
        .map(([k, v]) => `${k}=${v}`)
        .join(" · ");
    const groups = [...new Set(gains.map(groupOf))];
    const series = groups.map((g) => {
      const cs = gains.filter((c) => groupOf(c) === g).sort((x, y) => Number(x.variant.coords[along]) - Number(y.variant.coords[along]));
      return {
        label: `${g || "gain"} (paired over task × seed)`,
        points: [{ x: 0, y: 0 }, ...cs.map((c) => ({ x: Number(c.variant.coords[along]), y: c.stats.meanGain, lo: c.stats.ci?.[0], hi: c.stats.ci?.[1] }))],
      };
    });
    out.push({
      id: "gain-by-axis",
      title: `gain over ${b.axis}=${b.value} by ${along}`,
      svg: lineChart(series, {
        title: `Mean gain in ${metricName} over ${b.axis}=${b.value} by ${along} (bars: bootstrap 95 % CI)`,
        xLabel: along,
        yLabel: `Δ ${metricName}`,
        zeroLine: true,
      }),
    });
  }
  if (data.curves.length) {
    const series = data.curves.map((c) => ({
      label: curveLabel(c),
      points: c.points.map((p) => ({ x: p.step, y: p.loss })),
      marks: phaseBoundaries(c.points).map((b) => ({ x: b.step, label: b.phase })),
    }));
    out.push({
      id: "pretrain-loss",
      title: "pretraining loss",
      svg: lineChart(series, { title: "Pretraining loss (dashed lines: phase boundaries)", xLabel: "step", yLabel: "loss" }),
    });
  }
  return out;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1b1b1b}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{padding:3px 10px;border-bottom:1px solid #e5e5e5;text-align:left}
th{background:#f5f5f5}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:12px 0;overflow-x:auto}svg.chart{font:11px system-ui,sans-serif;background:#fff}
svg .title{font-size:13px;font-weight:600}svg .grid{stroke:#eee}svg .axis{stroke:#555}svg .tick{fill:#444}
svg .label{fill:#222}svg .legend{fill:#222}svg .mark{font-size:10px}.warn{color:#8a4b00}.muted{color:#666}`;

export function renderReport(data: ReportData, opts: Partial<ReportOptions> = {}, extraWarnings: string[] = []): RenderedReport {
  const s = summarize(data.results, opts);
  s.warnings.unshift(...extraWarnings);
  const main = resultsTable(s);
  const avg = averagesTable(s);
  const stats = statisticsTable(s);
  const statsNote =
    "Paired over the same task and seed (against the k-mer baseline: its one fit per task); CI: percentile bootstrap of the mean gain, 10,000 resamples, seed 42; Wilcoxon signed-rank and sign test two-sided, as scipy.stats computes them.";
  const cs = charts(s, data);
  const title = s.options.title;
  const warn = s.warnings;
  const refLines = s.references.map((r) => `- **${r.label}**: ${r.source}${r.approximate ? " (approximate)" : ""}`);
  const terminal = [
    `${title}: ${data.results.length} results, ${s.tasks.length} tasks, ${s.variants.length} variants (${s.options.split} split)`,
    toTerminal(main),
    toTerminal(avg),
    ...(stats.rows.length ? ["paired gains (mean, bootstrap 95 % CI, two-sided Wilcoxon signed-rank and sign tests):", toTerminal(stats)] : []),
    ...warn.map((w) => `warning: ${w}`),
  ].join("\n");
  const markdown = [
    `# ${title}`,
    "",
    `${data.results.length} results · ${s.tasks.length} tasks · ${s.variants.length} variants · ${s.options.split} split` +
      (data.curves.length ? ` · ${data.curves.length} pretraining curves` : ""),
    "",
    "## Results",
    "",
    toMarkdown(main),
    "## Averages",
    "",
    toMarkdown(avg),
    ...(stats.rows.length ? ["## Paired gains", "", statsNote, "", toMarkdown(stats)] : []),
    ...(refLines.length ? ["## Reference numbers", "", ...refLines, ""] : []),
    ...(warn.length ? ["## Warnings", "", ...warn.map((w) => `- ${w}`), ""] : []),
  ].join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="muted">${data.results.length} results · ${s.tasks.length} tasks · ${s.variants.length} variants · ${esc(s.options.split)} split${data.curves.length ? ` · ${data.curves.length} pretraining curves` : ""}</p>
${warn.length ? `<ul class="warn">${warn.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
${cs.map((c) => `<h2>${esc(c.title)}</h2>\n<figure id="${c.id}">${c.svg}</figure>`).join("\n")}
<h2>Results</h2>
${toHtml(main)}
<h2>Averages</h2>
${toHtml(avg, "averages")}
${stats.rows.length ? `<h2>Paired gains</h2>\n<p class="muted">${esc(statsNote)}</p>\n${toHtml(stats, "paired")}` : ""}
${s.references.length ? `<h2>Reference numbers</h2><ul>${s.references.map((r) => `<li><b>${esc(r.label)}</b>: ${esc(r.source)}${r.approximate ? " (approximate)" : ""}</li>`).join("")}</ul>` : ""}
</body></html>
`;
  return { summary: s, terminal, markdown, csv: resultsCsv(data), html };
}

/** Writes report.html, report.md and results.csv into dir (created). */
export function writeReport(dir: string, r: RenderedReport): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.html"), r.html);
  writeFileSync(join(dir, "report.md"), r.markdown);
  writeFileSync(join(dir, "results.csv"), r.csv);
}
