"""python -m worker finetune: presets, config checks, k-mer pre-split, a tiny real-data run (GUE prom_core_tata rows from
the bundled fixture) whose saved model reloads with AutoModelForSequenceClassification and reproduces predictions.csv,
init from a pretrained MLM directory, regression, and exact resume after SIGKILL at a random step."""

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

from worker.config import ConfigError
from worker.finetune_config import load_finetune_config
from worker.finetune_data import SequenceTokenizer
from worker.presets import preset_for

from .helpers import REPO, SPECIALS, make_tokenizer

FIXTURE = os.path.join(REPO, "test", "fixtures", "benchmark", "gue", "prom", "prom_core_tata")


def rows(split, n):
    with open(os.path.join(FIXTURE, f"{split}.csv")) as f:
        r = list(csv.reader(f))[1:]
    return r[:n]


def gc(s):
    return (s.count("G") + s.count("C")) / len(s)


def make_tasks(root, n_train=96, n_dev=48, n_test=48, regression=False, classes=2):
    """A data/benchmark artifact holding real prom_core_tata rows (regression: label = GC fraction of the sequence;
    classes=3: label = GC-content tertile, below 0.5 / 0.5–0.6 / above)."""
    name = "prom/prom_core_tata"
    os.makedirs(os.path.join(root, name), exist_ok=True)
    splits = {}
    for split, n in (("train", n_train), ("dev", n_dev), ("test", n_test)):
        rs = rows(split, n)
        if regression:
            rs = [[s, repr(round(gc(s), 6))] for s, _ in rs]
        elif classes == 3:
            rs = [[s, str(0 if gc(s) < 0.5 else 1 if gc(s) < 0.6 else 2)] for s, _ in rs]
        with open(os.path.join(root, name, f"{split}.csv"), "w") as f:
            f.write("sequence,label\n" + "".join(f"{s},{label}\n" for s, label in rs))
        splits[split] = {"file": f"{name}/{split}.csv", "rows": len(rs)}
    task = {"name": name, "kind": "regression" if regression else "classification", "splits": splits, "metric": "pearson" if regression else "mcc"}
    if not regression:
        task.update(numClasses=classes, labelNames=[str(i) for i in range(classes)])
    json.dump({"format": 1, "source": "local", "tasks": [task]}, open(os.path.join(root, "tasks.json"), "w"))
    return str(root)


TINY = {"family": "bert", "layers": 1, "hidden": 32, "heads": 2, "intermediate": 64, "maxPositions": 64}


def config(tasks, tok, run_dir, **over):
    cfg = {
        "tasks": tasks,
        "task": "prom/prom_core_tata",
        "tokenizer": tok,
        "init": "scratch",
        "model": TINY,
        "preset": "dnabert2",
        "lr": 1e-3,
        "batchSize": 16,
        "epochs": 2,
        "warmupSteps": 2,
        "evalEvery": 3,
        "checkpointEvery": 2,
        "seed": 5,
        "threads": 1,
        "checkpointDir": os.path.join(run_dir, "ckpt"),
        "outDir": os.path.join(run_dir, "model"),
        "predictionsDir": os.path.join(run_dir, "metrics"),
    }
    cfg.update(over)
    return cfg


def cmd(cfg, run_dir):
    os.makedirs(run_dir, exist_ok=True)
    cf = os.path.join(run_dir, "cfg.json")
    json.dump(cfg, open(cf, "w"))
    return [sys.executable, "-m", "worker", "finetune", "--config", cf]


