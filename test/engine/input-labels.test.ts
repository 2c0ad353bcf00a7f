// A stage that writes where its inputs came from (report/summary's rows name each source instance and its
// coordinates) keys those labels: renaming an upstream stage or an axis value changes its key, and nothing else's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planJson, tempProject } from "../helpers/cli.js";

const pipeline = (upstream: string, value: string) => `
stages:
  ${upstream}:
    matrix: { task: [t1], variant: [${value}] }
    run: [node, -e, "require('fs').mkdirSync(process.env.DNAFLOW_OUTPUT_METRICS, { recursive: true })"]
    outputs: [metrics]
  report:
    uses: report/summary@1
    inputs: { metrics: "\${{ stages.${upstream}.outputs.metrics }}" }
  copy:
    run: [node, -e, "0"]
    inputs: { m: "\${{ stages.${upstream}.outputs.metrics }}" }
    outputs: [out]
`;

const keys = (upstream: string, value: string) => {
  const dir = tempProject({ "p.yaml": pipeline(upstream, value) });
  return Object.fromEntries(planJson(dir, "p.yaml").map((s: { id: string; key: string }) => [s.id.replace(/\[.*/, ""), s.key]));
};

test("renaming an upstream stage or an axis value changes the key of report/summary only; the same labels keep it", () => {
  const base = keys("scores", "a");
  assert.deepEqual(keys("scores", "a"), base, "same pipeline, same keys");
  const renamed = keys("results", "a");
  assert.notEqual(renamed.report, base.report, "report names its rows by source instance");
  assert.equal(renamed.copy, base.copy, "a command stage does not see the labels: its key stays");
  assert.equal(renamed.results, base.scores, "the upstream's own key does not depend on its id");
  const relabelled = keys("scores", "b");
  assert.notEqual(relabelled.report, base.report, "report names its rows by coordinates");
  assert.equal(relabelled.copy, base.copy);
});
