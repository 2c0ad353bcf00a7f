// GPU pretraining throughput: BERT-base (12 × 768, seq 512) masked-LM training, bf16, SDPA, torch.compile, on one GPU
// and with DDP on all visible GPUs (torchrun): tokens/s, MFU, time to first step (bench/gpu_bench.py). Runs with the
// worker's interpreter (DNAFLOW_PYTHON — a CUDA build of torch — or the managed venv). Without CUDA it fails with a
// clear message and BENCHMARKS.md keeps saying "not measured": never an estimate.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { workerPython } from "../engine/python/interpreter.js";
import { repoRoot } from "../test/helpers/paths.js";

const SCRIPT = join(repoRoot(), "bench", "gpu_bench.py");

interface Result {
  device: string;
  world: number;
  microBatch: number;
  seq: number;
  params: number;
  stepS: number;
  tokensPerS: number;
  mfu: number | null;
  peakTflops: number | null;
  timeToFirstStepS: number;
  maxMemoryAllocated: number;
  torch: string;
}

function runBench(python: string, gpus: number): Result {
  const argv = gpus > 1 ? ["-m", "torch.distributed.run", "--standalone", `--nproc-per-node=${gpus}`, SCRIPT] : [SCRIPT];
  const r = spawnSync(python, argv, { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, PYTHONUNBUFFERED: "1" } });
  const last = r.stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  const res = last ? JSON.parse(last) : undefined;
  if (res?.error) throw new Error(`bench gpu: ${res.error} — run it on a CUDA machine, with DNAFLOW_PYTHON pointing at a CUDA build of torch`);
  if (r.status !== 0 || !res) throw new Error(`bench gpu: ${gpus} GPU run failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return res;
}

export default async function bench(): Promise<string> {
  const python = await workerPython({ log: (l) => process.stderr.write(`bench gpu: ${l}\n`) });
  const probe = spawnSync(
    python,
    [
      "-c",
      "import torch, json; print(json.dumps({'n': torch.cuda.device_count() if torch.cuda.is_available() else 0, 'torch': torch.__version__, 'cuda': torch.version.cuda}))",
    ],
    { encoding: "utf8" },
  );
  if (probe.status !== 0) throw new Error(`bench gpu: ${python} cannot import torch: ${probe.stderr.slice(-1000)}`);
  const { n, torch, cuda } = JSON.parse(probe.stdout.trim());
  if (!n)
    throw new Error(
      `bench gpu: no CUDA device visible to ${python} (torch ${torch}, CUDA build ${cuda ?? "none"}) — run it on a CUDA machine, with DNAFLOW_PYTHON pointing at a CUDA build of torch`,
    );
  const results = [runBench(python, 1)];
  if (n > 1) results.push(runBench(python, n));
  const row = (r: Result) =>
    `| ${r.world} × ${r.device} | ${r.microBatch} | ${r.tokensPerS.toFixed(0)} | ${(r.tokensPerS / r.world).toFixed(0)} | ${r.mfu === null ? "unknown peak (set DNAFLOW_GPU_PEAK_TFLOPS)" : (100 * r.mfu).toFixed(1) + " %"} | ${r.timeToFirstStepS.toFixed(1)} s | ${(r.maxMemoryAllocated / 2 ** 30).toFixed(1)} GiB |`;
  return `
## Pretraining (GPU)

BERT-base masked-LM training (${(results[0].params / 1e6).toFixed(1)} M params: 12 layers × 768 hidden × 12 heads, vocab 4101,
sequence ${results[0].seq}), bf16 autocast, SDPA attention, \`torch.compile\`, fused AdamW, random token ids with 15 % of
positions labelled; median of 30 steps after 5 warm-up steps. MFU = tokens/s × (6 × (non-embedding params + vocab ×
hidden) + 12 × layers × hidden × seq) / (GPUs × peak dense bf16 FLOP/s of the device: ${results[0].peakTflops ?? "unknown"} TFLOP/s). Time to first
step: from the interpreter's start to the end of the first optimizer step, compilation included. torch ${results[0].torch}.

| GPUs | micro-batch per GPU | tokens/s | tokens/s per GPU | MFU | time to first step | peak GPU memory (rank 0) |
|---|---:|---:|---:|---:|---:|---:|
${results.map(row).join("\n")}
`;
}
