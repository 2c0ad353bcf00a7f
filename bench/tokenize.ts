// Tokenizer benchmark: dnaflow vs Hugging Face tokenizers (Python, same machine, same run) on GRCh37 chrX
// (Debian smalt-examples) followed by its reverse complement, N stripped: 132 Mbp of real sequence, so BPE merges are
// compared with HF's on over 100 Mbp (HF needs ~7 GiB for it; a whole genome is beyond this machine for HF). Returns a markdown section for BENCHMARKS.md.
//   BPE training time + peak RSS (each side in its own process), BPE encode MB/s with identical ids, k-mer MB/s.
// Size: DNAFLOW_BENCH_BPE_MBP Mbp of training corpus (default: all of it, ~132 Mbp); encoding uses the first 10 Mbp.
// Our encode rate is the median of 5 passes (the machine may be shared); HF's is one pass of encode() per sequence
// (single-threaded) and one encode_batch() (all cores), as hf_bench.py measures them.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { reverseComplementInto } from "../lib/genome/reverse-complement.js";
import { BpeCorpus } from "../lib/tokenizers/bpe-corpus.js";
import { trainBpe } from "../lib/tokenizers/bpe-trainer.js";
import { tokenizerJsonText } from "../lib/tokenizers/hf-json.js";
import { IdBuffer } from "../lib/tokenizers/id-buffer.js";
import { KmerOverlappingTokenizer } from "../lib/tokenizers/kmer-overlapping.js";
import { DEFAULT_SPECIAL_TOKENS } from "../lib/tokenizers/alphabet.js";
import { loadTokenizer } from "../lib/tokenizers/tokenizer-file.js";
import { encodeWithSpecials, type DnaTokenizer } from "../lib/tokenizers/tokenizer.js";
import { workerPython } from "../engine/python/interpreter.js";
import { aptInstall } from "./util.js";

const CHRX = "/usr/share/doc/smalt/test/data/hs37chrXtrunc.fa.gz";
const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), "..", "..");
const HF_BENCH = join(ROOT, "test", "tokenize", "oracle", "hf_bench.py");
const SEGMENT = 1000;

function corpusLines(mbp: number): string[] {
  if (!existsSync(CHRX)) aptInstall(["smalt-examples"]);
  if (!existsSync(CHRX)) throw new Error(`${CHRX} missing: apt-get install smalt-examples`);
  const text = gunzipSync(readFileSync(CHRX)).toString("latin1");
  const seq = text
    .split("\n")
    .filter((l) => !l.startsWith(">"))
    .join("")
    .toUpperCase()
    .replace(/[^ACGT]/g, "");
  const fwd = Buffer.from(seq, "latin1");
  const rc = Buffer.allocUnsafe(fwd.length);
  reverseComplementInto(fwd, 0, fwd.length, rc);
  const both = seq + rc.toString("latin1");
  const want = Math.min(both.length, Math.round(mbp * 1e6));
  const lines: string[] = [];
  for (let i = 0; i + SEGMENT <= want; i += SEGMENT) lines.push(both.slice(i, i + SEGMENT));
  return lines;
}

