# The pretraining data feed alone, on one CPU core: the worker's Batches.make (gather rows from memmapped token
# shards, RandomMask span masking in its last phase — the longest spans — and the tensors handed to the model) for
# rows of 512 tokens, kmer6-sized vocab. Prints one JSON line. Used by bench/datafeed.ts.
import json
import os
import sys
import tempfile
import time

os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
import numpy as np
import torch

torch.set_num_threads(1)
root = sys.argv[1]
sys.path.insert(0, root)
from worker.data import Dataset, SampleOrder, Tokenizer
from worker.masking import Masker
from worker.train import Batches

L, VOCAB, N = 512, 4101, 40_000
work = tempfile.mkdtemp(prefix="dnaflow-bench-datafeed-")
specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
tj = {"model": {"vocab": {f"t{i}": i for i in range(5, VOCAB)}}, "added_tokens": [{"id": i, "content": t, "special": True} for i, t in enumerate(specials)]}
os.makedirs(os.path.join(work, "tok"))
json.dump(tj, open(os.path.join(work, "tok", "tokenizer.json"), "w"))
tok = Tokenizer(os.path.join(work, "tok"))
rng = np.random.default_rng(0)


def shards(name, packing):
    d = os.path.join(work, name)
    os.makedirs(d)
    if packing == "blocks":  # [CLS] seq [SEP] concatenated, cut in 512s
        lens = np.full(N, L)
    else:  # one 5–510 bp segment per row: 6-mers → L - 5 + 2 tokens
        lens = rng.integers(5, 511, N) - 5 + 2
        lens = np.maximum(lens, 2)
    flat = rng.integers(5, VOCAB, int(lens.sum())).astype("<u2")
    ends = np.cumsum(lens)
    flat[ends - 1] = 3
    flat[ends - lens] = 2
    flat.tofile(os.path.join(d, "tokens.bin"))
    np.concatenate([[0], ends]).astype("<u8").tofile(os.path.join(d, "index.bin"))
    json.dump(
        {
            "format": "dnaflow.tokens/1",
            "dtype": "uint16",
            "count": N,
            "totalTokens": int(lens.sum()),
            "maxLength": L,
            "packing": packing,
            "tokenizerDigest": tok.digest,
        },
        open(os.path.join(d, "meta.json"), "w"),
    )
    return Dataset([d], tok, name), int(lens.sum())


masking = {
    "strategy": "randommask",
    "ratio": 0.15,
    "maskToken": 0.8,
    "randomToken": 0.1,
    "k": 6,
    "phases": 5,
    "minSpan": 6,
    "maxSpanStart": 6,
    "maxSpanStep": 2,
    "centreProbability": None,
}
out = {"rowLength": L, "vocab": VOCAB}
B, steps = 256, 40
for packing in ("blocks", "rows"):
    data, total = shards(packing, packing)
    masker = Masker(masking, tok.special_ids, tok.ids["mask"], tok.vocab_size, 1000)
    res = {}
    for world in (1, 8):
        per = B // world
        b = Batches(data, SampleOrder(data.count, 1), masker, B, 1, 0, 0, lo=0, hi=per)  # a thread that makes nothing
        b.make(900)  # warm-up (phase 4: spans of 6..14)
        t, c = time.perf_counter(), time.process_time()
        real = 0
        for s in range(900, 900 + steps):
            x, y, st = b.make(s)
            real += int((x != tok.ids["pad"]).sum())
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        # Wall and CPU time: on a shared machine the core is not ours alone, and CPU time is what one free core takes.
        res[f"world{world}"] = {
            "rowsPerRank": per,
            "secondsPerStep": dt / steps,
            "cpuSecondsPerStep": cpu / steps,
            "tokensPerS": per * L * steps / dt,
            "tokensPerCpuS": per * L * steps / cpu,
            "realTokensPerCpuS": real / cpu,
            "maskRatio": st["maskRatio"],
        }
    out[packing] = res
out["load"] = os.getloadavg()
print(json.dumps(out))
