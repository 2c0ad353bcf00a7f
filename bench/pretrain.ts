// Pretraining throughput on CPU: the worker (python -m worker pretrain, prefetching data thread, MLM head on masked
// positions only) vs a minimal reference loop (the same HF RobertaForMaskedLM, a plain torch loop doing the data
// gathering and masking inline, HF's full-sequence MLM loss), same batch, same threads, in the same run. Also reports how
// long the worker's training loop waited for data. Env: DNAFLOW_PYTHON (default: the worker's managed venv), DNAFLOW_BENCH_PRETRAIN_STEPS.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { workerPython } from "../engine/python/interpreter.js";
import { repoRoot } from "../test/helpers/paths.js";

const SCRIPT = String.raw`
import gzip, hashlib, json, os, statistics, subprocess, sys, time
import numpy as np
root, work, steps, warm = sys.argv[1], sys.argv[2], int(sys.argv[3]), 3
sys.path.insert(0, root)
from worker.tests.helpers import SPECIALS, write_shards
from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors, trainers
L, B, threads = 256, 16, int(os.environ.get("BENCH_THREADS", "2"))
model_cfg = {"family": "roberta", "layers": 4, "hidden": 256, "heads": 4, "intermediate": 1024, "maxPositions": L, "dropout": 0.1, "attentionDropout": 0.1}

# data: BPE-1024 trained on the bundled hg38 chr2 slice, 256-token blocks
seq = "".join(l.strip() for l in gzip.open(os.path.join(root, "test/fixtures/genome/chr2_1-2333275.fa.gz"), "rt") if not l.startswith(">")).upper()
segs = [s for s in (seq[i:i + 1000] for i in range(0, len(seq), 1000)) if "N" not in s]
tok = Tokenizer(models.BPE(unk_token="[UNK]"))
tok.pre_tokenizer = pre_tokenizers.Split(Regex("[^ACGT]"), "isolated")
tok.train_from_iterator(segs, trainers.BpeTrainer(vocab_size=1024, min_frequency=4, special_tokens=SPECIALS, initial_alphabet=list("ACGT"), show_progress=False))
tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
td = os.path.join(work, "tokenizer"); os.makedirs(td, exist_ok=True); tok.save(os.path.join(td, "tokenizer.json"))
ids = np.concatenate([e.ids for e in tok.encode_batch(segs)])
n = len(ids) // L
write_shards(os.path.join(work, "shards"), td, [ids[i * L:(i + 1) * L] for i in range(n)], L)

# the worker and the reference loop, alternated (worker, reference, worker, reference) so load from other processes
# hits both alike; each side's best median step time counts
import torch
from transformers import AutoModelForMaskedLM, RobertaConfig

def run_worker(i):
    cfg = {"tokenizer": td, "train": os.path.join(work, "shards"), "checkpointDir": os.path.join(work, f"ckpt{i}"), "outDir": os.path.join(work, f"out{i}"),
           "model": model_cfg, "masking": {"strategy": "bert"}, "optimizer": {"lr": 1e-4}, "steps": steps + warm, "batchSize": B,
           "checkpointEvery": 10**9, "threads": threads, "seed": 1}
    json.dump(cfg, open(os.path.join(work, "cfg.json"), "w"))
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "worker", "pretrain", "--config", os.path.join(work, "cfg.json")], cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": root})
    if r.returncode: sys.exit("worker failed: " + r.stderr[-2000:])
    wall = time.perf_counter() - t0
    # per-step timings are in the progress events (metrics.jsonl is published content: no timings)
    m = [e for e in (json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")) if e["event"] == "progress"][warm:]
    return {"tokensPerS": statistics.median(x["tokensPerS"] for x in m), "stepS": statistics.median(x["stepS"] for x in m),
            "dataWaitS": sum(x["dataWaitS"] for x in m), "trainS": sum(x["stepS"] for x in m), "wallS": wall}

blocks = np.memmap(os.path.join(work, "shards", "tokens.bin"), dtype="<u2", mode="r")[: n * L].reshape(n, L)

def run_reference():
    torch.set_num_threads(threads); torch.manual_seed(1)
    model = AutoModelForMaskedLM.from_config(RobertaConfig(vocab_size=1024, hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024,
        max_position_embeddings=L + 1, pad_token_id=0, bos_token_id=2, eos_token_id=3, type_vocab_size=1, layer_norm_eps=1e-5), attn_implementation="sdpa")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
    g = torch.Generator().manual_seed(1)
    times = []
    model.train()
    for step in range(steps + warm):
        t = time.perf_counter()
        idx = torch.randint(0, n, (B,), generator=g).sort().values.numpy()
        x = torch.from_numpy(blocks[idx].astype(np.int64))
        labels = x.clone()
        prob = torch.full(x.shape, 0.15); prob[x < 5] = 0
        masked = torch.bernoulli(prob, generator=g).bool()
        labels[~masked] = -100
        repl = torch.bernoulli(torch.full(x.shape, 0.8), generator=g).bool() & masked
        x[repl] = 4
        rnd = torch.bernoulli(torch.full(x.shape, 0.5), generator=g).bool() & masked & ~repl
        x[rnd] = torch.randint(5, 1024, x.shape, generator=g)[rnd]
        loss = model(input_ids=x, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - t)
    s = statistics.median(times[warm:])
    return {"tokensPerS": B * L / s, "stepS": s, "params": sum(p.numel() for p in model.parameters())}

rounds = [(run_worker(i), run_reference()) for i in range(2)]
worker = min((w for w, _ in rounds), key=lambda w: w["stepS"])
reference = min((r for _, r in rounds), key=lambda r: r["stepS"])
print(json.dumps({"worker": worker, "reference": reference, "rounds": rounds, "B": B, "L": L, "steps": steps, "threads": threads,
                  "params": reference["params"], "torch": torch.__version__, "rows": n, "load": os.getloadavg()}))
`;

