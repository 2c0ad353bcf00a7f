"""baseline: the classical model every report shows beside the language models (eval/baseline@1).

Overlapping k-mer counts of each sequence (scikit-learn's CountVectorizer over characters, vocabulary from the training
rows) → frequencies (l1) → scaled per feature → logistic regression (classification; lbfgs, multinomial for > 2
classes) or ridge regression (regression). The same rows as model/finetune: a task without dev.csv holds out the same
seeded dev rows, and `trainRows` picks the same fixed subset (worker/finetune_data.py). One BLAS/OpenMP thread, so the
fit and the predictions.csv bytes are identical on every run. Metrics are computed from predictions.csv in TypeScript
(lib/metrics), as for a finetune."""

import json
import os

import numpy as np

from .config import ConfigError
from .events import emit, log
from .finetune_data import hold_out_dev, read_split, read_task, train_subset

DEFAULTS = {
    "tasks": None,  # data/benchmark artifact directory
    "task": None,  # one task name from tasks.json
    "outDir": None,  # predictions.csv + baseline.json go here
    "k": 4,  # k-mer length (overlapping)
    "C": 1.0,  # inverse L2 strength of the logistic regression
    "alpha": 1.0,  # L2 strength of the ridge regression
    "maxIter": 2000,
    "trainRows": 0,  # the fixed random subset of training rows model/finetune uses; 0 = all
    "devFraction": 0.1,  # a task without dev.csv: this fraction of train held out as dev, as model/finetune does
    "seed": 42,  # only for that dev hold-out (the fit itself has no randomness)
}


def load_baseline_config(raw: dict) -> dict:
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown field (known: {', '.join(DEFAULTS)})")
    cfg = {**DEFAULTS, **raw}
    for f in ("tasks", "task", "outDir"):
        if not cfg[f]:
            raise ConfigError(f"{f}: required")
    for f, lo in (("k", 1), ("maxIter", 1), ("trainRows", 0), ("seed", 0)):
        if not isinstance(cfg[f], int) or isinstance(cfg[f], bool) or cfg[f] < lo:
            raise ConfigError(f"{f}: must be an integer >= {lo}, got {cfg[f]!r}")
    for f in ("C", "alpha", "devFraction"):
        if not isinstance(cfg[f], (int, float)) or isinstance(cfg[f], bool) or not cfg[f] > 0:
            raise ConfigError(f"{f}: must be a number > 0, got {cfg[f]!r}")
    return cfg


def model_for(task: dict, cfg: dict):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer, StandardScaler

    k = cfg["k"]
    head = LogisticRegression(C=cfg["C"], max_iter=cfg["maxIter"]) if task["kind"] == "classification" else Ridge(alpha=cfg["alpha"])
    return make_pipeline(
        CountVectorizer(analyzer="char", ngram_range=(k, k), lowercase=False, dtype=np.float64),
        Normalizer(norm="l1"),
        StandardScaler(with_mean=False),
        head,
    )


def baseline(raw: dict) -> None:
    cfg = load_baseline_config(raw)
    from threadpoolctl import threadpool_limits

    task = read_task(cfg["tasks"], cfg["task"])
    classification = task["kind"] == "classification"
    splits = {}
    for s in ("train", "dev", "test"):
        v = read_split(cfg["tasks"], task, s)
        if v is not None:
            splits[s] = (v[0], v[1], np.arange(len(v[0])))
    if "train" not in splits or "test" not in splits:
        raise ConfigError(f"task: {task['name']} needs train and test splits")
    n_dev = hold_out_dev(splits, cfg["seed"], cfg["devFraction"])
    if n_dev is not None:
        log(f"{task['name']}: no dev split; holding out {n_dev} training rows (devFraction {cfg['devFraction']}) as dev")
    pick = train_subset(len(splits["train"][0]), cfg["trainRows"])
    if pick is not None:
        seqs, labels, rows = splits["train"]
        splits["train"] = ([seqs[i] for i in pick], [labels[i] for i in pick], rows[pick])
        log(f"{task['name']}: training on the fixed random subset of {cfg['trainRows']} of {len(seqs)} rows (trainRows)")
    conv = int if classification else float
    y = {s: np.asarray([conv(v) for v in lab]) for s, (_, lab, _) in splits.items()}
    emit("start", task=task["name"], kind=task["kind"], rows=len(splits["train"][0]), k=cfg["k"])
    with threadpool_limits(limits=1):
        model = model_for(task, cfg)
        model.fit(splits["train"][0], y["train"])
        out = {s: (model.predict_proba(splits[s][0]) if classification else model.predict(splits[s][0])) for s in ("dev", "test")}
    head = model[-1]
    iters = int(np.max(head.n_iter_)) if classification else None
    if classification and iters >= cfg["maxIter"]:
        log(f"warning: logistic regression stopped at maxIter {cfg['maxIter']} before converging")
    os.makedirs(cfg["outDir"], exist_ok=True)
    write_predictions(os.path.join(cfg["outDir"], "predictions.csv"), task, splits, y, out, head)
    features = len(model[0].vocabulary_)
    summary = {
        "task": task["name"],
        "kind": task["kind"],
        "model": "logistic-regression" if classification else "ridge",
        "k": cfg["k"],
        "C" if classification else "alpha": cfg["C"] if classification else cfg["alpha"],
        "features": features,
        "trainRows": len(splits["train"][0]),
        "iterations": iters,
    }
    with open(os.path.join(cfg["outDir"], "baseline.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    log(f"{task['name']}: {summary['model']} on {features} {cfg['k']}-mer features, {summary['trainRows']} training rows")
    emit("done", features=features)


def write_predictions(path, task, splits, y, out, head):
    """predictions.csv in model/finetune's format: split,row,label,prediction (+ prob_i per class index)."""
    classification = task["kind"] == "classification"
    k = task.get("numClasses", 1)
    with open(path + ".tmp", "w") as f:
        f.write("split,row,label,prediction" + ("".join(f",prob_{i}" for i in range(k)) if classification else "") + "\n")
        for s in ("dev", "test"):
            _, labels, rows = splits[s]
            if classification:
                probs = np.zeros((len(rows), k))
                probs[:, head.classes_] = out[s]  # a class absent from the training rows gets probability 0
                pred = head.classes_[out[s].argmax(axis=1)]
                for r, lab, c, pr in zip(rows, labels, pred, probs, strict=True):
                    f.write(f"{s},{int(r)},{lab},{int(c)}," + ",".join(f"{v:.6f}" for v in pr) + "\n")
            else:
                for r, lab, v in zip(rows, labels, out[s], strict=True):
                    f.write(f"{s},{int(r)},{lab},{float(v):.9g}\n")
    os.replace(path + ".tmp", path)
