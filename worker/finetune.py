"""finetune: sequence classification / regression on one benchmark task, from a pretrained model or from scratch, with
best-on-dev selection, test predictions and exact resume.

setup → tokenize the task's CSVs → model (*ForSequenceClassification) → AdamW + linear warmup/decay → resume → loop
(seeded shuffle per epoch; dev loss every evalEvery steps and at the end; the best weights kept) → predictions with the
best weights on dev and test → the HF directory. Reported metrics are computed from predictions.csv in TypeScript
(lib/metrics), never here; with `selectBy: loss` (the default) the model is selected on the dev loss, with a metric
(`selectBy: mcc`, …) on that dev metric computed by scikit-learn/scipy (dev_score), which lib/metrics is tested to equal."""

import json
import math
import os
import signal
import time

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from . import numerics
from .numerics import deterministic_layer_norms, pin_cpu_kernels

pin_cpu_kernels()  # before torch loads its kernels (worker/numerics.py)

import numpy as np
import torch

from . import checkpoint
from .checkpoint import sha256_file
from .config import ConfigError, torch_threads
from .data import Tokenizer
from .events import emit, log, progress
from .export import write_tokenizer_files
from .finetune_config import RESUME_FIELDS, load_finetune_config
from .finetune_data import SequenceTokenizer, hold_out_dev, pad_batch, read_split, read_task, train_subset
from .models import build_config, weight_decay_groups
from .optim_step import optimizer_step
from .tracking import Tracker, software_versions
from .train import lr_lambda, rng_state, set_rng_state


def _max_positions(config) -> int:
    """Longest input in tokens the model's position table allows (RoBERTa's starts after pad_token_id)."""
    n = getattr(config, "max_position_embeddings", None) or 10**9
    if config.model_type == "roberta":
        n -= (config.pad_token_id or 0) + 1
    return n


def load_data(cfg, tok: SequenceTokenizer, task: dict, model_max: int):
    """Tokenized splits {name: (ids list, labels np, rows np)}, and the max length used."""
    classification = task["kind"] == "classification"
    raw = {s: read_split(cfg["tasks"], task, s) for s in ("train", "dev", "test")}
    if raw["train"] is None:
        raise ConfigError(f"task: {task['name']} has no train split")
    if raw["test"] is None:
        raise ConfigError(f"task: {task['name']} has no test split")
    conv = (lambda v: int(v)) if classification else (lambda v: float(v))
    splits = {}
    for s, v in raw.items():
        if v is not None:
            seqs, labels = v
            splits[s] = (seqs, labels, np.arange(len(seqs)))
    n_dev = hold_out_dev(splits, cfg["seed"], cfg["devFraction"])
    if n_dev is not None:
        log(f"{task['name']}: no dev split; holding out {n_dev} training rows (devFraction {cfg['devFraction']}) as dev")
    full = {s: tok.encode(v[0]) for s, v in splits.items()}
    longest = max(len(x) for ids in full.values() for x in ids)  # over the whole task, before any trainRows subset
    pick = train_subset(len(splits["train"][0]), cfg["trainRows"])
    if pick is not None:
        seqs, labels, rows = splits["train"]
        splits["train"] = ([seqs[i] for i in pick], [labels[i] for i in pick], rows[pick])
        full["train"] = [full["train"][i] for i in pick]
        log(f"{task['name']}: training on a fixed random subset of {cfg['trainRows']} of {len(seqs)} rows (trainRows)")
    want = cfg["maxLength"] or longest
    if want > model_max:
        if cfg["maxLength"]:
            raise ConfigError(f"maxLength: {cfg['maxLength']} exceeds the model's {model_max} positions")
        want = model_max
    out, truncated = {}, 0
    for s, (seqs, labels, rows) in splits.items():
        ids = full[s]
        if longest > want:
            truncated += sum(len(x) > want for x in ids)
            ids = tok.encode(seqs, want)
        out[s] = (ids, np.asarray([conv(v) for v in labels], dtype=np.int64 if classification else np.float32), rows, labels)
    if truncated:
        log(f"{truncated} sequences truncated to {want} tokens (longest: {longest})")
    return out, want, longest


def _imported_with_remote_code(model_dir: str) -> bool:
    """Whether model/import brought this directory in with trustRemoteCode: true (its import.json says so)."""
    info = os.path.join(model_dir, "import.json")
    if not os.path.exists(info):
        return False
    with open(info) as f:
        return bool(json.load(f).get("trustRemoteCode"))


