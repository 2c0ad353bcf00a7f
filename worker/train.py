"""pretrain: masked-language-model pretraining with exact resume. Reads like nanoGPT's train.py on purpose:
setup → model → optimizer/schedule → resume → loop (prefetched, masked batches; accumulation; clip; step) → export."""

import json
import os
import queue
import random
import signal
import threading
import time

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no tqdm bars in the stage log
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from . import numerics
from .numerics import deterministic_layer_norms, pin_cpu_kernels

pin_cpu_kernels()  # before torch loads its kernels: results independent of the CPU generation (worker/numerics.py)

import numpy as np
import torch
import torch.nn.functional as F

from . import checkpoint
from .config import ConfigError, batch_layout, check_against_data, load_config, torch_threads
from .data import Dataset, SampleOrder, Tokenizer
from .events import emit, log, progress, set_enabled, warn
from .export import export_model
from .masking import Masker
from .models import MaskedLMLoss, build_model, weight_decay_groups
from .optim_step import optimizer_step
from .tracking import Tracker, software_versions

# Fields that must not change between a checkpoint and the run resuming from it (the rest may: device layout, logging).
RESUME_FIELDS = ("model", "masking", "optimizer", "steps", "batchSize", "seed")


def lr_lambda(warmup: int, total: int, floor: float):
    """Linear warmup from 0, then linear decay to `floor` × lr at `total` (HF get_linear_schedule_with_warmup)."""

    def f(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        return floor + (1 - floor) * max(0.0, (total - step) / max(1, total - warmup))

    return f


def setup_distributed():
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        import torch.distributed as dist

        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    set_enabled(rank == 0)
    return world, rank


def pick_device(cfg):
    want = cfg["device"]
    if want == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: cuda requested but torch sees no CUDA device (see `dnaflow doctor`)")
    if want == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", torch.cuda.current_device())


class Batches:
    """Prefetches masked batches for steps [start, steps) in a thread: this rank's rows [lo, hi) of each global batch
    only (under DDP every rank prepares just its slice). Each row is a pure function of (seed, step, global row): its
    sample from SampleOrder, its mask from counter-based draws keyed by (seed, step) and the row — so prefetching and
    the number of ranks never change results."""

    def __init__(self, data, order, masker, batch, seed, start, steps, depth=4, pin=False, lo=0, hi=None):
        self.data, self.order, self.masker, self.batch, self.seed, self.pin = data, order, masker, batch, seed, pin
        self.lo, self.hi = lo, batch if hi is None else hi
        self.q = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self.wait_s = 0.0
        self.t = threading.Thread(target=self._run, args=(start, steps), daemon=True)
        self.t.start()

    def make(self, step):
        ids = self.data.rows(self.order.rows(step * self.batch + self.lo, self.hi - self.lo))
        inputs, labels, stats = self.masker(ids, [self.seed, 0x4D41534B, step], step, np.arange(self.lo, self.hi))
        x, y = torch.from_numpy(inputs), torch.from_numpy(labels)
        if self.pin:  # page-locked: the copy to the GPU overlaps compute
            x, y = x.pin_memory(), y.pin_memory()
        return x, y, stats

    def _run(self, start, steps):
        try:
            for s in range(start, steps):
                item = self.make(s)
                while not self.stop.is_set():
                    try:
                        self.q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        pass
                if self.stop.is_set():
                    return
        except BaseException as e:  # noqa: BLE001 - surfaced in the training thread
            self.q.put(e)

    def get(self):
        t = time.perf_counter()
        item = self.q.get()
        self.wait_s += time.perf_counter() - t
        if isinstance(item, BaseException):
            raise item
        return item


def rng_state():
    return {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }


def set_rng_state(s):
    random.setstate(s["python"])
    np.random.set_state(s["numpy"])
    torch.set_rng_state(s["torch"])
    if s.get("cuda") is not None and torch.cuda.is_available() and len(s["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(s["cuda"])


def read_metrics(path, upto):
    """Metric lines of steps <= upto (a killed run's later lines are dropped: the rerun writes them again)."""
    out = []
    if os.path.exists(path):
        for line in open(path):
            try:
                m = json.loads(line)
            except ValueError:
                continue  # a torn last line
            if m.get("step", 0) <= upto:
                out.append(line if line.endswith("\n") else line + "\n")
    return out


def pretrain(raw: dict) -> None:
    cfg = load_config(raw)
    world, rank = setup_distributed()
    device = pick_device(cfg)
    cuda = device.type == "cuda"
    deterministic = (not cuda) if cfg["deterministic"] == "auto" else cfg["deterministic"]
    torch.set_num_threads(torch_threads(cfg))
    if deterministic:
        if cuda:
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=cuda)
    bf16 = cuda and cfg["precision"] in ("auto", "bf16")
    if cfg["precision"] == "bf16" and not cuda:
        warn("precision bf16 is used on CUDA only; training in fp32 on CPU")

    tok = Tokenizer(cfg["tokenizer"])
    train_data = Dataset(cfg["train"], tok, "train")
    check_against_data(cfg, tok.vocab_size, train_data.length)
    valid_data = Dataset(cfg["valid"], tok, "valid") if cfg["valid"] else None
    micro, accum = batch_layout(cfg, world)
    B, L, steps, seed = cfg["batchSize"], train_data.length, cfg["steps"], cfg["seed"]
    masker = Masker(cfg["masking"], tok.special_ids, tok.ids["mask"], tok.vocab_size, steps)

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    model = build_model(cfg["model"], tok).to(device)
    if deterministic and not cuda:
        deterministic_layer_norms(model)  # results independent of the thread count
    o = cfg["optimizer"]
    opt = torch.optim.AdamW(weight_decay_groups(model, o["weightDecay"]), lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], fused=cuda or None)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(o["warmupSteps"], steps, o["minLrRatio"]))

    ckdir = cfg["checkpointDir"]
    metrics_file = os.path.join(ckdir, "metrics.jsonl")
    os.makedirs(ckdir, exist_ok=True)
    step, state = checkpoint.load_latest(ckdir)
    if state is not None:
        for f in RESUME_FIELDS:
            if state["config"][f] != cfg[f]:
                raise ConfigError(f"{f}: differs from the checkpoints in {ckdir} ({state['config'][f]!r} there); use a fresh checkpointDir")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        set_rng_state(state["rng"])
        log(f"resumed from step {step} ({ckdir})")
    if rank == 0:
        kept = read_metrics(metrics_file, step)
        with open(metrics_file + ".tmp", "w") as f:
            f.writelines(kept)
        os.replace(metrics_file + ".tmp", metrics_file)
    n_params = sum(p.numel() for p in model.parameters())
    emit(
        "start",
        step=step,
        total=steps,
        params=n_params,
        device=str(device),
        world=world,
        microBatchSize=micro,
        accumulation=accum,
        blockLength=L,
        rows=train_data.count,
        bf16=bf16,
        family=cfg["model"]["family"],
        strategy=cfg["masking"]["strategy"],
        software=software_versions(),
        numerics=numerics.describe(torch),
    )

    tracker = Tracker(cfg, "pretrain", step, rank)
    lm = MaskedLMLoss(model)
    if world > 1:
        lm = torch.nn.parallel.DistributedDataParallel(lm, device_ids=[device.index] if cuda else None)
    if cfg["compile"] is True or (cfg["compile"] == "auto" and cuda):
        lm = torch.compile(lm, dynamic=True)

    stop = {"signal": None}

    def on_term(signum, _frame):
        stop["signal"] = signum

    signal.signal(signal.SIGTERM, on_term)

    def save(at):
        if rank == 0:
            d = checkpoint.save(
                ckdir,
                at,
                {
                    "step": at,
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(),
                    "rng": rng_state(),
                    "cursor": {"samples": at * B},
                    "config": {f: cfg[f] for f in RESUME_FIELDS},
                },
                cfg["keepCheckpoints"],
            )
            emit("checkpoint", step=at, path=d)
            tracker.flush()
        if world > 1:
            torch.distributed.barrier()

    mine = (rank * micro * accum, (rank + 1) * micro * accum)  # this rank's rows of each global batch
    batches = Batches(train_data, SampleOrder(train_data.count, seed), masker, B, seed, step, steps, pin=cuda, lo=mine[0], hi=mine[1])
    timing = Timing()
    pad_cols = numerics.pad_width(L) if deterministic and not cuda else 0
    model.train()
    mf = open(metrics_file, "a") if rank == 0 else None
    try:
        while step < steps:
            t0 = time.perf_counter()
            wait0 = batches.wait_s
            inputs, labels, stats = batches.get()
            if world > 1:  # the loss is normalized by the global batch's masked count: sum the ranks' counts
                counts = torch.tensor([stats["masked"], stats["eligible"]], dtype=torch.int64, device=device)
                torch.distributed.all_reduce(counts)
                masked_all, eligible_all = (int(c) for c in counts.tolist())
                stats["masked"], stats["maskRatio"] = masked_all, masked_all / max(1, eligible_all)
            n_masked = max(1, stats["masked"])
            loss_sum = torch.zeros((), device=device)
            for j in range(accum):
                part = slice(j * micro, (j + 1) * micro)
                x = inputs[part].to(device, non_blocking=True)
                y = labels[part].to(device, non_blocking=True)
                if pad_cols:  # thread-count independent attention (worker/numerics.py)
                    x, y = F.pad(x, (0, pad_cols), value=tok.ids["pad"]), F.pad(y, (0, pad_cols), value=-100)
                am = (x != tok.ids["pad"]).long() if pad_cols or bool((inputs[part] == tok.ids["pad"]).any()) else None
                sync = world == 1 or j == accum - 1
                ctx = lm.no_sync() if not sync else _null()
                with ctx, torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
                    s, _ = lm(x, am, y)
                    loss = s / n_masked
                (loss * world).backward()  # DDP averages over ranks; each rank's share is already / global count
                loss_sum += loss.detach()
            if world > 1:
                torch.distributed.all_reduce(loss_sum)
            gnorm, lr = optimizer_step(model, opt, sched, o["clip"])
            step += 1
            dt = time.perf_counter() - t0
            # metrics.jsonl is published: only what the key determines. Timings go to the events (manifest meta, logs).
            m = {
                "step": step,
                "loss": float(loss_sum),
                "lr": lr,
                "gradNorm": float(gnorm),
                "maskRatio": round(stats["maskRatio"], 6),
                "phase": stats["phase"],
                "maskSpanMin": stats["minSpan"],
                "maskSpanMax": stats["maxSpan"],
                "masked": stats["masked"],
            }
            if mf:
                mf.write(json.dumps(m) + "\n")
                mf.flush()
            per_step = timing.step(B * L, dt, batches.wait_s - wait0)
            progress(step, steps, **{k: v for k, v in m.items() if k != "step"}, **per_step)
            tracker.log(step, {**m, **per_step})
            if step % cfg["checkpointEvery"] == 0 or step == steps:
                save(step)
            if world > 1:  # every rank must stop at the same step, or the others hang in the next all-reduce
                flag = torch.tensor([stop["signal"] or 0], device=device)
                torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
                stop["signal"] = int(flag.item()) or None
            if stop["signal"] is not None:
                if step % cfg["checkpointEvery"] and step != steps:
                    save(step)
                log(f"stopped by signal {stop['signal']} at step {step}; checkpoint written")
                raise SystemExit(128 + stop["signal"])
    except torch.OutOfMemoryError:
        raise ConfigError(
            f"microBatchSize: out of GPU memory with {micro} rows × {L} tokens per forward pass; lower microBatchSize "
            f"(batchSize {B} stays the same, accumulation grows)"
        ) from None
    except RuntimeError as e:
        if "can't allocate memory" in str(e) or "out of memory" in str(e).lower():
            raise ConfigError(f"microBatchSize: out of memory with {micro} rows × {L} tokens per forward pass ({e}); lower microBatchSize") from None
        raise
    finally:
        batches.stop.set()
        # Joined, not left to die with the interpreter: a daemon thread inside a torch call at exit aborts the process.
        batches.t.join(timeout=30)
        if mf:
            mf.close()

    if rank == 0:
        summary = {"step": step, "params": n_params}
        if valid_data is not None and cfg["evalBatches"]:
            summary["validLoss"] = evaluate(model, valid_data, masker, tok, cfg, device, bf16)
            emit("eval", step=step, validLoss=summary["validLoss"])
            tracker.log(step, {"validLoss": summary["validLoss"]})
        tracker.close()
        export_model(model, tok, cfg, metrics_file, summary)
        t = timing.summary()
        log(f"this attempt: {t['steps']} steps in {t['trainS']} s, {t['meanTokensPerS']} tokens/s, {t['dataWaitS']} s waiting for data")
        emit("done", outDir=cfg["outDir"], **summary, timing=t)
    if world > 1:
        torch.distributed.barrier()  # no rank tears the group down while rank 0 still exports
        torch.distributed.destroy_process_group()


