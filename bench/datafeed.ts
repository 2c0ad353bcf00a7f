// The pretraining data feed alone (bench/datafeed_bench.py): the worker's batch builder — rows gathered from memmapped
// token shards, RandomMask span masking (last phase), tensors — on one CPU core, rows of 512 tokens, as one process
// building the whole global batch of 256 rows and as one rank of 8 building its 32 rows. Reports tokens per second of
// wall time and per CPU-second (the machine is shared: CPU time is what one free core would take).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { workerPython } from "../engine/python/interpreter.js";
import { repoRoot } from "../test/helpers/paths.js";

interface Side {
  rowsPerRank: number;
  secondsPerStep: number;
  cpuSecondsPerStep: number;
  tokensPerS: number;
  tokensPerCpuS: number;
  realTokensPerCpuS: number;
  maskRatio: number;
}

export default async function bench(): Promise<string> {
  const python = await workerPython({ log: (l) => process.stderr.write(`bench datafeed: ${l}\n`) });
  const r = spawnSync(python, [join(repoRoot(), "bench", "datafeed_bench.py"), repoRoot()], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`datafeed bench failed: ${r.stderr.slice(-3000)}`);
  const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
  const M = (x: number) => (x / 1e6).toFixed(1);
  const row = (packing: string, w: string, s: Side) =>
    `| ${packing} | ${w === "world1" ? "1 (whole batch)" : "8 (this rank's slice)"} | ${s.rowsPerRank} | ${(s.cpuSecondsPerStep * 1000).toFixed(1)} | **${M(s.tokensPerCpuS)}** | ${M(s.realTokensPerCpuS)} | ${M(s.tokensPerS)} |`;
  const b = res.blocks.world8 as Side;
  return `
## Pretraining data feed

data feed: **${M(b.tokensPerCpuS)} M masked tokens/s per rank** per CPU-second on one core (rows of 512, blocks packing,
RandomMask last phase; target ≥ 5 M), ${M(b.tokensPerS)} M per second of wall time on this shared machine (load average
${res.load[0].toFixed(1)} on 2 cores at the end: the process got a fraction of a core).

What is measured: the worker's \`Batches.make\` — the rows of one step gathered from memmapped token shards (one
vectorized gather, also for \`rows\` packing), RandomMask span masking with the longest spans (6–14), the 80/10/10
replacement, and the torch tensors handed to the model — for 40 steps after a warm-up, pinned to one core, torch and
numpy single-threaded; vocab 4101 (kmer6), 40,000 rows of synthetic token ids. Masks are counter-based draws
(splitmix64 of seed, step, global row, position), so each rank builds only its rows of the global batch and gets the
masks one process would give them (worker/tests/test_masking.py, test_ddp.py). "real" counts only non-[PAD] tokens
(\`rows\` packing pads each 5–510 bp segment to 512).

| packing | ranks | rows built per rank per step | CPU ms per step | tokens/s per CPU-s (M) | real tokens/s per CPU-s (M) | tokens/s wall (M) |
|---|---|---:|---:|---:|---:|---:|
${["blocks", "rows"].flatMap((p) => ["world1", "world8"].map((w) => row(p, w, res[p][w]))).join("\n")}
`;
}
