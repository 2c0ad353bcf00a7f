"""Benchmark task data for finetuning: the data/benchmark@1 artifact's CSVs, tokenized in the worker with the HF
`tokenizers` library from the tokenizer artifact's tokenizer.json.

Why here and not with tokenize/encode: benchmark sequences are short and few (GUE: 70–1000 bp, at most ~60k rows), a
tokenizer.json encodes them in well under a second, and the labels stay next to their rows (predictions name the row of
the split's CSV). An overlapping k-mer tokenizer.json expects the text pre-split into space-separated k-mers
(docs/tokenizers.md), so for one the sequence is split first, exactly like DNABERT's seq2kmer."""

import csv
import json
import os

import numpy as np

from .config import ConfigError


def read_task(tasks_dir: str, name: str) -> dict:
    try:
        meta = json.load(open(os.path.join(tasks_dir, "tasks.json")))
    except (OSError, ValueError) as e:
        raise ConfigError(f"tasks: {tasks_dir}: not a data/benchmark artifact ({e})") from None
    for t in meta.get("tasks", []):
        if t["name"] == name:
            return t
    names = ", ".join(t["name"] for t in meta.get("tasks", []))
    raise ConfigError(f"task: no task '{name}' in {tasks_dir}/tasks.json (has: {names})")


def read_split(tasks_dir: str, task: dict, split: str):
    """(sequences, label strings) of a split, or None when the task has no such split."""
    info = task.get("splits", {}).get(split)
    if not info:
        return None
    path = os.path.join(tasks_dir, info["file"])
    seqs, labels = [], []
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        try:
            si, li = header.index("sequence"), header.index("label")
        except ValueError:
            raise ConfigError(f"tasks: {path}: header must name sequence and label (found {','.join(header)})") from None
        for row in r:
            seqs.append(row[si])
            labels.append(row[li])
    return seqs, labels


def hold_out_dev(splits: dict, seed: int, dev_fraction: float):
    """A task without dev.csv (NT style): move a seeded random `dev_fraction` of train to dev, in place; rows keep naming
    train.csv lines. Returns the number held out, or None when the task has a dev split. Shared by finetune and baseline
    so that both see the same rows."""
    if "dev" in splits:
        return None
    seqs, labels, rows = splits["train"]
    perm = np.random.default_rng([0xDE5, seed]).permutation(len(seqs))
    n_dev = max(1, int(round(len(seqs) * dev_fraction)))
    dev, tr = np.sort(perm[:n_dev]), np.sort(perm[n_dev:])
    splits["dev"] = ([seqs[i] for i in dev], [labels[i] for i in dev], rows[dev])
    splits["train"] = ([seqs[i] for i in tr], [labels[i] for i in tr], rows[tr])
    return n_dev


def train_subset(n: int, train_rows: int):
    """Indices (sorted) of the fixed random `train_rows` of n training rows — the same for every seed and every model —
    or None when train_rows is 0 or covers them all."""
    if not train_rows or train_rows >= n:
        return None
    return np.sort(np.random.default_rng([0x5B5E7, train_rows]).permutation(n)[:train_rows])


class SequenceTokenizer:
    """tokenizer.json → ids with [CLS]/[SEP] (its post-processor), the k-mer pre-split where the file needs it."""

    def __init__(self, path: str):
        from tokenizers import Tokenizer

        file = os.path.join(path, "tokenizer.json") if os.path.isdir(path) else path
        self.tok = Tokenizer.from_file(file)
        tj = json.load(open(file))
        pre = (tj.get("pre_tokenizer") or {}).get("type")
        model = tj.get("model", {})
        self.k = 0
        if pre == "WhitespaceSplit" and model.get("type") == "WordLevel":
            specials = {t["content"] for t in tj.get("added_tokens", [])}
            lengths = {len(w) for w in model["vocab"] if w not in specials}
            if len(lengths) != 1:
                raise ConfigError(f"tokenizer: {file}: a WordLevel + WhitespaceSplit tokenizer whose words are not all one k-mer length")
            self.k = lengths.pop()

    def text(self, seq: str) -> str:
        if not self.k:
            return seq
        return " ".join(seq[i : i + self.k] for i in range(len(seq) + 1 - self.k))

    def encode(self, seqs: list, max_length: int = 0) -> list:
        if max_length:
            self.tok.enable_truncation(max_length)
        else:
            self.tok.no_truncation()
        return [np.asarray(e.ids, dtype=np.int64) for e in self.tok.encode_batch([self.text(s) for s in seqs], add_special_tokens=True)]


def pad_batch(rows: list, pad: int):
    """(input_ids, attention_mask) padded to the longest row of the batch."""
    L = max(len(r) for r in rows)
    ids = np.full((len(rows), L), pad, dtype=np.int64)
    am = np.zeros((len(rows), L), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        am[i, : len(r)] = 1
    return ids, am
