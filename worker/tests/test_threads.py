"""The thread count is not part of a stage's key, so it must not change a published byte: pretraining (each model
family) and finetuning with 1, 2 and 4 torch threads give byte-identical weights and metrics (worker/numerics.py).
Without the deterministic LayerNorm the 1- and 2-thread models already differed at step 1 (LayerNorm's gradients)."""

import hashlib
import json
import os

import pytest

from .helpers import make_data, run_worker, tiny_config
from .test_finetune import config as ft_config
from .test_finetune import ft  # noqa: F401 - fixture
from .test_finetune import run as ft_run

THREADS = (1, 2, 4)  # 4 on a 2-core machine too: oversubscribed, still the same bytes


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture(scope="module")
def data60(tmp_path_factory):
    """Rows of 60 tokens: not a multiple of 8 (attention with dropout then needs the padding in worker/numerics.py)."""
    return make_data(tmp_path_factory.mktemp("data60"), max_length=60)


@pytest.mark.parametrize("family,rows", [("bert", 64), ("roberta", 64), ("modernbert", 64), ("bert", 60)])
def test_pretrain_bytes_do_not_depend_on_the_thread_count(family, rows, data, data60, tmp_path):
    data = data if rows == 64 else data60
    model = {"family": family, "layers": 2, "hidden": 64, "heads": 2, "intermediate": 128, "maxPositions": 64}
    seen = {}
    for t in THREADS:
        d = str(tmp_path / f"t{t}")
        _, events, _ = run_worker(tiny_config(data, d, threads=t, steps=4, model=model, microBatchSize=None), d)
        start = next(e for e in events if e["event"] == "start")
        assert start["numerics"]["threads"] == t
        out = os.path.join(d, "out")
        seen[t] = (digest(os.path.join(out, "model.safetensors")), open(os.path.join(out, "metrics.jsonl")).read())
    grads = {t: [json.loads(line)["gradNorm"] for line in m.splitlines()] for t, (_, m) in seen.items()}
    assert len({s for s, _ in seen.values()}) == 1, f"{family}: model.safetensors differs by thread count; gradNorm per step: {grads}"
    assert len({m for _, m in seen.values()}) == 1, f"{family}: metrics.jsonl differs by thread count: {grads}"


def test_finetune_bytes_do_not_depend_on_the_thread_count(ft, tmp_path):  # noqa: F811
    seen = {}
    for t in THREADS:
        d = str(tmp_path / f"t{t}")
        ft_run(ft_config(ft["tasks"], ft["tok"], d, threads=t, epochs=1), d)
        seen[t] = tuple(digest(os.path.join(d, *p)) for p in (("model", "model.safetensors"), ("metrics", "predictions.csv"), ("metrics", "finetune.json")))
    assert len(set(seen.values())) == 1, f"finetune outputs differ by thread count: {seen}"
