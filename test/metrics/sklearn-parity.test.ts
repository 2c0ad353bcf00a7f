// Parity of lib/metrics with scikit-learn (classification) and scipy.stats (Pearson, Spearman) on random and
// degenerate cases. The oracle is test/metrics/oracle.py, run with python3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";
import { classificationMetrics, regressionMetrics } from "../../lib/metrics/index.js";

interface Case {
  name: string;
  kind: "classification" | "regression";
  true: number[];
  pred: number[];
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const ints = (r: () => number, n: number, k: number) => Array.from({ length: n }, () => Math.floor(r() * k));
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

function cases(): Case[] {
  const out: Case[] = [];
  const cls = (name: string, t: number[], p: number[]) => out.push({ name, kind: "classification", true: t, pred: p });
  const reg = (name: string, t: number[], p: number[]) => out.push({ name, kind: "regression", true: t, pred: p });
  for (const seed of [1, 2, 3]) {
    const r = rng(seed);
    const t = ints(r, 300, 2);
    cls(
      `random binary #${seed}`,
      t,
      t.map((y) => (r() < 0.7 ? y : 1 - y)),
    );
  }
  {
    const r = rng(7);
    const t = ints(r, 400, 3);
    cls(
      "random 3 classes (splice-like)",
      t,
      t.map((y) => (r() < 0.6 ? y : Math.floor(r() * 3))),
    );
    const t9 = ints(r, 500, 9);
    cls(
      "random 9 classes (covid-like)",
      t9,
      t9.map((y) => (r() < 0.5 ? y : Math.floor(r() * 9))),
    );
    cls("unrelated random binary", ints(r, 1000, 2), ints(r, 1000, 2));
  }
  const b = ints(rng(11), 50, 2);
  cls("perfect binary", b, b);
  cls(
    "inverse binary",
    b,
    b.map((y) => 1 - y),
  );
  cls("all one class, predicted right", new Array(20).fill(0), new Array(20).fill(0));
  cls("all one class, predicted as the other", new Array(20).fill(1), new Array(20).fill(0));
  cls("true one class, predictions mixed", new Array(10).fill(1), [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]);
  cls("predictions all one class", b, new Array(b.length).fill(1));
  const m = ints(rng(5), 60, 4);
  cls("perfect 4 classes", m, m);
  cls(
    "4 classes rotated (inverse)",
    m,
    m.map((y) => (y + 1) % 4),
  );
  cls("class predicted that never occurs", [0, 0, 1, 1, 0, 1], [0, 2, 1, 1, 2, 0]);
  cls("non-contiguous labels", [0, 2, 5, 5, 2, 0, 5], [0, 5, 5, 2, 2, 0, 0]);
  cls("single row", [1], [1]);
  {
    const r = rng(13);
    const t = Array.from({ length: 300 }, () => gauss(r));
    reg(
      "random correlated",
      t,
      t.map((y) => 0.6 * y + 0.8 * gauss(r)),
    );
    reg(
      "unrelated random",
      Array.from({ length: 200 }, () => gauss(r)),
      Array.from({ length: 200 }, () => gauss(r)),
    );
    reg("perfect", t, t);
    reg(
      "inverse",
      t,
      t.map((y) => -y),
    );
    reg(
      "monotone nonlinear (spearman 1)",
      t,
      t.map((y) => Math.exp(2 * y)),
    );
    reg(
      "many ties",
      t.map((y) => Math.round(y)),
      t.map((y) => Math.round(y + gauss(r))),
    );
    reg(
      "constant prediction",
      t,
      t.map(() => 0.5),
    );
    reg(
      "constant target",
      t.map(() => 2),
      t,
    );
    reg(
      "large offset",
      t.map((y) => 1e6 + y),
      t.map((y) => 1e6 + y + 0.1 * gauss(r)),
    );
    reg("two rows", [1, 2], [2, 1]);
  }
  return out;
}

function oracle(cs: Case[]): Array<Record<string, number | null>> {
  const py = spawnSync(process.env.PYTHON ?? "python3", [join(repoRoot(), "test", "metrics", "oracle.py")], {
    input: JSON.stringify(cs),
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (py.error || py.status !== 0)
    assert.fail(`the scikit-learn oracle did not run (${py.error?.message ?? py.stderr.trim()}); install it: pip install -r test/python-requirements.txt`);
  return JSON.parse(py.stdout).results;
}

function close(got: number | null, want: number | null, what: string) {
  if (want === null || Number.isNaN(want)) return assert.ok(got === null || Number.isNaN(got), `${what}: want undefined (NaN), got ${got}`);
  assert.ok(got !== null && Math.abs(got - want) <= 1e-12 + 1e-9 * Math.abs(want), `${what}: got ${got}, sklearn/scipy ${want}`);
}

test("metrics match scikit-learn and scipy on random and degenerate cases", () => {
  const cs = cases();
  const want = oracle(cs);
  assert.equal(want.length, cs.length);
  let checked = 0;
  cs.forEach((c, i) => {
    const got: Record<string, number> = c.kind === "classification" ? { ...classificationMetrics(c.true, c.pred) } : { ...regressionMetrics(c.true, c.pred) };
    for (const [k, v] of Object.entries(want[i])) {
      close(got[k], v, `${c.name}: ${k}`);
      checked++;
    }
  });
  assert.ok(checked >= 120, `only ${checked} values compared`);
});

test("known values: perfect, inverse and one-class MCC", () => {
  assert.equal(classificationMetrics([0, 1, 1, 0], [0, 1, 1, 0]).mcc, 1);
  assert.equal(classificationMetrics([0, 1, 1, 0], [1, 0, 0, 1]).mcc, -1);
  assert.equal(classificationMetrics([1, 1, 1], [1, 1, 1]).mcc, 0);
  assert.ok(Number.isNaN(regressionMetrics([1, 2, 3], [4, 4, 4]).pearson));
  assert.throws(() => classificationMetrics([0, 1], [0]), /2 labels but 1 predictions/);
});
