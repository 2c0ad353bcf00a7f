// Shared by the model/pretrain tests: the worker's interpreter and a tiny real-data pipeline (bundled chrM → BPE-64 →
// 64-token blocks → a 2-layer model), small enough for CI on 2 CPU cores.
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixture } from "../helpers/paths.js";
import { planJson, tempProject } from "../helpers/cli.js";

export const PYTHON = process.env.DNAFLOW_PYTHON || "python3";
export const ENV = { DNAFLOW_PYTHON: PYTHON };

/** Fails (never skips) when the worker's packages are missing, naming the install command. */
export function requireWorkerPython(): void {
  const r = spawnSync(PYTHON, ["-c", "import torch, transformers, safetensors, numpy"], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import the worker's packages (${r.stderr.trim().split("\n").pop()}): pip install -r worker/requirements.txt, or set DNAFLOW_PYTHON`,
    );
  }
}

export function tinyPipeline(pretrainWith: string, extraStages = ""): string {
  return `
stages:
  fragments:
    uses: genome/strip-n@1
    with: { minLength: 100 }
    inputs: { fasta: chrM.fa }
  segments:
    uses: genome/segment@1
    with: { min: 200, max: 400, seed: 1 }
    inputs: { fragments: "\${{ stages.fragments.outputs.fragments }}" }
  tokenizer:
    uses: tokenize/train@1
    with: { kind: bpe, vocabSize: 64, minFrequency: 2, modelMaxLength: 64 }
    inputs: { segments: "\${{ stages.segments.outputs.segments }}" }
  tokens:
    uses: tokenize/encode@1
    with: { maxLength: 64 }
    inputs: { tokenizer: "\${{ stages.tokenizer.outputs.tokenizer }}", segments: "\${{ stages.segments.outputs.segments }}" }
  pretrain:
    uses: model/pretrain@1
    with:
${pretrainWith}
    inputs: { tokenizer: "\${{ stages.tokenizer.outputs.tokenizer }}", train: "\${{ stages.tokens.outputs.tokens }}" }
    resources: { cpus: 1 }
${extraStages}`;
}

export const TINY = `      model: { layers: 2, hidden: 32, heads: 2, intermediate: 64, maxPositions: 64 }
      masking: { strategy: randommask }
      optimizer: { lr: 0.001, warmupSteps: 4 }
      steps: 24
      batchSize: 8
      checkpointEvery: 3
      seed: 3`;

export function project(yaml: string): string {
  const dir = tempProject({ "p.yaml": yaml });
  copyFileSync(fixture("genome", "chrM.fa"), join(dir, "chrM.fa"));
  return dir;
}

export function outputOf(dir: string, stage: string, output: string, extra: string[] = []): string {
  const key = planJson(dir, "p.yaml", extra).find((s) => s.id === stage)!.key;
  return join(dir, ".dnaflow", "objects", key, "out", output);
}

export const bytes = (p: string) => readFileSync(p);
