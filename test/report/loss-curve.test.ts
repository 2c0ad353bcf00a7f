// model/pretrain's loss.svg is drawn by the report's line chart (lib/report/loss-curve.ts), the one loss-curve renderer:
// a standalone file with its styles, the curve, and a dashed mark where each RandomMask phase starts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lossCurveSvg } from "../../lib/report/loss-curve.js";

test("loss.svg: one series, a phase mark per phase change, styles embedded", () => {
  const lines = Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({ step: i + 1, loss: 5 - i * 0.3, lr: 1e-3, phase: Math.floor(i / 2), maskSpanMax: 6 + 2 * Math.floor(i / 2) }),
  );
  const svg = lossCurveSvg(lines.join("\n") + "\n", "roberta · randommask masking");
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="chart line-chart"[^>]*><style>svg\.chart\{/);
  assert.ok(svg.endsWith("</svg>\n"));
  assert.equal(svg.match(/class="phase-boundary"/g)?.length, 4);
  assert.ok(svg.includes(">phase 4<") && !svg.includes(">phase 0<"));
  assert.equal(svg.match(/class="series"/g)?.length, 1);
  assert.equal(svg.match(/<path d="M[^"]*"/)?.[0].split("L").length, 10, "a point per step");
  assert.ok(svg.includes("Pretraining loss · roberta · randommask masking"));
});
