"""Bad input: a clear error event naming the field, exit status 2 (input error: not retried), nothing in outDir."""

import json
import os
import shutil

import pytest

from worker.__main__ import main

from .helpers import make_tokenizer, tiny_config, write_shards


def run(cfg, tmp_path, capsys):
    cf = tmp_path / "cfg.json"
    cf.write_text(json.dumps(cfg))
    code = main(["pretrain", "--config", str(cf)])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return code, events


CASES = [
    ({"model": {"hidden": 30, "heads": 4}}, r"^model\.hidden: 30 is not divisible by model\.heads 4$"),
    ({"model": {"vocabSize": 4096}}, r"^model\.vocabSize: 4096 does not match the tokenizer's vocabulary of 64$"),
    ({"model": {"maxPositions": 32}}, r"^model\.maxPositions: 32 is shorter than the token shards' rows \(64 tokens"),
    ({"model": {"family": "gpt"}}, r"^model\.family: 'gpt' is not one of roberta, bert, modernbert$"),
    ({"model": {"layer": 2}}, r"^model\.layer: unknown field"),
    ({"masking": {"strategy": "span"}}, r"^masking\.strategy: 'span' is not one of"),
    ({"masking": {"ratio": 0}}, r"^masking\.ratio: must be > 0"),
    ({"masking": {"maskToken": 0.9, "randomToken": 0.2}}, r"^masking\.randomToken: maskToken \+ randomToken"),
    ({"optimizer": {"betas": [0.9]}}, r"^optimizer\.betas: must have at least 2 items, got \[0\.9\]$"),
    ({"optimizer": {"warmupSteps": 100}}, r"^optimizer\.warmupSteps: 100 exceeds steps 24$"),
    ({"microBatchSize": 3}, r"^microBatchSize: batchSize 8 is not a multiple of microBatchSize 3"),
    ({"steps": 0}, r"^steps: must be >= 1, got 0$"),
    ({"device": "tpu"}, r"^device: 'tpu' is not one of"),
]


@pytest.mark.parametrize("over,message", CASES, ids=[c[1][:40] for c in CASES])
def test_bad_config_names_the_field(over, message, data, tmp_path, capsys):
    cfg = tiny_config(data, str(tmp_path), **over)
    code, events = run(cfg, tmp_path, capsys)
    assert code == 2
    assert events[-1]["event"] == "error" and events[-1]["inputError"] is True
    assert __import__("re").search(message, events[-1]["message"]), events[-1]["message"]
    assert not os.path.exists(cfg["outDir"])


def test_missing_truncated_or_foreign_shards(data, tmp_path, capsys):
    bad = tmp_path / "shards"
    shutil.copytree(data["train"], bad)
    with open(bad / "tokens.bin", "r+b") as f:
        f.truncate(100)
    code, events = run(tiny_config(data, str(tmp_path), train=str(bad)), tmp_path, capsys)
    assert code == 2 and events[-1]["message"].startswith("train: ") and "tokens.bin: 100 bytes, meta.json implies" in events[-1]["message"]

    code, events = run(tiny_config(data, str(tmp_path), train=str(tmp_path / "nowhere")), tmp_path, capsys)
    assert code == 2 and events[-1]["message"].startswith("train: ") and "not a token shards artifact" in events[-1]["message"]

    os.remove(bad / "tokens.bin")
    code, events = run(tiny_config(data, str(tmp_path), train=str(bad)), tmp_path, capsys)
    assert code == 2 and "tokens.bin: missing" in events[-1]["message"]

    other = tmp_path / "other-tok"
    make_tokenizer(str(other), vocab_size=48)
    code, events = run(tiny_config(data, str(tmp_path), tokenizer=str(other)), tmp_path, capsys)
    assert code == 2 and "tokenizerDigest" in events[-1]["message"] and "encoded with another tokenizer" in events[-1]["message"]


def test_empty_shards_and_a_missing_tokenizer(data, tmp_path, capsys):
    empty = tmp_path / "empty"
    write_shards(str(empty), data["tokenizer"], [], 64)
    code, events = run(tiny_config(data, str(tmp_path), train=str(empty)), tmp_path, capsys)
    assert code == 2 and "no rows (count 0)" in events[-1]["message"]
    code, events = run(tiny_config(data, str(tmp_path), tokenizer=str(tmp_path / "none")), tmp_path, capsys)
    assert code == 2 and events[-1]["message"].startswith("tokenizer: ")


def test_an_unreadable_config_file(tmp_path, capsys):
    assert main(["pretrain", "--config", str(tmp_path / "missing.json")]) == 2
    ev = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert ev["event"] == "error" and ev["message"].startswith("--config: cannot read")


@pytest.mark.parametrize("exc", ["OutOfMemoryError", "RuntimeError"])
def test_out_of_memory_names_micro_batch_size(exc, data, tmp_path, capsys, monkeypatch):
    import signal

    import torch

    from worker import models

    def boom(self, *a, **k):
        if exc == "OutOfMemoryError":
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: you tried to allocate 8589934592 bytes")

    monkeypatch.setattr(models.MaskedLMLoss, "forward", boom)
    old = signal.getsignal(signal.SIGTERM)
    cfg = tiny_config(data, str(tmp_path))
    try:
        code, events = run(cfg, tmp_path, capsys)
    finally:
        signal.signal(signal.SIGTERM, old)
    assert code == 2
    assert events[-1]["event"] == "error" and events[-1]["inputError"] is True
    assert events[-1]["message"].startswith("microBatchSize: out of ") and "4 rows × 64 tokens" in events[-1]["message"]
    assert not os.path.exists(cfg["outDir"])
