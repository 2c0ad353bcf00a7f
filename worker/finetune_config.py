"""The finetune config: defaults, validation (errors name the field) and the preset resolution.

The fields, their defaults, types and ranges are model/finetune@1's `with:` params, defined once in
stages/model/finetune-params.ts and exported to worker/schemas/finetune.params.json; this adds the paths the stage fills
in. A config written by hand runs `python -m worker finetune --config cfg.json` without Node (docs/finetuning.md)."""

from .params_schema import ConfigError, defaults, load_params_schema, validate
from .presets import PRESETS, preset_for

PARAMS_SCHEMA = load_params_schema("finetune")
_PATH = {"type": "string", "minLength": 1}
CONFIG_SCHEMA = {
    **PARAMS_SCHEMA,
    "properties": {
        "tasks": _PATH,  # data/benchmark artifact directory (tasks.json + <task>/{train,dev,test}.csv)
        "tokenizer": _PATH,  # tokenizer artifact directory (tokenizer.json)
        "pretrained": {"type": ["string", "null"]},  # HF directory from model/pretrain (init: pretrained); null = from scratch
        "checkpointDir": _PATH,
        "outDir": _PATH,  # the HF model directory (best-on-dev weights)
        "predictionsDir": _PATH,  # predictions.csv (+ finetune.json) go here
        **PARAMS_SCHEMA["properties"],
    },
}
REQUIRED_PATHS = ("tasks", "task", "tokenizer", "checkpointDir", "outDir", "predictionsDir")
DEFAULTS = defaults(PARAMS_SCHEMA)

# A checkpoint made with different values of these is refused on resume.
RESUME_FIELDS = (
    "task",
    "init",
    "model",
    "lr",
    "batchSize",
    "epochs",
    "maxSteps",
    "warmupSteps",
    "evalEvery",
    "selectBy",
    "weightDecay",
    "clip",
    "maxLength",
    "trainRows",
    "devFraction",
    "seed",
)


def load_finetune_config(raw: dict) -> dict:
    for f in REQUIRED_PATHS:
        if not (raw or {}).get(f):
            raise ConfigError(f"{f}: required")
    cfg = validate(CONFIG_SCHEMA, raw)
    if cfg["init"] == "pretrained" and not cfg["pretrained"]:
        raise ConfigError("init: pretrained needs a pretrained model (the `model` input); bind it, or set init: scratch")
    if cfg["init"] == "scratch" and cfg["pretrained"]:
        raise ConfigError(
            "init: scratch trains from random weights, but a pretrained model is bound (the `model` input); leave it unbound, or set init: pretrained"
        )
    if cfg["preset"] not in PRESETS:
        raise ConfigError(f"preset: '{cfg['preset']}' is not one of {', '.join(PRESETS)}")
    resolved = preset_for(cfg["preset"], cfg["task"])
    cfg["presetValues"] = dict(resolved)
    for f in ("lr", "batchSize", "epochs", "maxSteps", "warmupSteps", "evalEvery"):
        if cfg[f] is None:
            cfg[f] = resolved[f]
    m = cfg["model"]
    if cfg["init"] == "scratch" and m["hidden"] % m["heads"]:
        raise ConfigError(f"model.hidden: {m['hidden']} is not divisible by model.heads {m['heads']}")
    return cfg
