// The HTML report in headless Chromium: it renders, the SVG charts are there with their bars and lines, no console
// errors, no network requests. A screenshot is written for people to look at. A deliberately broken page checks
// that the probe does see errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { curvesFromInputs, renderReport, resultsFromInputs, writeReport } from "../../lib/report/index.js";
import { inspectPage } from "./chromium.js";
import { metricsItems, pretrainItems } from "./data.js";

const PROBE = `JSON.stringify({
  charts: document.querySelectorAll("svg.chart").length,
  bars: document.querySelectorAll("svg rect.bar").length,
  lines: document.querySelectorAll("svg path.series").length,
  boundaries: document.querySelectorAll("svg .phase-boundary").length,
  references: document.querySelectorAll("svg line.reference").length,
  rows: document.querySelectorAll("table.results tbody tr").length,
  chartWidth: Math.round(document.querySelector("svg.chart").getBoundingClientRect().width),
})`;

test("report.html renders in headless Chromium with its charts and no console errors", { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-html-"));
  const report = renderReport(
    { results: await resultsFromInputs(metricsItems()), curves: curvesFromInputs(pretrainItems()) },
    { title: "ablation: tokenizer × init", references: ["dnabert2"], baseline: { axis: "init", value: "scratch" } },
  );
  writeReport(dir, report);
  const page = await inspectPage(pathToFileURL(join(dir, "report.html")).href, PROBE);
  const shot = join(tmpdir(), "dnaflow-report-screenshot.png");
  writeFileSync(shot, page.screenshot);
  t.diagnostic(`screenshot: ${shot}`);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.requests, []);
  const v = JSON.parse(page.value as string);
  assert.deepEqual(v, { charts: 3, bars: 12 + 6, lines: 2, boundaries: 4, references: 3, rows: 12 + 3, chartWidth: v.chartWidth });
  assert.ok(v.chartWidth >= 700, `chart width ${v.chartWidth}`);
  assert.ok(page.screenshot.length > 20_000 && page.screenshot.subarray(1, 4).toString() === "PNG");
});

test("the probe sees console errors, exceptions and network requests (negative control)", { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-html-bad-"));
  writeFileSync(
    join(dir, "bad.html"),
    `<!doctype html><body><script>console.error("boom"); undefinedFunction();</script><img src="http://127.0.0.1:9/x.png"></body>`,
  );
  const page = await inspectPage(pathToFileURL(join(dir, "bad.html")).href, "1");
  assert.ok(
    page.errors.some((e) => e === "console.error: boom"),
    page.errors.join("\n"),
  );
  assert.ok(
    page.errors.some((e) => /exception: ReferenceError: undefinedFunction is not defined/.test(e)),
    page.errors.join("\n"),
  );
  assert.deepEqual(page.requests, ["http://127.0.0.1:9/x.png"]);
});