// The training worker's interpreter has HF tokenizers pinned; a fresh clone's system Python does not.
let hfPython = "python3";
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- hf_bench.py prints a different JSON shape per command
function python(args: string[]): any {
  const r = spawnSync(hfPython, [HF_BENCH, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`HF bench failed (${r.status}): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout);
}

/** Child-process entry: train our BPE on a corpus file, report time and peak RSS. */
function trainChild(corpusFile: string, vocab: number, minFreq: number, out: string): void {
  const lines = readFileSync(corpusFile, "latin1").split("\n").filter(Boolean);
  const corpus = new BpeCorpus(
    lines.reduce((a, l) => a + l.length, 0),
    vocab,
  );
  for (const l of lines) corpus.add(l);
  lines.length = 0;
  const t = performance.now();
  const { tokenizer } = trainBpe(corpus, { vocabSize: vocab, minFrequency: minFreq, specialTokens: DEFAULT_SPECIAL_TOKENS });
  const seconds = (performance.now() - t) / 1000;
  writeFileSync(out, tokenizerJsonText(tokenizer));
  console.log(JSON.stringify({ seconds, maxRssKb: process.resourceUsage().maxRSS }));
}

function encodeRate(tok: DnaTokenizer, lines: string[], reps = 5): { mbps: number; sha: string; tokens: number } {
  const buf = new IdBuffer();
  const bases = lines.reduce((a, l) => a + l.length, 0);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    for (const l of lines) {
      buf.clear();
      tok.encode(l, buf);
    }
    times.push(performance.now() - t);
  }
  const median = times.sort((a, b) => a - b)[reps >> 1];
  const h = createHash("sha256");
  let tokens = 0;
  for (const l of lines) {
    buf.clear();
    encodeWithSpecials(tok, l, buf);
    h.update(JSON.stringify(buf.toArray()));
    tokens += buf.length;
  }
  return { mbps: bases / 1e6 / (median / 1000), sha: h.digest("hex"), tokens };
}

export default async function bench(): Promise<string> {
  const mbp = Number(process.env.DNAFLOW_BENCH_BPE_MBP ?? Infinity);
  const vocab = 4096;
  const minFreq = 4;
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-bench-tok-"));
  const lines = corpusLines(mbp);
  hfPython = await workerPython({ log: (l) => process.stderr.write(`bench tokenize: ${l}\n`) });
  const corpusFile = join(dir, "corpus.txt");
  writeFileSync(corpusFile, lines.join("\n") + "\n");
  const bases = lines.length * SEGMENT;

  const ourJson = join(dir, "ours.json");
  const child = spawnSync(process.execPath, [SELF, "--train", corpusFile, String(vocab), String(minFreq), ourJson], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`dnaflow BPE training failed: ${child.stderr}`);
  const ours = JSON.parse(child.stdout);
  const hf = python(["train", "--corpus", corpusFile, "--vocab-size", String(vocab), "--min-frequency", String(minFreq), "--out", join(dir, "hf.json")]);
  const hfModel = JSON.parse(readFileSync(join(dir, "hf.json"), "utf8")).model;
  const ourModel = JSON.parse(readFileSync(ourJson, "utf8")).model;
  const sameMerges = JSON.stringify(hfModel.merges.map((m: string[] | string) => (Array.isArray(m) ? m.join(" ") : m))) === JSON.stringify(ourModel.merges);

  const encLines = lines.slice(0, Math.min(lines.length, 10000));
  const { tokenizer } = await loadTokenizer(ourJson);
  const ourEnc = encodeRate(tokenizer, encLines);
  const hfEnc = python(encodeArgs(dir, encLines, ourJson));
  const kmer = new KmerOverlappingTokenizer(6, DEFAULT_SPECIAL_TOKENS);
  const ourKmer = encodeRate(kmer, encLines, 5);
  const kmerJson = join(dir, "kmer.json");
  writeFileSync(kmerJson, tokenizerJsonText(kmer));
  const hfKmer = python(["encode", "--tokenizer", kmerJson, "--corpus", join(dir, "enc.txt"), "--kmer", "6"]);
  const encBases = encLines.length * SEGMENT;
  const hfMbps = encBases / 1e6 / hfEnc.seconds;
  const hfBatchMbps = encBases / 1e6 / hfEnc.batchSeconds;
  const hfKmerMbps = encBases / 1e6 / hfKmer.seconds;
  const gb = (kb: number) => (kb / 1024 / 1024).toFixed(2);
  const perGbp = (x: number) => (x * (1000 / (bases / 1e6))).toFixed(0);
  return [
    "## Tokenizers (dnaflow vs Hugging Face tokenizers)",
    "",
    `Machine: ${cpus()[0].model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; ${new Date().toISOString().slice(0, 10)}; Node ${process.version}.`,
    `Command: \`npm run bench\` (bench/tokenize.ts; DNAFLOW_BENCH_BPE_MBP=${Number.isFinite(mbp) ? mbp : "all"}). Corpus: GRCh37 chrX (smalt-examples) and its reverse complement, N stripped, ${lines.length} segments of ${SEGMENT} bp = ${(bases / 1e6).toFixed(1)} Mbp.`,
    "",
    "| measure | dnaflow | HF tokenizers | ratio |",
    "|---|---|---|---|",
    `| BPE training, vocab ${vocab}, minFrequency ${minFreq}: time | ${ours.seconds.toFixed(1)} s | ${hf.seconds.toFixed(1)} s | ${(hf.seconds / ours.seconds).toFixed(2)}× faster |`,
    `| BPE training: peak RSS (whole process) | ${gb(ours.maxRssKb)} GiB | ${gb(hf.maxRssKb)} GiB | ${(ours.maxRssKb / hf.maxRssKb).toFixed(2)} of HF |`,
    `| BPE merges identical to HF | ${sameMerges ? "yes" : "NO"} (${ourModel.merges.length} merges) | | |`,
    `| BPE encode, ${(encBases / 1e6).toFixed(0)} Mbp, 1 thread | ${ourEnc.mbps.toFixed(1)} MB/s | ${hfMbps.toFixed(1)} MB/s (encode_batch: ${hfBatchMbps.toFixed(1)}) | ${(ourEnc.mbps / hfMbps).toFixed(1)}× |`,
    `| BPE encode ids identical (sha256 of all ids) | ${ourEnc.sha === hfEnc.idsSha256 ? "yes" : "NO"} | | |`,
    `| BPE encode speedup: dnaflow 1 thread vs HF encode (1 thread) | ${(ourEnc.mbps / hfMbps).toFixed(1)}× | target ≥ 10×: ${ourEnc.mbps >= 10 * hfMbps ? "met" : "NOT met"} | |`,
    `| BPE encode speedup: dnaflow 1 thread vs HF encode_batch (${cpus().length} cores) | ${(ourEnc.mbps / hfBatchMbps).toFixed(1)}× | | |`,
    `| 6-mer overlapping encode, 1 thread | ${ourKmer.mbps.toFixed(0)} MB/s | ${hfKmerMbps.toFixed(1)} MB/s (on pre-split text) | ${(ourKmer.mbps / hfKmerMbps).toFixed(0)}× |`,
    `| 6-mer ids identical | ${ourKmer.sha === hfKmer.idsSha256 ? "yes" : "NO"} | | |`,
    "",
    `Per Gbp at this size: dnaflow ${perGbp(ours.seconds)} s and ${(((ours.maxRssKb / 1024 / 1024) * 1000) / (bases / 1e6)).toFixed(1)} GiB; HF ${perGbp(hf.seconds)} s and ${(((hf.maxRssKb / 1024 / 1024) * 1000) / (bases / 1e6)).toFixed(0)} GiB, ` +
      `so HF cannot train a 3.1 Gbp genome in this machine's memory. dnaflow's whole-genome run is measured, not extrapolated, in the section "Whole-genome BPE" (distinct pairs grow slower than the corpus, so its memory per Gbp is lower).`,
    "",
  ].join("\n");
}

function encodeArgs(dir: string, encLines: string[], tokJson: string): string[] {
  writeFileSync(join(dir, "enc.txt"), encLines.join("\n") + "\n");
  return ["encode", "--tokenizer", tokJson, "--corpus", join(dir, "enc.txt")];
}

if (process.argv[1] === SELF && process.argv[2] === "--train") {
  trainChild(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6]);
} else if (process.argv[1] === SELF) {
  bench().then((md) => console.log(md));
}
