// TensorBoard curves: pretraining and finetuning write event files that TensorBoard's own reader (EventAccumulator)
// loads with the expected scalars; after a SIGKILL of the engine mid-pretraining and a rerun (resume from the last
// checkpoint) every step appears exactly once and matches metrics.jsonl; the files stay out of the published model and
// `dnaflow show` prints the --logdir to use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, planJson, runAndKillEngineAt } from "../helpers/cli.js";
import { fixture } from "../helpers/paths.js";
import { ENV, PYTHON, TINY, outputOf, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";
import { FINETUNE } from "./finetune-stages.js";

requireWorkerPython();

/** Every scalar series in a directory of event files, as TensorBoard itself reads it. */
function readScalars(dir: string): Record<string, Array<[number, number]>> {
  const code = `
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
ea = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
ea.Reload()
print(json.dumps({t: [[e.step, e.value] for e in ea.Scalars(t)] for t in ea.Tags()["scalars"]}))
`;
  const r = spawnSync(PYTHON, ["-c", code, dir], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));

test("pretrain + finetune curves in TensorBoard; after a kill and resume no step appears twice", async () => {
  const dir = project(tinyPipeline(TINY, FINETUNE));
  cpSync(fixture("benchmark", "gue", "prom"), join(dir, "gue", "prom"), { recursive: true });
  await runAndKillEngineAt(dir, "pretrain", 10, ENV);
  const r = dnaflow(["run", "p.yaml", "-j", "1"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  const keys = Object.fromEntries(planJson(dir, "p.yaml").map((s) => [s.id, s.key]));
  assert.match(
    readFileSync(
      readdirSync(join(dir, ".dnaflow", "logs", keys.pretrain))
        .map((n) => join(dir, ".dnaflow", "logs", keys.pretrain, n))
        .at(-1)!,
      "utf8",
    ),
    /resumed from step \d+/,
  );

  const tb = join(dir, ".dnaflow", "tensorboard", keys.pretrain);
  const files = readdirSync(tb).filter((n) => n.includes("tfevents"));
  assert.ok(files.length >= 2, `one event file per attempt, got ${files}`);
  const s = readScalars(tb);
  for (const tag of ["train/loss", "train/lr", "train/grad_norm", "train/mask_ratio", "train/randommask_phase", "train/tokens_per_s"]) {
    assert.ok(s[tag], `${tag} logged (have ${Object.keys(s)})`);
    assert.deepEqual(
      s[tag].map(([step]) => step),
      Array.from({ length: 24 }, (_, i) => i + 1),
      `${tag}: each of steps 1..24 exactly once`,
    );
  }
  const metrics = readFileSync(join(outputOf(dir, "pretrain", "model"), "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  metrics.forEach((m, i) => {
    assert.ok(close(s["train/loss"][i][1], m.loss), `step ${m.step}: loss ${s["train/loss"][i][1]} vs metrics.jsonl ${m.loss}`);
    assert.equal(s["train/randommask_phase"][i][1], m.phase);
    assert.ok(close(s["train/mask_ratio"][i][1], m.maskRatio));
  });
  assert.deepEqual([...new Set(s["train/randommask_phase"].map(([, v]) => v))], [0, 1, 2, 3, 4]);

  const ft = readScalars(join(dir, ".dnaflow", "tensorboard", keys.finetune));
  const ftMetrics = JSON.parse(readFileSync(join(outputOf(dir, "finetune", "metrics"), "finetune.json"), "utf8"));
  assert.equal(ft["train/loss"].length, ftMetrics.steps, "a finetune loss per step");
  assert.deepEqual(
    ft["dev/loss"].map(([step]) => step),
    ftMetrics.history.map((h: any) => h.step),
    "dev loss at every evaluation",
  );
  ft["dev/loss"].forEach(([, v]: [number, number], i: number) => assert.ok(close(v, ftMetrics.history[i].devLoss)));

  for (const stage of ["pretrain", "finetune"]) {
    const manifest = JSON.parse(readFileSync(join(dir, ".dnaflow", "objects", keys[stage], "manifest.json"), "utf8"));
    assert.ok(!manifest.files.some((f: any) => /tfevents/.test(f.path)), `${stage}: event files are not published (they hold wall times)`);
    const show = dnaflow(["show", "p.yaml", stage], { cwd: dir, env: ENV });
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).tensorboard, `tensorboard --logdir ${join(dir, ".dnaflow", "tensorboard", keys[stage])}`);
  }
});
