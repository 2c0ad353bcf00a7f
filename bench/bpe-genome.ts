// Whole-genome BPE: BPE-4096 trained on every base of a GRCh38-sized genome (no sampling), through the CLI as a user
// runs it: strip-n → segment 5–510 → tokenize/train (kind bpe, sampleFraction 1), one stage at a time. Figures from
// the manifests' resource accounting (`dnaflow status --trace --json`). Target (issue 12): ≤ 16 GB peak RSS and
// ≤ 20 min for 3.1 Gbp on 2 cores. Merges against Hugging Face are checked by the tokenize section (≥ 100 Mbp: HF
// cannot train a whole genome in this machine's memory). Options (after `bpe-genome`): --size F (fraction of GRCh38,
// default 1), --genome hg38.fa.gz. DNAFLOW_BENCH_DIR: where to work. Cleans up afterwards.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FsLayout } from "../cache/layout.js";
import { CLI } from "../test/helpers/cli.js";
import { options } from "./scale.js";
import { writeSyntheticGenome } from "./synthetic-genome.js";
import { spawnAsync } from "./util.js";

const PIPELINE = (fasta: string) => `
name: bpe-genome
stages:
  fragments:
    uses: genome/strip-n@1
    with: { minLength: 5, exclude: ["_alt$", "_fix$", "_random$", "^chrUn_", "^chrEBV$", "^chrM$"] }
    inputs: { fasta: ${JSON.stringify(fasta)} }
  segments:
    uses: genome/segment@1
    with: { min: 5, max: 510, seed: 42 }
    inputs: { fragments: "\${{ stages.fragments.outputs.fragments }}" }
  bpe:
    uses: tokenize/train@1
    with: { kind: bpe, vocabSize: 4096, minFrequency: 2, sampleFraction: 1, modelMaxLength: 512 }
    resources: { memory: 16GiB } # the stage's default (8 GiB) is for sampled corpora; Slurm enforces it
    inputs: { segments: "\${{ stages.segments.outputs.segments }}" }
`;

interface Row {
  stage: string;
  wallS: number;
  cpuS?: number;
  peakRssBytes: number;
  inputBytes: number;
}

export default async function bench(): Promise<string> {
  const { size, genome } = options(process.argv.slice(2));
  const root = resolve(process.env.DNAFLOW_BENCH_DIR || tmpdir());
  const need = (genome ? statSync(genome).size * 4 : 3.15e9 * size) * 4; // genome, fragments, segments, slack
  const fs = statfsSync(root);
  if (fs.bavail * fs.bsize < need) throw new Error(`bench bpe-genome: needs ~${(need / 1e9).toFixed(1)} GB free in ${root} (use --size or DNAFLOW_BENCH_DIR)`);
  const dir = mkdtempSync(join(root, "dnaflow-bench-bpe-genome-"));
  const loads: number[] = [loadavg()[0]];
  const sampler = setInterval(() => loads.push(loadavg()[0]), 10_000);
  try {
    const fasta = genome ? resolve(genome) : join(dir, "genome.fa");
    let genomeNote: string;
    if (!genome) {
      process.stderr.write(`bench bpe-genome: writing a ${(3.15 * size).toFixed(2)} GB synthetic genome…\n`);
      const g = writeSyntheticGenome(fasta, size);
      genomeNote = `the seeded synthetic GRCh38-sized genome of the scale section (--size ${size}: ${(g.bases / 1e6).toFixed(0)} Mbp, ${(g.nBases / 1e6).toFixed(0)} Mbp of it N; uniform random bases, so more distinct pairs than a real genome)`;
    } else genomeNote = `${genome} (${(statSync(genome).size / 1e6).toFixed(0)} MB)`;
    writeFileSync(join(dir, "bpe.yaml"), PIPELINE(fasta));
    const store = join(dir, "store");
    process.stderr.write(`bench bpe-genome: running through the CLI…\n`);
    const t0 = Date.now();
    const run = await spawnAsync([process.execPath, CLI, "run", "bpe.yaml", "-j", "1", "--store", store], {
      cwd: dir,
      env: { ...process.env, DNAFLOW_STORE: "" },
    });
    const total = (Date.now() - t0) / 1000;
    if (run.status !== 0) throw new Error(`bench bpe-genome: dnaflow run failed (${run.status}): ${run.stderr.slice(-3000)}`);
    const trace = spawnSync(process.execPath, [CLI, "status", "bpe.yaml", "--trace", "--json", "--store", store], { cwd: dir, encoding: "utf8" });
    if (trace.status !== 0) throw new Error(`bench bpe-genome: status --trace failed: ${trace.stderr}`);
    const rows: Row[] = JSON.parse(trace.stdout);
    const keys = JSON.parse(spawnSync(process.execPath, [CLI, "plan", "bpe.yaml", "--json", "--store", store], { cwd: dir, encoding: "utf8" }).stdout)
      .stages as Array<{ id: string; key: string }>;
    const tokDir = new FsLayout(store).output(keys.find((k) => k.id === "bpe")!.key, "tokenizer");
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

\`npm run bench -- bpe-genome${size !== 1 ? ` --size ${size}` : ""}${genome ? ` --genome ${genome}` : ""}\`: BPE-4096 (minFrequency 2) trained on
every base of ${genomeNote}, without sampling: \`dnaflow run FILE -j 1\` of strip-n → segment 5–510 → tokenize/train
(sampleFraction 1). Figures from the manifests' resource accounting (\`dnaflow status FILE --trace\`): wall, CPU
seconds and peak RSS of each stage's process tree. Target (2 cores): BPE training ≤ 16 GB peak RSS and ≤ 20 min.
Hugging Face cannot train this corpus in this machine's memory (the tokenize section measures its GiB per Gbp); its
merges are compared, identical, on the ≥ 100 Mbp corpus of the tokenize section. **Load average: ${loads[0].toFixed(1)} at the
start, ${loads[loads.length - 1].toFixed(1)} at the end, up to ${Math.max(...loads).toFixed(1)}** (1-minute averages every 10 s).

| stage | wall s | CPU s | peak RSS GiB | input MB |
|---|---:|---:|---:|---:|
${table.join("\n")}

BPE training on ${(stats.training.corpusBases / 1e6).toFixed(0)} Mbp: **${(bpe.wallS / 60).toFixed(1)} min${wallOk ? "" : " ✗"}, ${(bpe.peakRssBytes / 1e9).toFixed(1)} GB peak RSS${rssOk ? "" : " ✗"}** (targets ≤ 20 min, ≤ 16 GB); ${merges} merges
(stopped by ${stats.training.stoppedBy}), ${stats.training.distinctPairs} distinct pairs, ${stats.training.duplicateMerges} duplicate-string merges;
tokenizer.json sha256 ${createHash("sha256").update(json).digest("hex").slice(0, 16)}…. The CLI run took ${total.toFixed(0)} s in all.
`;
  } finally {
    clearInterval(sampler);
    if (!process.env.DNAFLOW_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}
