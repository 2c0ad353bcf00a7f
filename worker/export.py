"""The output: a Hugging Face model directory (AutoModelForMaskedLM / AutoTokenizer / fill-mask load it directly) plus
metrics.jsonl (one line per step) and loss.svg (RandomMask phase boundaries marked)."""
import json
import os
import shutil
from html import escape


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
    with open(os.path.join(out, "loss.svg"), "w") as f:
        f.write(loss_svg(metrics, title=f"{cfg['model']['family']} · {cfg['masking']['strategy']} masking"))
    training = {k: cfg[k] for k in ("model", "masking", "optimizer", "steps", "batchSize", "seed")}
    with open(os.path.join(out, "training.json"), "w") as f:
        json.dump({"config": training, "summary": summary, "tokenizerDigest": tok.digest}, f, indent=2)
        f.write("\n")


def loss_svg(metrics: list, title: str = "", width: int = 720, height: int = 360) -> str:
    """Training loss per step (bucket means when there are more steps than pixels); a dashed line and label where the
    masking phase changes."""
    pts = [(m["step"], m["loss"]) for m in metrics if m.get("loss") is not None]
    left, right, top, bottom = 60, 20, 30, 40
    W, H = width - left - right, height - top - bottom
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="18" font-size="13">{escape(title)} — training loss</text>']
    if pts:
        n_buckets = min(len(pts), W)
        buckets = [[] for _ in range(n_buckets)]
        for i, p in enumerate(pts):
            buckets[i * n_buckets // len(pts)].append(p)
        series = [(sum(s for s, _ in b) / len(b), sum(v for _, v in b) / len(b)) for b in buckets if b]
        x0, x1 = pts[0][0], max(pts[-1][0], pts[0][0] + 1)
        lo, hi = min(v for _, v in series), max(v for _, v in series)
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        X = lambda s: left + (s - x0) / (x1 - x0) * W  # noqa: E731
        Y = lambda v: top + (hi - v) / (hi - lo) * H  # noqa: E731
        parts.append(f'<rect x="{left}" y="{top}" width="{W}" height="{H}" fill="none" stroke="#999"/>')
        for i in range(5):
            v = lo + (hi - lo) * i / 4
            parts.append(f'<text x="{left - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:.3g}</text>')
        for i in range(5):
            s = x0 + (x1 - x0) * i / 4
            parts.append(f'<text x="{X(s):.1f}" y="{top + H + 16}" text-anchor="middle">{int(round(s))}</text>')
        parts.append(f'<text x="{left + W / 2}" y="{height - 6}" text-anchor="middle">step</text>')
        prev = None
        for m in metrics:
            ph = m.get("phase")
            if prev is not None and ph != prev:
                x = X(m["step"])
                parts.append(f'<line class="phase" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + H}" stroke="#c33" stroke-dasharray="4 3"/>')
                parts.append(f'<text x="{x + 3:.1f}" y="{top + 12}" fill="#c33">phase {ph + 1} (span ≤ {m.get("maskSpanMax")})</text>')
            prev = ph
        path = " ".join(f"{'M' if i == 0 else 'L'}{X(s):.1f},{Y(v):.1f}" for i, (s, v) in enumerate(series))
        parts.append(f'<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    parts.append("</svg>\n")
    return "\n".join(parts)
