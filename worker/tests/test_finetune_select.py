"""finetune's checkpoint selection (`selectBy`) and the auto maxLength over the whole task (not the trainRows subset).
Oracles: scikit-learn's MCC of the dev predictions the worker wrote, and the tokenizer's own lengths."""

import csv
import json
import os

import numpy as np
from sklearn.metrics import matthews_corrcoef

from worker.finetune_data import SequenceTokenizer

from .helpers import make_tokenizer
from .test_finetune import config, make_tasks, run


def _preds(d, split):
    with open(os.path.join(d, "metrics", "predictions.csv")) as f:
        rs = [r for r in csv.DictReader(f) if r["split"] == split]
    return [int(r["label"]) for r in rs], [int(r["prediction"]) for r in rs]


def test_select_by_mcc_keeps_the_best_dev_mcc(tmp_path):
    tok = str(tmp_path / "tok")
    make_tokenizer(tok)
    tasks = make_tasks(str(tmp_path / "tasks"))
    d = str(tmp_path / "run")
    run(config(tasks, tok, d, selectBy="mcc", epochs=3, evalEvery=2), d)
    s = json.load(open(os.path.join(d, "metrics", "finetune.json")))
    assert s["selectBy"] == "mcc"
    hist = s["history"]
    assert [h["step"] for h in hist] == [2, 4, 6, 8, 10, 12, 14, 16, 18]
    best = max(h["devMetric"] for h in hist)
    # the first evaluation reaching the best dev MCC is the kept one (ties keep the earlier step)
    assert s["bestStep"] == next(h["step"] for h in hist if h["devMetric"] == best)
    assert s["bestDevMetric"] == best
    # predictions.csv comes from the kept weights: its dev MCC (scikit-learn) is the selected value
    y, p = _preds(d, "dev")
    assert abs(matthews_corrcoef(y, p) - best) < 1e-12


def test_select_by_loss_is_the_default_and_a_wrong_metric_is_refused(tmp_path):
    tok = str(tmp_path / "tok")
    make_tokenizer(tok)
    tasks = make_tasks(str(tmp_path / "tasks"), n_train=32, n_dev=16, n_test=16, regression=True)
    d = str(tmp_path / "run")
    code, events = run(config(tasks, tok, d, selectBy="mcc"), d, check=False)
    assert code == 2
    assert "selectBy: 'mcc' does not apply to prom/prom_core_tata (regression" in [e for e in events if e["event"] == "error"][0]["message"]
    d2 = str(tmp_path / "run2")
    run(config(tasks, tok, d2, epochs=1, evalEvery=1), d2)
    s = json.load(open(os.path.join(d2, "metrics", "finetune.json")))
    assert s["selectBy"] == "loss" and "bestDevMetric" not in s
    assert s["bestDevLoss"] == min(h["devLoss"] for h in s["history"])


def test_auto_max_length_is_the_whole_tasks_longest_not_the_subsets(tmp_path):
    tok = str(tmp_path / "tok")
    make_tokenizer(tok)
    tasks = make_tasks(str(tmp_path / "tasks"), n_train=40, n_dev=8, n_test=8)
    train = os.path.join(tasks, "prom", "prom_core_tata", "train.csv")
    lines = open(train).read().splitlines()
    long_seq = "ACGT" * 25  # 100 bp: longer than every 70 bp row
    pick = np.sort(np.random.default_rng([0x5B5E7, 10]).permutation(41)[:10])  # the worker's fixed subset of 10 rows
    outside = next(i for i in range(41) if i not in set(pick.tolist()))
    lines.insert(1 + outside, f"{long_seq},1")  # the longest row is one the subset leaves out
    open(train, "w").write("\n".join(lines) + "\n")
    meta = json.load(open(os.path.join(tasks, "tasks.json")))
    meta["tasks"][0]["splits"]["train"]["rows"] = 41
    json.dump(meta, open(os.path.join(tasks, "tasks.json"), "w"))
    d = str(tmp_path / "run")
    run(
        config(tasks, tok, d, trainRows=10, epochs=1, model={"family": "bert", "layers": 1, "hidden": 32, "heads": 2, "intermediate": 64, "maxPositions": 128}),
        d,
    )
    s = json.load(open(os.path.join(d, "metrics", "finetune.json")))
    want = len(SequenceTokenizer(tok).encode([long_seq])[0])
    assert s["trainRows"] == 10 and s["maxLength"] == want


def test_dev_score_matches_sklearn_and_scipy_and_undefined_is_worst():
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import accuracy_score, f1_score

    from worker.finetune import dev_score

    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 200)
    out = rng.normal(size=(200, 3)) + np.eye(3)[y] * 0.8
    cls = {"kind": "classification"}
    p = out.argmax(axis=1)
    assert dev_score("mcc", cls, y, out) == matthews_corrcoef(y, p) == dev_score("metric", cls, y, out)
    assert dev_score("accuracy", cls, y, out) == accuracy_score(y, p)
    assert dev_score("f1", cls, y, out) == f1_score(y, p, average="macro", zero_division=0)
    reg = {"kind": "regression"}
    t = rng.normal(size=100)
    pr = (t + rng.normal(size=100)).reshape(-1, 1)
    assert abs(dev_score("pearson", reg, t, pr) - pearsonr(t, pr[:, 0])[0]) < 1e-12
    assert abs(dev_score("spearman", reg, t, pr) - spearmanr(t, pr[:, 0])[0]) < 1e-12
    assert dev_score("pearson", reg, t, np.ones((100, 1))) == -np.inf  # a constant prediction: never kept over a defined one
