"""Test data in dnaflow's formats (docs/tokenizers.md), made with the HF tokenizers library so the worker tests need
no Node: a BPE tokenizer artifact trained on the bundled chrM and token shards packed in blocks."""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def chrm_segments(length=300):
    seq = "".join(line.strip() for line in open(os.path.join(REPO, "test", "fixtures", "genome", "chrM.fa")) if not line.startswith(">")).upper()
    return [seq[i : i + length] for i in range(0, len(seq) - length + 1, length)]


def make_tokenizer(out, vocab_size=64):
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("[^ACGT]"), "isolated")
    tok.train_from_iterator(
        chrm_segments(),
        trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIALS, initial_alphabet=list("ACGT"), show_progress=False),
    )
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    os.makedirs(out, exist_ok=True)
    tok.save(os.path.join(out, "tokenizer.json"))
    roles = dict(zip(["pad_token", "unk_token", "cls_token", "sep_token", "mask_token"], SPECIALS, strict=True))
    json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512, **roles}, open(os.path.join(out, "tokenizer_config.json"), "w"))
    json.dump(roles, open(os.path.join(out, "special_tokens_map.json"), "w"))
    return tok


def write_shards(out, tokenizer_dir, rows, max_length, packing="blocks"):
    raw = open(os.path.join(tokenizer_dir, "tokenizer.json"), "rb").read()
    os.makedirs(out, exist_ok=True)
    flat = np.concatenate(rows).astype("<u2") if rows else np.zeros(0, "<u2")
    flat.tofile(os.path.join(out, "tokens.bin"))
    np.cumsum([0] + [len(r) for r in rows]).astype("<u8").tofile(os.path.join(out, "index.bin"))
    meta = {
        "format": "dnaflow.tokens/1",
        "dtype": "uint16",
        "indexDtype": "uint64",
        "count": len(rows),
        "totalTokens": int(len(flat)),
        "vocabSize": json.loads(raw)["model"]["vocab"].__len__(),
        "specialIds": {"pad": 0, "unk": 1, "cls": 2, "sep": 3, "mask": 4},
        "specialTokens": SPECIALS,
        "maxLength": max_length,
        "packing": packing,
        "tokenizerKind": "bpe",
        "tokenizerDigest": hashlib.sha256(raw).hexdigest(),
        "sequences": len(rows),
        "bases": 0,
        "droppedTokens": 0,
        "truncatedRows": 0,
        "labels": False,
    }
    json.dump(meta, open(os.path.join(out, "meta.json"), "w"))


def make_data(root, max_length=64):
    tok_dir, shards = os.path.join(root, "tokenizer"), os.path.join(root, "shards")
    tok = make_tokenizer(tok_dir)
    ids = np.concatenate([tok.encode(s).ids for s in chrm_segments()])
    n = len(ids) // max_length
    write_shards(shards, tok_dir, [ids[i * max_length : (i + 1) * max_length] for i in range(n)], max_length)
    return {"tokenizer": tok_dir, "train": shards, "root": str(root)}


def tiny_config(data, run_dir, **over):
    cfg = {
        "tokenizer": data["tokenizer"],
        "train": data["train"],
        "checkpointDir": os.path.join(run_dir, "ckpt"),
        "outDir": os.path.join(run_dir, "out"),
        "model": {"family": "roberta", "layers": 2, "hidden": 32, "heads": 2, "intermediate": 64, "maxPositions": 64},
        "masking": {"strategy": "randommask"},
        "optimizer": {"lr": 1e-3, "warmupSteps": 4},
        "steps": 24,
        "batchSize": 8,
        "microBatchSize": 4,
        "checkpointEvery": 3,
        "keepCheckpoints": 2,
        "threads": 1,
        "seed": 7,
    }
    for k, v in over.items():
        if v is None:
            cfg.pop(k, None)  # unset: the schema's default (or none)
        elif isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    return cfg


def worker_cmd(config_file):
    return [sys.executable, "-m", "worker", "pretrain", "--config", config_file]


def run_worker(cfg, run_dir, check=True):
    """Runs the worker to completion in a subprocess: (returncode, events, stderr)."""
    os.makedirs(run_dir, exist_ok=True)
    cf = os.path.join(run_dir, "cfg.json")
    json.dump(cfg, open(cf, "w"))
    r = subprocess.run(worker_cmd(cf), cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": REPO})
    events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    if check and r.returncode != 0:
        raise AssertionError(f"worker failed ({r.returncode}): {r.stderr[-3000:]}\n{events[-3:]}")
    return r.returncode, events, r.stderr
