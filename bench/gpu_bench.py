# BERT-base masked-LM training throughput on CUDA: 12 layers x 768 hidden x 12 heads, sequence 512, bf16 autocast,
# SDPA attention, torch.compile, fused AdamW. One process per GPU under torchrun (DDP) or a single process. Prints one
# JSON line (rank 0): tokens/s, MFU, time to first step. Run by bench/gpu.ts; BENCH_SMOKE=1 runs a tiny model on CPU
# only to check this script's code paths (its figures are never recorded).
import json
import os
import statistics
import sys
import time

t_launch = time.perf_counter()
import torch
import torch.distributed as dist

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
if not SMOKE and not torch.cuda.is_available():
    print(json.dumps({"error": f"no CUDA device: torch {torch.__version__} (CUDA build: {torch.version.cuda}) sees none"}))
    sys.exit(3)

from transformers import BertConfig, BertForMaskedLM

# Peak dense bf16 tensor FLOP/s by device name (vendor datasheets, without sparsity); others: DNAFLOW_GPU_PEAK_TFLOPS.
PEAK_TFLOPS = {
    "H200": 989.0,
    "H100 SXM": 989.0,
    "H100 80GB HBM3": 989.0,
    "H100 PCIe": 756.0,
    "H100 NVL": 835.0,
    "A100": 312.0,
    "L40S": 362.0,
    "L4": 121.0,
    "A10G": 70.0,
    "RTX 4090": 165.0,
}

world = int(os.environ.get("WORLD_SIZE", "1"))
rank = int(os.environ.get("RANK", "0"))
local = int(os.environ.get("LOCAL_RANK", "0"))
if world > 1:
    dist.init_process_group("nccl")
device = torch.device("cpu") if SMOKE else torch.device("cuda", local)
if not SMOKE:
    torch.cuda.set_device(device)
    torch.backends.cuda.matmul.allow_tf32 = True

L = 512 if not SMOKE else 64
B = int(os.environ.get("BENCH_MICRO_BATCH", "32" if not SMOKE else "2"))
steps, warm = (int(os.environ.get("BENCH_STEPS", "30")), 5) if not SMOKE else (3, 1)
vocab = 4101  # BPE-4096 + specials, as in the ablation
layers, hidden, heads = (12, 768, 12) if not SMOKE else (2, 64, 2)
cfg = BertConfig(
    vocab_size=vocab,
    hidden_size=hidden,
    num_hidden_layers=layers,
    num_attention_heads=heads,
    intermediate_size=4 * hidden,
    max_position_embeddings=L,
    pad_token_id=0,
)
torch.manual_seed(1234 + rank)
model = BertForMaskedLM._from_config(cfg, attn_implementation="sdpa").to(device)
params = sum(p.numel() for p in model.parameters())
embedding = sum(p.numel() for n, p in model.named_parameters() if "embeddings" in n)
if world > 1:
    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local])
if not SMOKE:
    model = torch.compile(model)
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=not SMOKE)

g = torch.Generator(device="cpu").manual_seed(rank)


def batch():
    ids = torch.randint(5, vocab, (B, L), generator=g)
    labels = torch.where(torch.rand((B, L), generator=g) < 0.15, ids, torch.full_like(ids, -100))
    return ids.to(device, non_blocking=True), labels.to(device, non_blocking=True)


def sync():
    if not SMOKE:
        torch.cuda.synchronize()


times, first = [], None
for step in range(steps + warm):
    ids, labels = batch()
    t = time.perf_counter()
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=not SMOKE):
        loss = model(input_ids=ids, labels=labels).loss
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    sync()
    if first is None:
        first = time.perf_counter() - t_launch
    if step >= warm:
        times.append(time.perf_counter() - t)

step_s = statistics.median(times)
tokens_per_s = B * L * world / step_s
# Training FLOPs per token: 6 x (non-embedding params + the MLM decoder's vocab x hidden matmul) + attention scores
# and values, 12 x layers x hidden x sequence (the PaLM appendix B accounting).
flops_per_token = 6 * (params - embedding + vocab * hidden) + 12 * layers * hidden * L
name = torch.cuda.get_device_name(device) if not SMOKE else "cpu (smoke)"
peak = os.environ.get("DNAFLOW_GPU_PEAK_TFLOPS")
peak = float(peak) if peak else next((v for k, v in PEAK_TFLOPS.items() if k in name), None)
mfu = tokens_per_s * flops_per_token / (peak * 1e12 * world) if peak else None
mem = torch.cuda.max_memory_allocated(device) if not SMOKE else 0
if rank == 0:
    print(
        json.dumps(
            {
                "device": name,
                "world": world,
                "microBatch": B,
                "seq": L,
                "params": params,
                "stepS": step_s,
                "tokensPerS": tokens_per_s,
                "mfu": mfu,
                "peakTflops": peak,
                "timeToFirstStepS": first,
                "maxMemoryAllocated": mem,
                "torch": torch.__version__,
                "loss": float(loss.detach()),
            }
        )
    )
if world > 1:
    dist.destroy_process_group()