def run(cfg, run_dir, check=True):
    r = subprocess.run(cmd(cfg, run_dir), cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": REPO})
    events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    if check and r.returncode != 0:
        raise AssertionError(f"worker failed ({r.returncode}): {r.stderr[-3000:]}\n{events[-3:]}")
    return r.returncode, events


@pytest.fixture(scope="module")
def ft(tmp_path_factory):
    root = tmp_path_factory.mktemp("ft")
    tok = os.path.join(root, "tokenizer")
    make_tokenizer(tok)
    return {"root": str(root), "tok": tok, "tasks": make_tasks(os.path.join(root, "tasks"))}


@pytest.fixture(scope="module")
def baseline(ft):
    d = os.path.join(ft["root"], "baseline")
    _, events = run(config(ft["tasks"], ft["tok"], d), d)
    return d, events


def test_presets_follow_the_papers():
    p = preset_for("dnabert2", "prom/prom_core_tata")
    assert (p["lr"], p["batchSize"], p["epochs"], p["warmupSteps"], p["evalEvery"]) == (3e-5, 32, 10, 50, 200)
    assert preset_for("dnabert2", "gue/EMP/H3")["epochs"] == 3
    assert (preset_for("dnabert2", "prom/prom_core_all")["epochs"], preset_for("dnabert2", "prom/prom_core_all")["evalEvery"]) == (4, 400)
    assert preset_for("dnabert2", "mouse/3")["maxSteps"] == 1000 and preset_for("dnabert2", "tf/0")["batchSize"] == 8
    assert (preset_for("randommask", "EMP/H4ac")["lr"], preset_for("randommask", "EMP/H4ac")["batchSize"]) == (3e-5, 32)
    assert (preset_for("randommask", "tf/0")["lr"], preset_for("randommask", "tf/0")["batchSize"]) == (1e-4, 64)
    # explicit params win over the preset
    cfg = load_finetune_config(
        {"tasks": "t", "task": "EMP/H3", "tokenizer": "k", "init": "scratch", "checkpointDir": "c", "outDir": "o", "predictionsDir": "p", "lr": 0.01}
    )
    assert (cfg["lr"], cfg["batchSize"], cfg["epochs"]) == (0.01, 32, 3)


@pytest.mark.parametrize(
    "over, message",
    [
        ({"init": "pretrained"}, "init: pretrained needs a pretrained model"),
        ({"init": "scratch", "pretrained": "/some/model"}, "init: scratch trains from random weights"),
        ({"preset": "dnabert3"}, "preset: 'dnabert3' is not one of"),
        ({"lr": 0}, "lr: must be > 0"),
        ({"model": {"hidden": 30, "heads": 4}}, "model.hidden: 30 is not divisible by model.heads 4"),
    ],
)
def test_bad_config_names_the_field(over, message):
    base = {"tasks": "t", "task": "EMP/H3", "tokenizer": "k", "init": "scratch", "checkpointDir": "c", "outDir": "o", "predictionsDir": "p"}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_finetune_config({**base, **over})


def test_overlapping_kmer_tokenizer_gets_pre_split_text(tmp_path):
    from itertools import product

    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for km in product("ACGT", repeat=3):
        vocab["".join(km)] = len(vocab)
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.add_special_tokens(SPECIALS)
    tok.save(str(tmp_path / "tokenizer.json"))
    st = SequenceTokenizer(str(tmp_path))
    assert st.k == 3
    ids = st.encode(["ACGTA"])[0].tolist()
    code = lambda s: sum("ACGT".index(c) * 4 ** (len(s) - 1 - i) for i, c in enumerate(s))  # noqa: E731
    assert ids == [2, 5 + code("ACG"), 5 + code("CGT"), 5 + code("GTA"), 3]  # overlapping, not ACG + TA
    assert st.encode(["ACGTACGT"], max_length=4)[0].tolist()[-1] == 3  # truncation keeps [SEP]


def test_tiny_finetune_writes_predictions_and_a_loadable_model(ft, baseline):
    d, events = baseline
    done = [e for e in events if e["event"] == "done"]
    assert done and done[0]["step"] == 12  # 96 rows / 16 = 6 steps per epoch × 2 epochs
    evals = [e["step"] for e in events if e["event"] == "eval"]
    assert evals == [3, 6, 9, 12]
    with open(os.path.join(d, "metrics", "predictions.csv")) as f:
        pred = list(csv.DictReader(f))
    assert list(pred[0].keys()) == ["split", "row", "label", "prediction", "prob_0", "prob_1"]
    assert [r["split"] for r in pred] == ["dev"] * 48 + ["test"] * 48
    assert [int(r["row"]) for r in pred if r["split"] == "test"] == list(range(48))
    assert [r["label"] for r in pred if r["split"] == "test"] == [label for _, label in rows("test", 48)]
    summary = json.load(open(os.path.join(d, "metrics", "finetune.json")))
    assert summary["bestStep"] in evals and summary["bestDevLoss"] == min(h["devLoss"] for h in summary["history"])

    # the published directory is the best-on-dev model: reloaded with stock HF classes it gives the same test predictions
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(os.path.join(d, "model")).eval()
    tok = AutoTokenizer.from_pretrained(os.path.join(d, "model"))
    assert model.config.num_labels == 2 and model.config.model_type == "bert"
    enc = tok([s for s, _ in rows("test", 48)], padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    assert logits.argmax(-1).tolist() == [int(r["prediction"]) for r in pred if r["split"] == "test"]
    probs = torch.softmax(logits, -1)[:, 1].numpy()
    assert np.allclose(probs, [float(r["prob_1"]) for r in pred if r["split"] == "test"], atol=2e-6)


def test_from_pretrained_mlm_and_tokenizer_mismatch(ft, tmp_path):
    import torch
    from safetensors.torch import load_file

    from worker.data import Tokenizer
    from worker.models import build_model

    tok = Tokenizer(ft["tok"])
    torch.manual_seed(0)
    mlm = build_model({**TINY, "dropout": 0.1, "attentionDropout": 0.1}, tok)
    pre = str(tmp_path / "pretrained")
    mlm.save_pretrained(pre)
    shutil.copyfile(tok.file, os.path.join(pre, "tokenizer.json"))
    d = str(tmp_path / "run")
    run(config(ft["tasks"], ft["tok"], d, init="pretrained", pretrained=pre, epochs=1, lr=1e-9, warmupSteps=0), d)
    # with a vanishing lr the encoder stays the pretrained one: the weights were loaded, not re-initialized
    a, b = load_file(os.path.join(pre, "model.safetensors")), load_file(os.path.join(d, "model", "model.safetensors"))
    name = "bert.embeddings.word_embeddings.weight"
    assert torch.allclose(a[name], b[name], atol=1e-6)

    other = str(tmp_path / "other-tok")
    make_tokenizer(other, vocab_size=48)
    d2 = str(tmp_path / "run2")
    code, events = run(config(ft["tasks"], other, d2, init="pretrained", pretrained=pre), d2, check=False)
    assert code == 2
    assert "pretrained with another tokenizer" in [e for e in events if e["event"] == "error"][0]["message"]


def test_regression_head(ft, tmp_path):
    tasks = make_tasks(str(tmp_path / "tasks"), n_train=48, n_dev=16, n_test=16, regression=True)
    d = str(tmp_path / "run")
    run(config(tasks, ft["tok"], d, epochs=1), d)
    cfg = json.load(open(os.path.join(d, "model", "config.json")))
    assert cfg["problem_type"] == "regression" and len(cfg["id2label"]) == 1  # num_labels = 1
    with open(os.path.join(d, "metrics", "predictions.csv")) as f:
        pred = list(csv.DictReader(f))
    assert list(pred[0].keys()) == ["split", "row", "label", "prediction"]
    assert all(np.isfinite(float(r["prediction"])) for r in pred) and len({r["prediction"] for r in pred}) > 1


def test_sigkill_at_a_random_step_then_rerun_gives_identical_bytes(ft, baseline, tmp_path):
    base, _ = baseline
    d = str(tmp_path / "killed")
    cfg = config(ft["tasks"], ft["tok"], d)
    kill_at = random.Random().randint(3, 11)  # of 12; a checkpoint every 2 steps, so one exists before the kill
    p = subprocess.Popen(cmd(cfg, d), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": REPO})
    for line in p.stdout:
        e = json.loads(line)
        if e["event"] == "progress" and e["done"] >= kill_at:
            p.send_signal(signal.SIGKILL)
            break
    p.wait()
    assert p.returncode == -signal.SIGKILL, f"killed at step {kill_at}"
    assert not os.path.exists(os.path.join(d, "metrics", "predictions.csv"))
    _, events = run(cfg, d)
    start = [e for e in events if e["event"] == "start"][0]
    assert start["step"] > 0, f"resumed from a checkpoint, not from 0 (killed at {kill_at})"
    for f in ("metrics/predictions.csv", "metrics/finetune.json", "model/model.safetensors"):
        assert open(os.path.join(d, f), "rb").read() == open(os.path.join(base, f), "rb").read(), f"{f} differs after a kill at step {kill_at}"


def test_sigterm_writes_a_checkpoint_and_exits_143(ft, tmp_path):
    d = str(tmp_path / "term")
    cfg = config(ft["tasks"], ft["tok"], d, checkpointEvery=100)
    p = subprocess.Popen(cmd(cfg, d), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": REPO})
    seen = []
    for line in p.stdout:
        e = json.loads(line)
        seen.append(e)
        if e["event"] == "progress" and e["done"] == 5:
            p.send_signal(signal.SIGTERM)
    p.wait()
    assert p.returncode == 143
    ck = [e for e in seen if e["event"] == "checkpoint"]
    assert ck and ck[-1]["step"] >= 5 and os.path.exists(os.path.join(ck[-1]["path"], "state.pt"))


def test_multiclass_head(ft, tmp_path):
    tasks = make_tasks(str(tmp_path / "tasks"), n_train=48, n_dev=24, n_test=24, classes=3)
    d = str(tmp_path / "run")
    run(config(tasks, ft["tok"], d, epochs=1), d)
    cfg = json.load(open(os.path.join(d, "model", "config.json")))
    assert cfg["problem_type"] == "single_label_classification" and cfg["id2label"] == {"0": "0", "1": "1", "2": "2"}
    with open(os.path.join(d, "metrics", "predictions.csv")) as f:
        pred = list(csv.DictReader(f))
    assert list(pred[0].keys()) == ["split", "row", "label", "prediction", "prob_0", "prob_1", "prob_2"]
    assert {r["label"] for r in pred} == {"0", "1", "2"}
    assert all(abs(sum(float(r[f"prob_{i}"]) for i in range(3)) - 1) < 1e-5 for r in pred)


def test_max_length_truncates_and_keeps_sep(ft, tmp_path):
    d = str(tmp_path / "run")
    _, events = run(config(ft["tasks"], ft["tok"], d, epochs=1, maxLength=12), d)
    assert [e for e in events if e["event"] == "start"][0]["maxLength"] == 12
    assert any("truncated to 12 tokens" in e.get("message", "") for e in events if e["event"] == "log")
    tc = json.load(open(os.path.join(d, "model", "tokenizer_config.json")))
    assert tc["model_max_length"] == 12
    code, events = run(config(ft["tasks"], ft["tok"], str(tmp_path / "run2"), maxLength=1000), str(tmp_path / "run2"), check=False)
    assert code == 2 and "maxLength: 1000 exceeds the model's 64 positions" in [e for e in events if e["event"] == "error"][0]["message"]
