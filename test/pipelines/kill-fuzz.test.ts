// Kill fuzz: pipelines/quickstart.yaml (profile ci, reduced to one tokenizer and fewer steps, checkpoints every few
// steps) is SIGKILLed at seeded random points — the engine alone (its stage process group is orphaned and keeps running
// until the next run stops it) or the engine and every stage process group at once (a lost machine) — and run again.
// After every kill `dnaflow verify` finds the store clean (exit 0, nothing quarantined); the run that finally
// completes publishes the same keys with the same bytes in every output file as an uninterrupted run in another
// directory with another store. DNAFLOW_FUZZ_SEED=N replays a seed (printed on failure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, dnaflowAsync, events, objectKeys } from "../helpers/cli.js";
import { byteDifferences, publishedBytes, quickstartProject, replaceOnce } from "./quickstart-project.js";

const ENV = { DNAFLOW_PYTHON: process.env.DNAFLOW_PYTHON || "python3" };
const KILLS = 10;
// A fixed default seed keeps CI reproducible; DNAFLOW_FUZZ_SEED explores (and replays) others.
const SEED = Number(process.env.DNAFLOW_FUZZ_SEED ?? 20261201);

// One tokenizer, 30 pretraining steps, 320 finetuning rows (10 steps): still tokenizer → pretrain → finetune
// (pretrained and scratch) → report, in a fraction of the ci profile's time.
const SETS = [
  "--profile", "ci",
  "--set", "tokenizers=[{name: nucleotide, with: {kind: single-nucleotide, modelMaxLength: 128}, masking: {strategy: bert}}]",
  "--set", "pretrain.steps=30",
  "--set", "pretrain.warmupSteps=3",
  "--set", "finetune.trainRows=320",
  "--set", "finetune.evalEvery=4",
];
const smallCheckpoints = (y: string) =>
  replaceOnce(replaceOnce(y, "checkpointEvery: 100", "checkpointEvery: 4"), '      init: "${{ matrix.init }}"\n', '      init: "${{ matrix.init }}"\n      checkpointEvery: 3\n');

/** mulberry32: a seeded PRNG, so a failing sequence of kills can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SIGKILLs every stage process group recorded in the store's attempts (what a lost machine does to them). */
function killStageGroups(store: string): number {
  const attempts = join(store, "attempts");
  let n = 0;
  for (const a of existsSync(attempts) ? readdirSync(attempts) : []) {
    let owner: { childPgid?: number };
    try {
      owner = JSON.parse(readFileSync(join(attempts, a, "owner.json"), "utf8"));
    } catch {
      continue; // not written yet: the stage has not started its process
    }
    if (!owner.childPgid) continue;
    try {
      process.kill(-owner.childPgid, "SIGKILL");
      n++;
    } catch {
      /* already gone */
    }
  }
  return n;
}

/** Where to kill: at the first event of stage `id` that reports progress >= `step` (0: its start), or its done event. */
interface Target {
  id: string;
  step: number;
}

/**
 * Runs the pipeline and SIGKILLs it at `target`; resolves "killed" (and where), or "completed" when the run ended
 * first (then its exit code must be 0).
 */
async function runAndKill(file: string, store: string, target: Target, withStages: boolean): Promise<{ outcome: "killed" | "completed"; at: string }> {
  const child = dnaflowAsync(["run", file, "--store", store, "-j", "1", "--json", ...SETS], { cwd: tmpdir(), env: ENV });
  let buf = "";
  let at = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const hits = (e: Record<string, any>) =>
    e.id === target.id &&
    ((e.type === "stage-start" && target.step === 0) || (e.type === "stage-progress" && e.unit === "steps" && e.done >= target.step) || e.type === "stage-done");
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      buf += d;
      const complete = buf.slice(0, buf.lastIndexOf("\n") + 1);
      buf = buf.slice(complete.length);
      for (const e of events(complete)) {
        if (child.killed || !hits(e)) continue;
        at = `${e.type} ${e.id}${e.type === "stage-progress" ? ` step ${e.done}/${e.total ?? "?"}` : ""}`;
        child.kill("SIGKILL");
        if (withStages) killStageGroups(store);
        break;
      }
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve({ outcome: "killed", at });
      else if (code === 0) resolve({ outcome: "completed", at: "end" });
      else reject(new Error(`run exited ${code} (seed ${SEED}): ${stderr.slice(-2000)}`));
    });
  });
}

