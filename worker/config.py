"""The pretrain config: defaults, validation (errors name the field), and the checks against tokenizer and shards.

The same names are the `with:` params of `model/pretrain@1`; a config written by hand runs the worker without Node."""
import copy

DEFAULTS = {
    "tokenizer": None,  # tokenizer artifact directory (tokenizer.json + companions)
    "train": None,  # token shards directory, or a list of them
    "valid": None,  # optional token shards for a final validation loss
    "checkpointDir": None,
    "outDir": None,
    "model": {
        "family": "roberta",  # roberta | bert | modernbert
        "layers": 6,
        "hidden": 512,
        "heads": 8,
        "intermediate": 2048,
        "maxPositions": 512,  # longest input in tokens ([CLS]/[SEP] included)
        "dropout": 0.1,
        "attentionDropout": 0.1,
        "vocabSize": None,  # from the tokenizer; if given it must match
    },
    "masking": {
        "strategy": "bert",  # bert | kmer-span | randommask
        "ratio": 0.15,  # target fraction of non-special tokens masked
        "maskToken": 0.8,  # of masked positions: replaced by [MASK]
        "randomToken": 0.1,  # ... by a random non-special token (the rest stay unchanged)
        "k": 6,  # kmer-span: span length (the tokenizer's k)
        "phases": 5,  # randommask
        "minSpan": 6,
        "maxSpanStart": 6,
        "maxSpanStep": 2,
        "centreProbability": None,  # override the probability derived from `ratio`
    },
    "optimizer": {
        "lr": 1e-4,
        "betas": [0.9, 0.98],
        "eps": 1e-6,
        "weightDecay": 0.01,
        "warmupSteps": 0,
        "minLrRatio": 0.0,  # linear decay to lr * minLrRatio at the last step
        "clip": 1.0,  # max global grad norm; 0 = off
    },
    "steps": 1000,
    "batchSize": 32,  # global: microBatchSize × devices × accumulation
    "microBatchSize": None,  # per device and forward pass; default batchSize / devices
    "seed": 0,
    "checkpointEvery": 1000,
    "keepCheckpoints": 3,
    "evalBatches": 0,  # batches of `valid` scored at the end
    "device": "auto",  # auto | cpu | cuda
    "precision": "auto",  # auto (bf16 autocast on CUDA) | bf16 | fp32
    "compile": "auto",  # auto (on CUDA) | true | false
    "deterministic": "auto",  # auto (on CPU) | true | false
    "threads": 0,  # CPU threads for torch; 0 = torch's default
}

FAMILIES = ("roberta", "bert", "modernbert")
STRATEGIES = ("bert", "kmer-span", "randommask")


class ConfigError(Exception):
    """Bad input: the message names the field. Reported as an input error (not retried, nothing published)."""


def _merge(base, over, path=""):
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if k not in base:
            raise ConfigError(f"{path}{k}: unknown field (known: {', '.join(sorted(base))})")
        if isinstance(base[k], dict) and v is not None:
            if not isinstance(v, dict):
                raise ConfigError(f"{path}{k}: must be an object")
            out[k] = _merge(base[k], v, f"{path}{k}.")
        else:
            out[k] = v
    return out


def _num(cfg, path, lo=None, hi=None, integer=False, lo_open=False, none_ok=False):
    cur = cfg
    for p in path.split("."):
        cur = cur[p]
    if cur is None and none_ok:
        return
    if isinstance(cur, bool) or not isinstance(cur, (int, float)) or (integer and not float(cur).is_integer()):
        raise ConfigError(f"{path}: must be {'an integer' if integer else 'a number'}, got {cur!r}")
    if lo is not None and (cur <= lo if lo_open else cur < lo):
        raise ConfigError(f"{path}: must be {'>' if lo_open else '>='} {lo}, got {cur}")
    if hi is not None and cur > hi:
        raise ConfigError(f"{path}: must be <= {hi}, got {cur}")


