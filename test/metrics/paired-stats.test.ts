// The paired statistics of reports (lib/metrics/paired.ts) against scipy as the oracle: Wilcoxon signed-rank on exact,
// permutation (ties/zeros, n ≤ 13) and normal-approximation cases, the sign test (binomtest), the normal tail; and the
// bootstrap CI's properties and determinism.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";
import { bootstrapMeanCI, normalSf, pairedStats, signTest, wilcoxonSignedRank } from "../../lib/metrics/paired.js";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function cases(): Array<{ name: string; d: number[] }> {
  const r = rng(3);
  const rand = (n: number, shift: number) => Array.from({ length: n }, () => Math.round((r() - 0.5 + shift) * 1e6) / 1e6);
  return [
    { name: "9 pairs, all positive (3 tasks × 3 seeds)", d: [0.05, 0.12, 0.03, 0.08, 0.2, 0.01, 0.07, 0.15, 0.09] },
    { name: "9 pairs, mixed", d: [0.05, -0.12, 0.03, -0.08, 0.2, 0.011, -0.07, 0.15, 0.09] },
    { name: "6 pairs, one negative", d: [0.3, 0.1, -0.05, 0.2, 0.4, 0.25] },
    { name: "n = 1", d: [0.2] },
    { name: "ties, n = 8 (permutation)", d: [0.1, 0.1, -0.1, 0.2, 0.2, 0.3, -0.05, 0.4] },
    { name: "zeros (collapsed pairs), n = 9 (permutation)", d: [0, 0, 0.1, -0.02, 0.3, 0.25, 0.1, 0.05, -0.01] },
    { name: "random 20, no ties (exact)", d: rand(20, 0.2) },
    { name: "random 50, no ties (exact)", d: rand(50, 0) },
    { name: "random 80 (normal approximation)", d: rand(80, 0.1) },
    { name: "ties, n = 30 (normal approximation)", d: rand(30, 0.15).map((x) => Math.round(x * 10) / 10) },
    { name: "random 200 with zeros (normal approximation)", d: rand(200, 0.05).map((x) => (Math.abs(x) < 0.03 ? 0 : x)) },
  ];
}

function oracle(cs: Array<{ d: number[] }>) {
  const py = spawnSync(process.env.PYTHON ?? "python3", [join(repoRoot(), "test", "metrics", "paired-oracle.py")], {
    input: JSON.stringify(cs),
    encoding: "utf8",
  });
  if (py.error || py.status !== 0)
    assert.fail(`the scipy oracle did not run (${py.error?.message ?? py.stderr.trim()}); pip install -r test/python-requirements.txt`);
  return JSON.parse(py.stdout) as { results: Array<{ wStat: number; wP: number; signP: number | null }>; normalSf: Array<[number, number]> };
}

const close = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: got ${got}, scipy ${want}`);

test("Wilcoxon signed-rank and sign test equal scipy.stats.wilcoxon and binomtest", () => {
  const cs = cases();
  const want = oracle(cs);
  cs.forEach((c, i) => {
    const w = wilcoxonSignedRank(c.d);
    close(w.statistic, want.results[i].wStat, 1e-12, `${c.name}: statistic`);
    close(w.p, want.results[i].wP, 1e-9, `${c.name}: Wilcoxon p`);
    const k = c.d.filter((x) => x > 0).length;
    const n = c.d.filter((x) => x !== 0).length;
    close(signTest(k, n), want.results[i].signP!, 1e-9, `${c.name}: sign test p`);
  });
  for (const [z, p] of want.normalSf) assert.ok(Math.abs(normalSf(z) - p) <= 1e-12 + 1e-9 * p, `normal sf(${z}): got ${normalSf(z)}, scipy ${p}`);
});

test("bootstrap CI: deterministic for a seed, contains the mean, within the data, narrows with more pairs", () => {
  const d = [0.05, -0.12, 0.03, -0.08, 0.2, 0.011, -0.07, 0.15, 0.09];
  const a = bootstrapMeanCI(d, { seed: 42 });
  assert.deepEqual(bootstrapMeanCI(d, { seed: 42 }), a); // same bytes
  assert.notDeepEqual(bootstrapMeanCI(d, { seed: 7 }), a); // the seed is used
  const m = d.reduce((x, y) => x + y, 0) / d.length;
  assert.ok(a[0] < m && m < a[1], `CI ${a} should contain the mean ${m}`);
  assert.ok(a[0] >= Math.min(...d) && a[1] <= Math.max(...d));
  const wide = bootstrapMeanCI([0.1, 0.3], { seed: 1 });
  assert.ok(wide[0] >= 0.1 && wide[1] <= 0.3 && wide[1] - wide[0] > 0.15, `two values: ${wide}`);
  const flat = bootstrapMeanCI([0.2, 0.2, 0.2]);
  assert.ok(Math.abs(flat[0] - 0.2) < 1e-15 && flat[1] === flat[0], `no spread, no width: ${flat}`);
  const many = Array.from({ length: 16 }, () => d).flat();
  const narrow = bootstrapMeanCI(many, { seed: 42 });
  assert.ok(narrow[1] - narrow[0] < (a[1] - a[0]) / 2.5, `144 pairs (${narrow}) should be ~4× narrower than 9 (${a})`);
  const c90 = bootstrapMeanCI(d, { seed: 42, level: 0.9 });
  assert.ok(c90[0] >= a[0] && c90[1] <= a[1], "a 90 % interval lies inside the 95 % one");
});

test("pairedStats: wins, losses, ties, and no test without a difference", () => {
  const s = pairedStats([0.1, -0.2, 0, 0.3]);
  assert.deepEqual([s.n, s.wins, s.losses, s.ties], [4, 2, 1, 1]);
  assert.ok(Math.abs(s.meanGain - 0.05) < 1e-15);
  const z = pairedStats([0, 0, 0]);
  assert.equal(z.wilcoxonP, null);
  assert.equal(z.signP, null);
  assert.equal(pairedStats([0.4]).ci, null);
});
