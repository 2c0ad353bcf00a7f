// dnaflow compare: results of two separately run pipelines in one table and report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, tempProject } from "../helpers/cli.js";

const pipeline = (name: string, mcc: number) => `
name: ${name}
stages:
  finetune:
    matrix: { task: [prom_core_tata, tf0] }
    run: [node, -e, 'const fs=require("fs"); const [out, task, mcc]=process.argv.slice(1); fs.mkdirSync(out); fs.writeFileSync(out+"/metrics.json", JSON.stringify({format:1, task, kind:"classification", numClasses:2, primary:"mcc", splits:{test:{n:100, mcc:Number(mcc), accuracy:0.8, f1:0.7, precision:0.7, recall:0.7}}}))', "\${{ outputs.metrics }}", "\${{ matrix.task }}", "${mcc}"]
    outputs: [metrics]
`;

test("compare puts two pipelines' results side by side and writes the report files", () => {
  const store = mkdtempSync(join(tmpdir(), "compare-store-"));
  const dir = tempProject({ "a.yaml": pipeline("kmer", 0.41), "b.yaml": pipeline("bpe", 0.52) });
  for (const f of ["a.yaml", "b.yaml"]) assert.equal(dnaflow(["run", f, "--store", store], { cwd: dir }).code, 0);
  const out = join(dir, "cmp");
  const r = dnaflow(["compare", "kmer", "bpe", "--store", store, "--out", out], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  for (const want of ["kmer", "bpe", "prom_core_tata", "tf0", "0.41", "0.52"]) assert.ok(r.stdout.includes(want), `${want} in:\n${r.stdout}`);
  for (const f of ["report.html", "report.md", "results.csv"]) assert.ok(existsSync(join(out, f)), f);
  assert.match(readFileSync(join(out, "report.html"), "utf8"), /<svg/);
  const missing = dnaflow(["compare", "nosuch", "--store", store], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no run 'nosuch'/);
});