def load_config(raw: dict) -> dict:
    cfg = _merge(DEFAULTS, raw)
    for f in ("tokenizer", "train", "checkpointDir", "outDir"):
        if not cfg[f]:
            raise ConfigError(f"{f}: required")
    if isinstance(cfg["train"], str):
        cfg["train"] = [cfg["train"]]
    if isinstance(cfg["valid"], str):
        cfg["valid"] = [cfg["valid"]]
    m, k, o = cfg["model"], cfg["masking"], cfg["optimizer"]
    if m["family"] not in FAMILIES:
        raise ConfigError(f"model.family: '{m['family']}' is not one of {', '.join(FAMILIES)}")
    for f in ("layers", "hidden", "heads", "intermediate", "maxPositions"):
        _num(cfg, f"model.{f}", lo=1, integer=True)
    _num(cfg, "model.vocabSize", lo=1, integer=True, none_ok=True)
    for f in ("dropout", "attentionDropout"):
        _num(cfg, f"model.{f}", lo=0, hi=1)
    if m["hidden"] % m["heads"]:
        raise ConfigError(f"model.hidden: {m['hidden']} is not divisible by model.heads {m['heads']}")
    if m["family"] == "modernbert" and (m["hidden"] // m["heads"]) % 2:
        raise ConfigError(f"model.hidden: head size {m['hidden'] // m['heads']} must be even for rotary positions (modernbert)")
    if k["strategy"] not in STRATEGIES:
        raise ConfigError(f"masking.strategy: '{k['strategy']}' is not one of {', '.join(STRATEGIES)}")
    _num(cfg, "masking.ratio", lo=0, hi=0.9, lo_open=True)
    _num(cfg, "masking.maskToken", lo=0, hi=1)
    _num(cfg, "masking.randomToken", lo=0, hi=1)
    if k["maskToken"] + k["randomToken"] > 1:
        raise ConfigError(f"masking.randomToken: maskToken + randomToken = {k['maskToken'] + k['randomToken']} exceeds 1")
    _num(cfg, "masking.k", lo=1, hi=64, integer=True)
    _num(cfg, "masking.phases", lo=1, integer=True)
    _num(cfg, "masking.minSpan", lo=1, integer=True)
    _num(cfg, "masking.maxSpanStart", lo=1, integer=True)
    _num(cfg, "masking.maxSpanStep", lo=0, integer=True)
    _num(cfg, "masking.centreProbability", lo=0, hi=1, lo_open=True, none_ok=True)
    if k["maxSpanStart"] < k["minSpan"]:
        raise ConfigError(f"masking.maxSpanStart: {k['maxSpanStart']} is below masking.minSpan {k['minSpan']}")
    _num(cfg, "optimizer.lr", lo=0, lo_open=True)
    b = o["betas"]
    if not (isinstance(b, list) and len(b) == 2 and all(isinstance(x, (int, float)) and 0 <= x < 1 for x in b)):
        raise ConfigError(f"optimizer.betas: must be two numbers in [0, 1), got {b!r}")
    _num(cfg, "optimizer.eps", lo=0, lo_open=True)
    _num(cfg, "optimizer.weightDecay", lo=0)
    _num(cfg, "optimizer.warmupSteps", lo=0, integer=True)
    _num(cfg, "optimizer.minLrRatio", lo=0, hi=1)
    _num(cfg, "optimizer.clip", lo=0)
    _num(cfg, "steps", lo=1, integer=True)
    _num(cfg, "batchSize", lo=1, integer=True)
    _num(cfg, "microBatchSize", lo=1, integer=True, none_ok=True)
    _num(cfg, "seed", lo=0, integer=True)
    _num(cfg, "checkpointEvery", lo=1, integer=True)
    _num(cfg, "keepCheckpoints", lo=1, integer=True)
    _num(cfg, "evalBatches", lo=0, integer=True)
    _num(cfg, "threads", lo=0, integer=True)
    if o["warmupSteps"] > cfg["steps"]:
        raise ConfigError(f"optimizer.warmupSteps: {o['warmupSteps']} exceeds steps {cfg['steps']}")
    for f, allowed in (("device", ("auto", "cpu", "cuda")), ("precision", ("auto", "bf16", "fp32")), ("compile", ("auto", True, False)), ("deterministic", ("auto", True, False))):
        if cfg[f] not in allowed:
            raise ConfigError(f"{f}: {cfg[f]!r} is not one of {', '.join(map(str, allowed))}")
    return cfg


def batch_layout(cfg: dict, devices: int) -> tuple[int, int]:
    """(microBatchSize, accumulation) with batchSize == micro × devices × accumulation exactly."""
    B = cfg["batchSize"]
    micro = cfg["microBatchSize"] or max(1, B // devices)
    if B % (micro * devices):
        raise ConfigError(f"microBatchSize: batchSize {B} is not a multiple of microBatchSize {micro} × {devices} device(s)")
    return micro, B // (micro * devices)


def check_against_data(cfg: dict, vocab_size: int, block_length: int) -> None:
    """The model must fit the tokenizer and the shards."""
    m = cfg["model"]
    if m["vocabSize"] is not None and m["vocabSize"] != vocab_size:
        raise ConfigError(f"model.vocabSize: {m['vocabSize']} does not match the tokenizer's vocabulary of {vocab_size}")
    if m["maxPositions"] < block_length:
        raise ConfigError(f"model.maxPositions: {m['maxPositions']} is shorter than the token shards' rows ({block_length} tokens, meta.json maxLength)")
