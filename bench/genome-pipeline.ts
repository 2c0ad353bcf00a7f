// What the GRCh38-sized sections (scale, bpe-genome) share: their options, the genome's first two stages, and one
// run of a pipeline through the CLI as a user runs it (`dnaflow run FILE -j 1`, so stages do not overlap and each
// stage's figures are its own) on the seeded synthetic genome or a given one, with the load sampled meanwhile, the
// per-stage figures read back from the manifests (`dnaflow status --trace --json`), and the work directory removed
// afterwards (kept with DNAFLOW_BENCH_KEEP). DNAFLOW_BENCH_DIR: where to work (default the OS temp dir).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FsLayout } from "../cache/layout.js";
import { CLI } from "../test/helpers/cli.js";
import { writeSyntheticGenome } from "./synthetic-genome.js";
import { spawnAsync } from "./util.js";

export interface GenomeOptions {
  size: number;
  genome?: string;
}

/** --size F (fraction of GRCh38, default 1) and --genome hg38.fa.gz (a real genome instead of the synthetic one). */
export function options(argv: string[], section: string): GenomeOptions {
  const at = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const size = Number(at("--size") ?? 1);
  if (!(size > 0 && size <= 1)) throw new Error(`bench ${section}: --size must be in (0, 1], got ${at("--size")}`);
  return { size, genome: at("--genome") };
}

/** `bench SECTION --size F --genome G` as the section was invoked, for its heading. */
export function command(section: string, o: GenomeOptions): string {
  return `npm run bench -- ${section}${o.size !== 1 ? ` --size ${o.size}` : ""}${o.genome ? ` --genome ${o.genome}` : ""}`;
}

/** The stages `fragments` (strip-n 5, primary chromosomes) and `segments` (5–510 bp), as YAML under `stages:`. */
export const GENOME_STAGES = (fasta: string) => `  fragments:
    uses: genome/strip-n@1
    with: { minLength: 5, exclude: ["_alt$", "_fix$", "_random$", "^chrUn_", "^chrEBV$", "^chrM$"] }
    inputs: { fasta: ${JSON.stringify(fasta)} }
  segments:
    uses: genome/segment@1
    with: { min: 5, max: 510, seed: 42 }
    inputs: { fragments: "\${{ stages.fragments.outputs.fragments }}" }
`;

/** One stage's figures from `dnaflow status --trace --json`. */
export interface StageRow {
  stage: string;
  wallS: number;
  cpuS?: number;
  /** The system (kernel) part of cpuS. */
  sysS?: number;
  peakRssBytes: number;
  inputBytes: number;
  inputMBps: number;
}

export interface GenomePipelineRun {
  dir: string;
  fasta: string;
  /** What the genome is, for the section's text. */
  genomeNote: string;
  rows: StageRow[];
  /** Wall seconds of the whole `dnaflow run`. */
  total: number;
  /** An output directory of a stage instance in the run's store. */
  out(id: string, output: string): string;
  /** "A at the start, B at the end, up to C" of the 1-minute load average, sampled every 10 s. */
  loadNote(): string;
}

/**
 * Writes the genome (unless given), runs `yaml(fasta)` through the CLI and hands the run to `use`. `diskFactor`: free
 * disk needed, in multiples of the genome, checked first rather than filling a shared disk.
 */
export async function withGenomePipeline<T>(
  section: string,
  o: GenomeOptions,
  diskFactor: number,
  yaml: (fasta: string) => string,
  use: (run: GenomePipelineRun) => Promise<T>,
): Promise<T> {
  const root = resolve(process.env.DNAFLOW_BENCH_DIR || tmpdir());
  const need = (o.genome ? statSync(o.genome).size * 4 : 3.15e9 * o.size) * diskFactor;
  const fs = statfsSync(root);
  const free = fs.bavail * fs.bsize;
  const gb = (b: number) => (b / 1e9).toFixed(2);
  if (free < need) throw new Error(`bench ${section}: needs ~${gb(need)} GB free in ${root}, has ${gb(free)} GB (use --size or DNAFLOW_BENCH_DIR)`);
  const dir = mkdtempSync(join(root, `dnaflow-bench-${section}-`));
  const loads: number[] = [loadavg()[0]];
  const sampler = setInterval(() => loads.push(loadavg()[0]), 10_000);
  try {
    const fasta = o.genome ? resolve(o.genome) : join(dir, "genome.fa");
    let genomeNote: string;
    const tGen = Date.now();
    if (!o.genome) {
      process.stderr.write(`bench ${section}: writing a ${(3.15 * o.size).toFixed(2)} GB synthetic genome…\n`);
      const g = writeSyntheticGenome(fasta, o.size);
      genomeNote = `seeded synthetic GRCh38-sized genome (bench/synthetic-genome.ts, --size ${o.size}): ${g.records} records (hg38's 24 primary chromosome lengths × ${o.size}, 200 chrUn contigs), ${(g.bases / 1e6).toFixed(0)} Mbp of which ${(g.nBases / 1e6).toFixed(0)} Mbp N (telomeres, centromeres, acrocentric arms, chrY heterochromatin, gaps), ~50 % soft-masked, ${(g.bytes / 1e6).toFixed(0)} MB of FASTA (60 bp lines), written in ${((Date.now() - tGen) / 1000).toFixed(0)} s`;
    } else genomeNote = `${o.genome} (${(statSync(o.genome).size / 1e6).toFixed(0)} MB)`;
    const file = `${section}.yaml`;
    writeFileSync(join(dir, file), yaml(fasta));
    const store = join(dir, "store");
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, "--store", store], { cwd: dir, encoding: "utf8" });
    process.stderr.write(`bench ${section}: running the pipeline through the CLI…\n`);
    const t0 = Date.now();
    // not spawnSync: the load sampler's timer must keep firing while the CLI runs
    const run = await spawnAsync([process.execPath, CLI, "run", file, "-j", "1", "--store", store], { cwd: dir, env: { ...process.env, DNAFLOW_STORE: "" } });
    const total = (Date.now() - t0) / 1000;
    if (run.status !== 0) throw new Error(`bench ${section}: dnaflow run failed (${run.status}): ${run.stderr.slice(-3000)}`);
    const trace = cli("status", file, "--trace", "--json");
    if (trace.status !== 0) throw new Error(`bench ${section}: status --trace failed: ${trace.stderr}`);
    const keys = JSON.parse(cli("plan", file, "--json").stdout).stages as Array<{ id: string; key: string }>;
    const layout = new FsLayout(store);
    return await use({
      dir,
      fasta,
      genomeNote,
      rows: JSON.parse(trace.stdout),
      total,
      out: (id, output) => layout.output(keys.find((k) => k.id === id)!.key, output),
      loadNote: () => `${loads[0].toFixed(1)} at the start, ${loads[loads.length - 1].toFixed(1)} at the end, up to ${Math.max(...loads).toFixed(1)}`,
    });
  } finally {
    clearInterval(sampler);
    if (!process.env.DNAFLOW_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}
