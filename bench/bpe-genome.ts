// Whole-genome BPE: BPE-4096 trained on every base of a GRCh38-sized genome (no sampling), through the CLI as a user
// runs it: strip-n → segment 5–510 → tokenize/train (kind bpe, sampleFraction 1), one stage at a time. Figures from
// the manifests' resource accounting (`dnaflow status --trace --json`). Target (issue 12): ≤ 16 GB peak RSS and
// ≤ 20 min for 3.1 Gbp on 2 cores. Merges against Hugging Face are checked by the tokenize section (≥ 100 Mbp: HF
// cannot train a whole genome in this machine's memory). Options (after `bpe-genome`): --size F (fraction of GRCh38,
// default 1), --genome hg38.fa.gz. DNAFLOW_BENCH_DIR: where to work. Cleans up afterwards.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { command, GENOME_STAGES, options, withGenomePipeline } from "./genome-pipeline.js";

const PIPELINE = (fasta: string) => `
name: bpe-genome
stages:
${GENOME_STAGES(fasta)}  bpe:
    uses: tokenize/train@1
    with: { kind: bpe, vocabSize: 4096, minFrequency: 2, sampleFraction: 1, modelMaxLength: 512 }
    resources: { memory: 16GiB } # the stage's default (8 GiB) is for sampled corpora; Slurm enforces it
    inputs: { segments: "\${{ stages.segments.outputs.segments }}" }
`;

export default async function bench(): Promise<string> {
  const o = options(process.argv.slice(2), "bpe-genome");
  // the genome, its fragments and segments, and slack
  return withGenomePipeline("bpe-genome", o, 4, PIPELINE, async ({ genomeNote, rows, total, out, loadNote }) => {
    const tokDir = out("bpe", "tokenizer");
    const stats = JSON.parse(readFileSync(join(tokDir, "stats.json"), "utf8"));
    const json = readFileSync(join(tokDir, "tokenizer.json"));
    const merges = JSON.parse(json.toString("utf8")).model.merges.length;
    const bpe = rows.find((r) => r.stage === "bpe")!;
    const gib = (b: number) => (b / 2 ** 30).toFixed(2);
    const table = rows.map(
      (r) => `| ${r.stage} | ${r.wallS.toFixed(1)} | ${r.cpuS?.toFixed(1) ?? "-"} | ${gib(r.peakRssBytes)} | ${(r.inputBytes / 1e6).toFixed(0)} |`,
    );
    const rssOk = bpe.peakRssBytes <= 16e9;
    const wallOk = bpe.wallS <= 20 * 60;
    return `
## Whole-genome BPE

\`${command("bpe-genome", o)}\`: BPE-4096 (minFrequency 2) trained on every base of the
${genomeNote} (uniform random bases, so more distinct pairs than a real genome), without sampling: \`dnaflow run FILE -j 1\` of strip-n → segment 5–510 → tokenize/train
(sampleFraction 1). Figures from the manifests' resource accounting (\`dnaflow status FILE --trace\`): wall, CPU
seconds and peak RSS of each stage's process tree. Target (2 cores): BPE training ≤ 16 GB peak RSS and ≤ 20 min.
Hugging Face cannot train this corpus in this machine's memory (the tokenize section measures its GiB per Gbp); its
merges are compared, identical, on the ≥ 100 Mbp corpus of the tokenize section. **Load average: ${loadNote()}**
(1-minute averages every 10 s).

| stage | wall s | CPU s | peak RSS GiB | input MB |
|---|---:|---:|---:|---:|
${table.join("\n")}

BPE training on ${(stats.training.corpusBases / 1e6).toFixed(0)} Mbp: **${(bpe.wallS / 60).toFixed(1)} min${wallOk ? "" : " ✗"}, ${(bpe.peakRssBytes / 1e9).toFixed(1)} GB peak RSS${rssOk ? "" : " ✗"}** (targets ≤ 20 min, ≤ 16 GB); ${merges} merges
(stopped by ${stats.training.stoppedBy}), ${stats.training.distinctPairs} distinct pairs, ${stats.training.duplicateMerges} duplicate-string merges;
tokenizer.json sha256 ${createHash("sha256").update(json).digest("hex").slice(0, 16)}…. The CLI run took ${total.toFixed(0)} s in all.
`;
  });
}
