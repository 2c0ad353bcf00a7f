"""The finetune config: defaults, validation (errors name the field) and the preset resolution.

The same names are the `with:` params of `model/finetune@1` (plus the paths the stage fills in); a config written by
hand runs `python -m worker finetune --config cfg.json` without Node (docs/finetuning.md)."""
import copy

from .config import DEFAULTS as PRETRAIN_DEFAULTS
from .config import ConfigError, _merge, _num
from .presets import PRESETS, preset_for

DEFAULTS = {
    "tasks": None,  # data/benchmark artifact directory (tasks.json + <task>/{train,dev,test}.csv)
    "task": None,  # one task name from tasks.json
    "tokenizer": None,  # tokenizer artifact directory (tokenizer.json)
    "pretrained": None,  # HF directory from model/pretrain (init: pretrained); null = from scratch
    "init": "pretrained",  # pretrained | scratch
    "model": copy.deepcopy(PRETRAIN_DEFAULTS["model"]),  # architecture for init: scratch (the pretrain `model:` block)
    "preset": "dnabert2",  # dnabert2 | randommask | none (worker/presets.py)
    "lr": None,  # None: from the preset
    "batchSize": None,
    "epochs": None,
    "maxSteps": None,  # stop after this many steps (0: epochs decide)
    "warmupSteps": None,
    "evalEvery": None,  # steps between dev evaluations (also at the last step)
    "selectBy": "loss",  # loss | metric | mcc | accuracy | f1 | pearson | spearman: which dev evaluation's weights are kept
    "weightDecay": 0.01,  # DNABERT-2 finetune/train.py TrainingArguments default
    "clip": 1.0,  # max global gradient norm (HF Trainer's default); 0 = off
    "maxLength": 0,  # tokens incl. [CLS]/[SEP]; 0 = auto: the longest tokenized sequence of the task
    "trainRows": 0,  # use a seeded random subset of this many training rows; 0 = all
    "devFraction": 0.1,  # a task without dev.csv: this fraction of train (seeded) is held out as dev
    "evalBatchSize": 64,
    "seed": 42,
    "checkpointEvery": 200,
    "keepCheckpoints": 2,
    "checkpointDir": None,
    "outDir": None,  # the HF model directory (best-on-dev weights)
    "predictionsDir": None,  # predictions.csv (+ finetune.json) go here
    "device": "auto",
    "deterministic": "auto",
    "threads": 0,
}

# A checkpoint made with different values of these is refused on resume.
RESUME_FIELDS = ("task", "init", "model", "lr", "batchSize", "epochs", "maxSteps", "warmupSteps", "evalEvery", "selectBy", "weightDecay",
                 "clip", "maxLength", "trainRows", "devFraction", "seed")


def load_finetune_config(raw: dict) -> dict:
    cfg = _merge(DEFAULTS, raw)
    for f in ("tasks", "task", "tokenizer", "checkpointDir", "outDir", "predictionsDir"):
        if not cfg[f]:
            raise ConfigError(f"{f}: required")
    if cfg["init"] not in ("pretrained", "scratch"):
        raise ConfigError(f"init: '{cfg['init']}' is not one of pretrained, scratch")
    if cfg["init"] == "pretrained" and not cfg["pretrained"]:
        raise ConfigError("init: pretrained needs a pretrained model (the `model` input); bind it, or set init: scratch")
    if cfg["init"] == "scratch" and cfg["pretrained"]:
        raise ConfigError("init: scratch trains from random weights, but a pretrained model is bound (the `model` input); "
                          "leave it unbound, or set init: pretrained")
    if cfg["preset"] not in PRESETS:
        raise ConfigError(f"preset: '{cfg['preset']}' is not one of {', '.join(PRESETS)}")
    resolved = preset_for(cfg["preset"], cfg["task"])
    cfg["presetValues"] = dict(resolved)
    for f in ("lr", "batchSize", "epochs", "maxSteps", "warmupSteps", "evalEvery"):
        if cfg[f] is None:
            cfg[f] = resolved[f]
    select = {"classification": ("loss", "metric", "mcc", "accuracy", "f1"), "regression": ("loss", "metric", "pearson", "spearman")}
    if cfg["selectBy"] not in select["classification"] + select["regression"]:
        raise ConfigError(f"selectBy: '{cfg['selectBy']}' is not one of loss, metric, mcc, accuracy, f1, pearson, spearman")
    m = cfg["model"]
    if cfg["init"] == "scratch":
        from .config import FAMILIES

        if m["family"] not in FAMILIES:
            raise ConfigError(f"model.family: '{m['family']}' is not one of {', '.join(FAMILIES)}")
        for f in ("layers", "hidden", "heads", "intermediate", "maxPositions"):
            _num(cfg, f"model.{f}", lo=1, integer=True)
        if m["hidden"] % m["heads"]:
            raise ConfigError(f"model.hidden: {m['hidden']} is not divisible by model.heads {m['heads']}")
    _num(cfg, "lr", lo=0, lo_open=True)
    _num(cfg, "batchSize", lo=1, integer=True)
    _num(cfg, "epochs", lo=1, integer=True)
    _num(cfg, "maxSteps", lo=0, integer=True)
    _num(cfg, "warmupSteps", lo=0, integer=True)
    _num(cfg, "evalEvery", lo=1, integer=True)
    _num(cfg, "weightDecay", lo=0)
    _num(cfg, "clip", lo=0)
    _num(cfg, "maxLength", lo=0, integer=True)
    _num(cfg, "trainRows", lo=0, integer=True)
    _num(cfg, "devFraction", lo=0, hi=0.9, lo_open=True)
    _num(cfg, "evalBatchSize", lo=1, integer=True)
    _num(cfg, "seed", lo=0, integer=True)
    _num(cfg, "checkpointEvery", lo=1, integer=True)
    _num(cfg, "keepCheckpoints", lo=1, integer=True)
    _num(cfg, "threads", lo=0, integer=True)
    for f, allowed in (("device", ("auto", "cpu", "cuda")), ("deterministic", ("auto", True, False))):
        if cfg[f] not in allowed:
            raise ConfigError(f"{f}: {cfg[f]!r} is not one of {', '.join(map(str, allowed))}")
    return cfg