class Timing:
    """Throughput of this attempt: reported in events (progress, done → the manifest's meta) and the log, never in the
    published files, whose bytes must depend on the key alone."""

    def __init__(self):
        self.steps, self.tokens, self.train_s, self.wait_s = 0, 0, 0.0, 0.0

    def step(self, tokens, dt, wait):
        self.steps, self.tokens, self.train_s, self.wait_s = self.steps + 1, self.tokens + tokens, self.train_s + dt, self.wait_s + wait
        return {"tokensPerS": round(tokens / dt, 1) if dt > 0 else None, "stepS": round(dt, 6), "dataWaitS": round(wait, 6)}

    def summary(self):
        return {
            "steps": self.steps,
            "trainS": round(self.train_s, 3),
            "dataWaitS": round(self.wait_s, 3),
            "meanTokensPerS": round(self.tokens / self.train_s, 1) if self.train_s > 0 else None,
        }


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


@torch.no_grad()
def evaluate(model, data, masker, tok, cfg, device, bf16):
    """Mean masked-token loss over the first evalBatches × microBatchSize rows, masked with a fixed seed."""
    model.eval()
    lm = MaskedLMLoss(model)
    micro = cfg["microBatchSize"] or cfg["batchSize"]
    total, count = 0.0, 0
    for b in range(cfg["evalBatches"]):
        rows = np.arange(b * micro, min(data.count, (b + 1) * micro))
        if not len(rows):
            break
        ids = data.rows(rows)
        inputs, labels, _ = masker(ids, [cfg["seed"], 0xE7A1, b], cfg["steps"] - 1)
        x, y = torch.from_numpy(inputs).to(device), torch.from_numpy(labels).to(device)
        am = (x != tok.ids["pad"]).long()
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            s, n = lm(x, am, y)
        total, count = total + float(s), count + int(n)
    model.train()
    return total / max(1, count)
