"""The output: a Hugging Face model directory (AutoModelForMaskedLM / AutoTokenizer / fill-mask load it directly) plus
metrics.jsonl (one line per step); model/pretrain draws loss.svg from it with lib/report's chart."""

import json
import os
import shutil


def write_tokenizer_files(tok, out: str, max_length: int) -> None:
    """tokenizer.json, tokenizer_config.json and special_tokens_map.json, so AutoTokenizer loads the model directory
    (and vocab.txt where the tokenizer has one: overlapping k-mers, for BertTokenizer-style loaders such as DNABERT's)."""
    shutil.copyfile(tok.file, os.path.join(out, "tokenizer.json"))
    if os.path.exists(os.path.join(tok.dir, "vocab.txt")):
        shutil.copyfile(os.path.join(tok.dir, "vocab.txt"), os.path.join(out, "vocab.txt"))
    tc_path = os.path.join(tok.dir, "tokenizer_config.json")
    tc = json.load(open(tc_path)) if os.path.exists(tc_path) else {"tokenizer_class": "PreTrainedTokenizerFast"}
    for role in ("pad", "unk", "cls", "sep", "mask"):
        tc.setdefault(f"{role}_token", f"[{role.upper()}]")
    tc["model_max_length"] = max_length
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(tc, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "special_tokens_map.json"), "w") as f:
        json.dump({f"{r}_token": tc[f"{r}_token"] for r in ("pad", "unk", "cls", "sep", "mask")}, f, indent=2)
        f.write("\n")


def export_model(model, tok, cfg, metrics_file, summary) -> None:
    out = cfg["outDir"]
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out)  # config.json + model.safetensors
    os.chmod(os.path.join(out, "model.safetensors"), 0o644)  # safetensors writes 0600; the store is shared
    write_tokenizer_files(tok, out, cfg["model"]["maxPositions"])
    shutil.copyfile(metrics_file, os.path.join(out, "metrics.jsonl"))
    metrics = [json.loads(line) for line in open(metrics_file) if line.strip()]
    if metrics:
        summary = {**summary, "finalLoss": metrics[-1]["loss"]}
    training = {k: cfg[k] for k in ("model", "masking", "optimizer", "steps", "batchSize", "seed")}
    with open(os.path.join(out, "training.json"), "w") as f:
        json.dump({"config": training, "summary": summary, "tokenizerDigest": tok.digest}, f, indent=2)
        f.write("\n")