export default async function bench(): Promise<string> {
  // The worker's own interpreter (DNAFLOW_PYTHON, else the managed venv, installed on first use): the script needs
  // torch, transformers and tokenizers, which a fresh clone's system Python does not have.
  const python = await workerPython({ log: (l) => process.stderr.write(`bench pretrain: ${l}\n`) });
  const steps = Number(process.env.DNAFLOW_BENCH_PRETRAIN_STEPS ?? 15);
  const work = mkdtempSync(join(tmpdir(), "dnaflow-bench-pretrain-"));
  const r = spawnSync(python, ["-c", SCRIPT, repoRoot(), work, String(steps)], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`pretrain bench failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
  const w = res.worker;
  const ratio = w.tokensPerS / res.reference.tokensPerS;
  return `
## Pretraining (CPU)

\`python -m worker pretrain\` vs a minimal reference loop in the same run: both train the same Hugging Face
RobertaForMaskedLM (4 layers × 256 hidden × 4 heads, intermediate 1024, ${(res.params / 1e6).toFixed(2)} M params, BPE-1024 vocab) on
${res.rows} blocks of ${res.L} tokens from the bundled hg38 chr2 slice, batch ${res.B}, AdamW, BERT masking, fp32, ${res.threads} torch
threads, ${res.steps} timed steps after 3 warm-up steps (median step). Each side runs twice, alternating (worker,
reference, worker, reference), and its better run counts: the machine is shared (1-min load average ${res.load[0].toFixed(1)}
at the end; s/step per round, worker / reference: ${res.rounds.map((r: Array<{ stepS: number }>) => `${r[0].stepS.toFixed(3)} / ${r[1].stepS.toFixed(3)}`).join(", ")}). The reference gathers and masks each batch inline and
computes HF's MLM loss over every position; the worker prefetches masked batches in a thread (seeded per step, so
results do not depend on it) and runs the model's own MLM head only at masked positions. torch ${res.torch}.

| | tokens/s | s/step |
|---|---:|---:|
| worker | ${w.tokensPerS.toFixed(0)} | ${w.stepS.toFixed(3)} |
| reference loop | ${res.reference.tokensPerS.toFixed(0)} | ${res.reference.stepS.toFixed(3)} |
| **ratio worker / reference** | **${ratio.toFixed(2)}×** (target ≥ 0.95×) | |

Time the worker's training loop waited for data: **${w.dataWaitS.toFixed(3)} s of ${w.trainS.toFixed(1)} s** of training steps
(${((100 * w.dataWaitS) / w.trainS).toFixed(2)} %): data loading is not the bottleneck. Worker wall time including
interpreter start, model build and HF export: ${w.wallS.toFixed(1)} s.

GPU: not measured (no GPU was available when this section was written).
`;
}