def build(cfg, task, tok_meta: Tokenizer):
    from transformers import AutoConfig, AutoModelForSequenceClassification

    classification = task["kind"] == "classification"
    num_labels = task["numClasses"] if classification else 1
    problem = "single_label_classification" if classification else "regression"
    torch.manual_seed(cfg["seed"])  # the head (and, from scratch, every weight) is initialized from the seed
    if cfg["init"] == "pretrained":
        d = cfg["pretrained"]
        if not os.path.exists(os.path.join(d, "config.json")):
            raise ConfigError(f"pretrained: {d} has no config.json (not a Hugging Face model directory)")
        tj = os.path.join(d, "tokenizer.json")
        if os.path.exists(tj) and sha256_file(tj) != tok_meta.digest:
            raise ConfigError(f"pretrained: {d} was pretrained with another tokenizer than {tok_meta.file} (tokenizer.json differs)")
        # A model/import made with trustRemoteCode (DNABERT-2 style, import.json) ships its own classes: the user's consent
        # there covers running them here; their attention is their own, so no attn_implementation is forced on them.
        trust = _imported_with_remote_code(d)
        conf = AutoConfig.from_pretrained(d, num_labels=num_labels, problem_type=problem, trust_remote_code=trust)
        if conf.vocab_size != tok_meta.vocab_size:
            raise ConfigError(f"pretrained: vocabulary {conf.vocab_size} does not match the tokenizer's {tok_meta.vocab_size}")
        if trust and "AutoModelForSequenceClassification" not in (getattr(conf, "auto_map", None) or {}):
            raise ConfigError(f"pretrained: {d} ships its own code but its config.json auto_map has no AutoModelForSequenceClassification to finetune")
        load = {"trust_remote_code": True} if trust else {"attn_implementation": "sdpa"}
        model = AutoModelForSequenceClassification.from_pretrained(d, config=conf, **load)
    else:
        conf = build_config(cfg["model"], tok_meta)
        conf.num_labels, conf.problem_type = num_labels, problem
        model = AutoModelForSequenceClassification.from_config(conf, attn_implementation="sdpa")
    if classification:
        model.config.id2label = {i: str(n) for i, n in enumerate(task.get("labelNames") or range(num_labels))}
        model.config.label2id = {v: k for k, v in model.config.id2label.items()}
    return model


def dev_score(select_by: str, task: dict, labels, outputs) -> float:
    """The dev metric `selectBy` names (higher is better), as scikit-learn/scipy define it (lib/metrics matches them);
    undefined values (Pearson of a constant prediction) count as -inf, so they are never kept over a defined one."""
    metric = ("mcc" if task["kind"] == "classification" else "pearson") if select_by == "metric" else select_by
    if task["kind"] == "classification":
        from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

        pred = outputs.argmax(axis=1)
        fn = {"mcc": matthews_corrcoef, "accuracy": accuracy_score, "f1": lambda y, p: f1_score(y, p, average="macro", zero_division=0)}[metric]
        v = float(fn(labels, pred))
    else:
        from scipy.stats import pearsonr, spearmanr

        pred = outputs[:, 0]
        v = float("nan") if np.ptp(pred) == 0 or np.ptp(labels) == 0 else float((pearsonr if metric == "pearson" else spearmanr)(labels, pred)[0])
    return v if math.isfinite(v) else -math.inf


@torch.no_grad()
def predict(model, ids, labels, cfg, pad, device):
    """(mean loss, outputs as float64 numpy) over a split, in order, with fixed batches."""
    was = model.training
    model.eval()
    B = cfg["evalBatchSize"]
    total, outs = 0.0, []
    for i in range(0, len(ids), B):
        x, am = pad_batch(ids[i : i + B], pad)
        y = torch.from_numpy(labels[i : i + B])
        o = model(input_ids=torch.from_numpy(x).to(device), attention_mask=torch.from_numpy(am).to(device), labels=y.to(device))
        total += float(o.loss) * len(x)
        outs.append(o.logits.float().cpu().numpy().astype(np.float64))
    model.train(was)
    return total / max(1, len(ids)), np.concatenate(outs)


def write_predictions(path, task, results):
    """predictions.csv: split,row,label,prediction (+ prob_i for classification), docs/evaluation.md."""
    classification = task["kind"] == "classification"
    k = task.get("numClasses", 1)
    with open(path + ".tmp", "w") as f:
        f.write("split,row,label,prediction" + ("".join(f",prob_{i}" for i in range(k)) if classification else "") + "\n")
        for split, (rows, labels, out) in results.items():
            if classification:
                z = out - out.max(axis=1, keepdims=True)
                p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
                pred = out.argmax(axis=1)
                for r, lab, c, pr in zip(rows, labels, pred, p, strict=True):
                    f.write(f"{split},{int(r)},{lab},{int(c)}," + ",".join(f"{v:.6f}" for v in pr) + "\n")
            else:
                for r, lab, v in zip(rows, labels, out[:, 0], strict=True):
                    f.write(f"{split},{int(r)},{lab},{float(v):.9g}\n")
    os.replace(path + ".tmp", path)


