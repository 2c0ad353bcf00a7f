"""The output directory loads with Hugging Face Auto classes and answers a fill-mask pipeline with vocab tokens; each
model family trains; metrics.jsonl describes the run (model/pretrain draws loss.svg from it: test/report/loss-curve.test.ts)."""

import json
import os
import signal

import pytest

from .helpers import tiny_config


def pretrain_here(cfg, capsys):
    from worker.train import pretrain

    old = signal.getsignal(signal.SIGTERM)
    try:
        pretrain(cfg)
    finally:
        signal.signal(signal.SIGTERM, old)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("family", ["roberta", "bert", "modernbert"])
def test_each_family_trains_and_loads_with_auto_classes_and_fill_mask(family, data, tmp_path, capsys):
    from transformers import AutoModelForMaskedLM, AutoTokenizer, pipeline

    cfg = tiny_config(data, str(tmp_path), model={"family": family}, steps=12, optimizer={"lr": 3e-3, "warmupSteps": 2})
    events = pretrain_here(cfg, capsys)
    progress = [e for e in events if e["event"] == "progress"]
    assert [e["done"] for e in progress] == list(range(1, 13)) and {e["unit"] for e in progress} == {"steps"}
    assert progress[-1]["metrics"]["loss"] < progress[0]["metrics"]["loss"], "the loss goes down"
    assert events[-1]["event"] == "done"
    out = cfg["outDir"]
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "metrics.jsonl"} <= set(os.listdir(out))
    model = AutoModelForMaskedLM.from_pretrained(out)
    assert type(model).__name__ == {"roberta": "RobertaForMaskedLM", "bert": "BertForMaskedLM", "modernbert": "ModernBertForMaskedLM"}[family]
    assert model.config.num_hidden_layers == 2 and model.config.hidden_size == 32 and model.config.vocab_size == 64
    tok = AutoTokenizer.from_pretrained(out)
    assert tok.mask_token == "[MASK]" and tok.mask_token_id == 4 and tok.pad_token_id == 0
    assert tok("ACGTTAGC")["input_ids"][0] == tok.cls_token_id
    fill = pipeline("fill-mask", model=model, tokenizer=tok, top_k=5)
    answers = fill("GATCACAGGTCTATCACCC[MASK]TATTAACCACTCACGGG")
    vocab = tok.get_vocab()
    assert len(answers) == 5
    for a in answers:
        assert a["token_str"] in vocab and 0 <= a["score"] <= 1
        assert a["token"] not in (0, 1, 2, 3, 4) or a["token"] == 1  # tiny models may still like [UNK]; never PAD/CLS/SEP/MASK
    assert json.load(open(os.path.join(out, "tokenizer_config.json")))["model_max_length"] == 64


def test_metrics_mark_randommask_phases(data, tmp_path, capsys):
    cfg = tiny_config(data, str(tmp_path), steps=10, masking={"phases": 5})
    events = pretrain_here(cfg, capsys)
    metrics = [json.loads(line) for line in open(os.path.join(cfg["outDir"], "metrics.jsonl"))]
    assert [m["phase"] for m in metrics] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert [m["maskSpanMax"] for m in metrics[::2]] == [6, 8, 10, 12, 14]
    for m in metrics:
        assert {"loss", "lr", "gradNorm", "maskRatio"} <= set(m)
        assert not {"tokensPerS", "stepS", "dataWaitS"} & set(m), "timings differ between runs: never in published files"
        assert 0 < m["maskRatio"] < 0.5
    progress = [e for e in events if e["event"] == "progress"]
    assert len(progress) == 10 and all(e["metrics"]["tokensPerS"] > 0 and e["metrics"]["stepS"] > 0 and e["metrics"]["dataWaitS"] >= 0 for e in progress)
    training = json.load(open(os.path.join(cfg["outDir"], "training.json")))
    assert set(training["summary"]) == {"step", "params", "finalLoss"}
    done = [e for e in events if e["event"] == "done"][0]
    assert done["timing"]["steps"] == 10 and done["timing"]["meanTokensPerS"] > 0


def test_warmup_then_linear_decay_and_accumulation_does_not_change_results(data, tmp_path, capsys):
    no_dropout = {"dropout": 0.0, "attentionDropout": 0.0}  # dropout masks are drawn per forward pass
    a = tiny_config(data, str(tmp_path / "a"), steps=8, optimizer={"lr": 1e-3, "warmupSteps": 4}, microBatchSize=8, model=no_dropout)
    b = tiny_config(data, str(tmp_path / "b"), steps=8, optimizer={"lr": 1e-3, "warmupSteps": 4}, microBatchSize=2, model=no_dropout)
    ea, eb = pretrain_here(a, capsys), pretrain_here(b, capsys)
    lr = [e["metrics"]["lr"] for e in ea if e["event"] == "progress"]
    assert lr == pytest.approx([0, 2.5e-4, 5e-4, 7.5e-4, 1e-3, 7.5e-4, 5e-4, 2.5e-4])
    la = [e["metrics"]["loss"] for e in ea if e["event"] == "progress"]
    lb = [e["metrics"]["loss"] for e in eb if e["event"] == "progress"]
    assert la == pytest.approx(lb, rel=1e-4), "8 rows at once or 4 × 2 accumulated: the same global batch"
