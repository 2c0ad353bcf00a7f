// A small real data path on the bundled chrM: strip-n → segment → split → tokenize/train (3-mers) → tokenize/encode on
// 2 cpus. Five builtins that write through BufferedFile or hard-link their input's shards, for tests of what the
// engine does around stages (manifests, publishing); `extra` appends stages (YAML under `stages:`).
import { fixture } from "./paths.js";

export const CHRM_PIPELINE_STAGES = 5;

export function chrMPipeline(extra = ""): string {
  return `
stages:
  fragments:
    uses: genome/strip-n@1
    with: { minLength: 50 }
    inputs: { fasta: ${JSON.stringify(fixture("genome/chrM.fa"))} }
  segments:
    uses: genome/segment@1
    with: { min: 50, max: 200, seed: 1 }
    inputs: { fragments: "\${{ stages.fragments.outputs.fragments }}" }
  split:
    uses: genome/split@1
    with: { by: fraction, validation: 0.1, seed: 1 }
    inputs: { segments: "\${{ stages.segments.outputs.segments }}" }
  tokenizer:
    uses: tokenize/train@1
    with: { kind: kmer-overlapping, k: 3 }
    inputs: { segments: "\${{ stages.split.outputs.train }}" }
  tokens:
    uses: tokenize/encode@1
    with: { maxLength: 64 }
    resources: { cpus: 2 }
    inputs: { tokenizer: "\${{ stages.tokenizer.outputs.tokenizer }}", segments: "\${{ stages.split.outputs.train }}" }
${extra}`;
}