def export(model, cfg, tok_meta: Tokenizer, max_length: int, summary: dict):
    out = cfg["outDir"]
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out)
    os.chmod(os.path.join(out, "model.safetensors"), 0o644)
    write_tokenizer_files(tok_meta, out, max_length)
    with open(os.path.join(out, "finetune.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


def finetune(raw: dict) -> None:
    cfg = load_finetune_config(raw)
    cuda = torch.cuda.is_available() and cfg["device"] != "cpu"
    if cfg["device"] == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: cuda requested but torch sees no CUDA device (see `dnaflow doctor`)")
    device = torch.device("cuda" if cuda else "cpu")
    torch.set_num_threads(torch_threads(cfg))
    deterministic = (not cuda) if cfg["deterministic"] == "auto" else cfg["deterministic"]
    if deterministic:
        if cuda:
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=cuda)

    task = read_task(cfg["tasks"], cfg["task"])
    allowed = ("loss", "metric", "mcc", "accuracy", "f1") if task["kind"] == "classification" else ("loss", "metric", "pearson", "spearman")
    if cfg["selectBy"] not in allowed:
        raise ConfigError(f"selectBy: '{cfg['selectBy']}' does not apply to {task['name']} ({task['kind']}; one of {', '.join(allowed)})")
    tok_meta = Tokenizer(cfg["tokenizer"])
    seq_tok = SequenceTokenizer(cfg["tokenizer"])
    model = build(cfg, task, tok_meta).to(device)
    if deterministic and not cuda:
        deterministic_layer_norms(model)  # results independent of the thread count
    data, max_length, longest = load_data(cfg, seq_tok, task, _max_positions(model.config))
    pad = tok_meta.ids["pad"]
    train_ids, train_y = data["train"][0], data["train"][1]
    N, B, seed = len(train_ids), cfg["batchSize"], cfg["seed"]
    spe = math.ceil(N / B)
    total = cfg["epochs"] * spe
    if cfg["maxSteps"]:
        total = min(total, cfg["maxSteps"])
    warmup = min(cfg["warmupSteps"], total)

    opt = torch.optim.AdamW(weight_decay_groups(model, cfg["weightDecay"]), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(warmup, total, 0.0))

    ckdir = cfg["checkpointDir"]
    os.makedirs(ckdir, exist_ok=True)
    step, state = checkpoint.load_latest(ckdir)
    best = {"step": 0, "devLoss": None, "model": None}
    history = []
    resume_cfg = {f: cfg[f] for f in RESUME_FIELDS}
    if state is not None:
        for f in RESUME_FIELDS:
            if state["config"].get(f) != cfg[f]:
                raise ConfigError(f"{f}: differs from the checkpoints in {ckdir} ({state['config'].get(f)!r} there); use a fresh checkpointDir")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        set_rng_state(state["rng"])
        best, history = state["best"], state["history"]
        log(f"resumed from step {step} ({ckdir})")
    n_params = sum(p.numel() for p in model.parameters())
    emit(
        "start",
        step=step,
        total=total,
        params=n_params,
        device=str(device),
        task=task["name"],
        kind=task["kind"],
        init=cfg["init"],
        rows=N,
        stepsPerEpoch=spe,
        maxLength=max_length,
        lr=cfg["lr"],
        batchSize=B,
        epochs=cfg["epochs"],
        software=software_versions(),
        numerics=numerics.describe(torch),
    )
    log(
        f"{task['name']} ({task['kind']}), init {cfg['init']}: {N} training rows, {spe} steps/epoch, {total} steps, lr {cfg['lr']}, "
        f"batch {B}, max length {max_length} tokens (longest {longest}), {n_params} parameters"
    )

    stop = {"signal": None}
    signal.signal(signal.SIGTERM, lambda signum, _f: stop.__setitem__("signal", signum))
    tracker = Tracker(cfg, "finetune", step)

    def save(at):
        d = checkpoint.save(
            ckdir,
            at,
            {
                "step": at,
                "model": model.state_dict(),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "rng": rng_state(),
                "best": best,
                "history": history,
                "config": resume_cfg,
            },
            cfg["keepCheckpoints"],
        )
        emit("checkpoint", step=at, path=d)
        tracker.flush()

    dev_ids, dev_y = data["dev"][0], data["dev"][1]
    select_by = cfg["selectBy"]
    start_step = step
    model.train()
    t_start = time.perf_counter()
    while step < total:
        t0 = time.perf_counter()
        epoch, pos = divmod(step, spe)
        perm = np.random.default_rng([seed, 0x5EED, epoch]).permutation(N)
        idx = perm[pos * B : (pos + 1) * B]
        x, am = pad_batch([train_ids[i] for i in idx], pad)
        if deterministic and not cuda and numerics.pad_width(x.shape[1]):  # thread-count independent (worker/numerics.py)
            w = numerics.pad_width(x.shape[1])
            x, am = np.pad(x, ((0, 0), (0, w)), constant_values=pad), np.pad(am, ((0, 0), (0, w)))
        y = torch.from_numpy(train_y[idx]).to(device)
        out = model(input_ids=torch.from_numpy(x).to(device), attention_mask=torch.from_numpy(am).to(device), labels=y)
        out.loss.backward()
        gnorm, lr = optimizer_step(model, opt, sched, cfg["clip"])
        step += 1
        progress(step, total, epoch=epoch + 1, loss=out.loss.item(), lr=lr, gradNorm=float(gnorm), stepS=round(time.perf_counter() - t0, 6))
        tracker.log(
            step,
            {"loss": out.loss.item(), "lr": lr, "gradNorm": float(gnorm), "epoch": step / spe, "samplesPerS": len(idx) / max(1e-9, time.perf_counter() - t0)},
        )
        if step % cfg["evalEvery"] == 0 or step == total:
            dev_loss, dev_out = predict(model, dev_ids, dev_y, cfg, pad, device)
            entry = {"step": step, "epoch": round(step / spe, 4), "trainLoss": out.loss.item(), "devLoss": dev_loss}
            if select_by == "loss":
                better = best["devLoss"] is None or dev_loss < best["devLoss"]
            else:
                score = dev_score(select_by, task, dev_y, dev_out)
                entry["devMetric"] = score if math.isfinite(score) else None  # JSON has no -Infinity
                better = best.get("devMetric") is None or score > best["devMetric"]
            history.append(entry)
            if better:
                best = {"step": step, "devLoss": dev_loss, "model": {k: v.detach().clone().cpu() for k, v in model.state_dict().items()}}
                if select_by != "loss":
                    best["devMetric"] = score
            tracker.log(step, {"devLoss": dev_loss, **({"devMetric": entry["devMetric"]} if isinstance(entry.get("devMetric"), (int, float)) else {})})
            emit("eval", step=step, devLoss=dev_loss, bestStep=best["step"], **({"devMetric": entry["devMetric"]} if "devMetric" in entry else {}))
            shown = f"dev loss {dev_loss:.4f}" + (f", dev {select_by} {entry['devMetric']}" if "devMetric" in entry else "")
            log(f"step {step}/{total}: {shown} (best by {select_by}: step {best['step']})")
        if step % cfg["checkpointEvery"] == 0 or step == total:
            save(step)
        if stop["signal"] is not None:
            if step % cfg["checkpointEvery"] and step != total:
                save(step)
            log(f"stopped by signal {stop['signal']} at step {step}; checkpoint written")
            raise SystemExit(128 + stop["signal"])

    tracker.close()
    model.load_state_dict(best["model"])
    results = {}
    for split in ("dev", "test"):
        ids, labels, rows, label_strings = data[split]
        loss, outputs = predict(model, ids, labels, cfg, pad, device)
        results[split] = (rows, label_strings, outputs)
    os.makedirs(cfg["predictionsDir"], exist_ok=True)
    write_predictions(os.path.join(cfg["predictionsDir"], "predictions.csv"), task, results)
    summary = {
        "task": task["name"],
        "kind": task["kind"],
        "init": cfg["init"],
        "preset": cfg["preset"],
        "presetValues": cfg["presetValues"],
        "lr": cfg["lr"],
        "batchSize": B,
        "epochs": cfg["epochs"],
        "steps": total,
        "stepsPerEpoch": spe,
        "trainRows": N,
        "warmupSteps": warmup,
        "maxLength": max_length,
        "seed": seed,
        "params": n_params,
        "selectBy": select_by,
        "bestStep": best["step"],
        "bestDevLoss": best["devLoss"],
        **({"bestDevMetric": best["devMetric"] if math.isfinite(best["devMetric"]) else None} if select_by != "loss" else {}),
        "history": history,
    }
    with open(os.path.join(cfg["predictionsDir"], "finetune.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    export(model, cfg, tok_meta, max_length, summary)
    emit(
        "done",
        outDir=cfg["outDir"],
        step=step,
        bestStep=best["step"],
        bestDevLoss=best["devLoss"],
        params=n_params,
        timing={"steps": step - start_step, "trainS": round(time.perf_counter() - t_start, 3)},
    )