test(`kill fuzz: ${KILLS} seeded SIGKILLs during the quickstart (engine alone, or engine and stages); verify clean after each; final bytes identical to an uninterrupted run`, async () => {
  const t0 = Date.now();
  const reference = quickstartProject(smallCheckpoints);
  const refStore = mkdtempSync(join(tmpdir(), "fuzz-reference-"));
  const ref = dnaflow(["run", reference.file, "--store", refStore, "--json", ...SETS], { cwd: tmpdir(), env: ENV });
  assert.equal(ref.code, 0, ref.stderr + ref.stdout.slice(-2000));
  const stages = events(ref.stdout).filter((e) => e.type === "stage-done").map((e) => e.id as string);
  for (const id of ["pretrain[tokenizer=nucleotide]", "finetune[init=pretrained,tokenizer=nucleotide]", "finetune[init=scratch,tokenizer=nucleotide]", "report"])
    assert.ok(stages.includes(id), `${id} is part of the fuzzed pipeline: ${stages.join(" ")}`);

  // Kill targets: stages not yet published in the fuzzed store, mostly the long ones (pretrain, finetune: killed
  // mid-training, between or during checkpoints), at a random step of theirs; the others at their start or right after
  // they publish.
  const done = events(ref.stdout).filter((e) => e.type === "stage-done");
  const keyOf = new Map(done.map((e) => [e.id as string, e.key as string]));
  const stepsOf = new Map<string, number>();
  for (const e of events(ref.stdout)) if (e.type === "stage-progress" && e.unit === "steps") stepsOf.set(e.id, Math.max(stepsOf.get(e.id) ?? 0, e.total ?? e.done));
  assert.ok((stepsOf.get("pretrain[tokenizer=nucleotide]") ?? 0) >= 20, "pretraining reports its steps");

  const fuzzed = quickstartProject(smallCheckpoints);
  const store = mkdtempSync(join(tmpdir(), "fuzz-store-"));
  const random = rng(SEED);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const log: string[] = [];
  let kills = 0;
  for (let round = 0; kills < KILLS; round++) {
    assert.ok(round < KILLS * 2, `seed ${SEED}: ${KILLS} kills not reached in ${round} runs: ${log.join("; ")}`);
    const published = new Set(objectKeys(store));
    const left = [...keyOf].filter(([, key]) => !published.has(key)).map(([id]) => id);
    assert.ok(left.length, `seed ${SEED}: everything was published after ${kills} kills: ${log.join("; ")}`);
    const long = left.filter((id) => stepsOf.has(id));
    const mustTrain = kills < 3 && long.length > 0; // at least three kills land mid-training
    const id = mustTrain || (long.length && random() < 0.8) ? pick(long) : pick(left);
    const steps = stepsOf.get(id) ?? 0;
    // mid-training: before the last step (killed at the last one, a resume from its checkpoint goes straight to done)
    const target = { id, step: mustTrain ? 1 + Math.floor(random() * Math.max(1, steps - 1)) : Math.floor(random() * (steps + 1)) };
    const withStages = random() < 0.5;
    const r = await runAndKill(fuzzed.file, store, target, withStages);
    log.push(`${r.outcome === "killed" ? (withStages ? "engine+stages" : "engine") : "completed"} at ${r.at}`);
    assert.equal(r.outcome, "killed", `seed ${SEED}: the run ended before reaching ${target.id} step ${target.step}: ${log.join("; ")}`);
    kills++;
    const v = dnaflow(["verify", "--store", store], { cwd: tmpdir(), env: ENV });
    assert.equal(v.code, 0, `seed ${SEED}, after kill ${kills} (${log.at(-1)}): verify: ${v.stdout}${v.stderr}`);
    const quarantine = join(store, "quarantine");
    assert.deepEqual(existsSync(quarantine) ? readdirSync(quarantine) : [], [], `seed ${SEED}: nothing quarantined after kill ${kills}`);
  }
  const trainingKills = log.filter((l) => / step \d+/.test(l) && /pretrain|finetune/.test(l)).length;
  assert.ok(trainingKills >= 3, `seed ${SEED}: at least 3 kills mid-training: ${log.join("; ")}`);
  assert.ok(kills >= KILLS, `seed ${SEED}: only ${kills} kills landed before the pipeline completed: ${log.join("; ")}`);

  const last = dnaflow(["run", fuzzed.file, "--store", store, "--json", ...SETS], { cwd: tmpdir(), env: ENV });
  assert.equal(last.code, 0, `seed ${SEED}: ${last.stderr}${last.stdout.slice(-2000)}`);
  assert.equal(dnaflow(["verify", "--store", store], { cwd: tmpdir(), env: ENV }).code, 0);
  assert.deepEqual(objectKeys(store), objectKeys(refStore), `seed ${SEED}: the same objects as the uninterrupted run`);
  const diffs = byteDifferences(publishedBytes(refStore), publishedBytes(store));
  assert.deepEqual(diffs, [], `seed ${SEED}, kills: ${log.join("; ")}`);
  const attempts = join(store, "attempts");
  assert.deepEqual(existsSync(attempts) ? readdirSync(attempts) : [], [], "no attempt left behind");
  process.stdout.write(`# kill fuzz seed ${SEED}: ${log.join("; ")} — ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
});
