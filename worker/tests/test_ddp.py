"""DDP through torchrun (gloo on CPU here, NCCL on GPUs): two processes with half the rows each give the same loss curve
as one process with the whole batch — the global batch is microBatchSize × devices × accumulation."""

import json
import os
import subprocess
import sys

from .helpers import REPO, run_worker, tiny_config


def test_two_processes_match_one(data, tmp_path):
    no_dropout = {"dropout": 0.0, "attentionDropout": 0.0}
    one = tiny_config(data, str(tmp_path / "one"), steps=6, microBatchSize=None, model=no_dropout)
    run_worker(one, str(tmp_path / "one"))
    two = tiny_config(data, str(tmp_path / "two"), steps=6, microBatchSize=None, model=no_dropout)
    cf = tmp_path / "two.json"
    cf.write_text(json.dumps(two))
    r = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2", "-m", "worker", "pretrain", "--config", str(cf)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": REPO, "OMP_NUM_THREADS": "1"},
    )
    assert r.returncode == 0, f"torchrun exited {r.returncode}: {r.stderr[-3000:]}"
    events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    start = next(e for e in events if e["event"] == "start")
    assert (start["world"], start["microBatchSize"], start["accumulation"]) == (2, 4, 1)
    assert sum(e["event"] == "start" for e in events) == 1, "only rank 0 reports"
    loss = lambda d: [json.loads(line)["loss"] for line in open(os.path.join(d["outDir"], "metrics.jsonl"))]  # noqa: E731
    a, b = loss(one), loss(two)
    assert len(a) == len(b) == 6
    assert all(abs(x - y) < 1e-5 for x, y in zip(a, b, strict=True)), f"one process {a} vs two {b}"
