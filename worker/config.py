"""The pretrain config: defaults, validation (errors name the field), and the checks against tokenizer and shards.

The fields, their defaults, types and ranges are model/pretrain@1's `with:` params, defined once in
stages/model/pretrain-params.ts and exported to worker/schemas/pretrain.params.json; this adds the paths the stage
fills in and the checks that span fields. A config written by hand runs the worker without Node."""

from .params_schema import ConfigError, defaults, load_params_schema, validate

PARAMS_SCHEMA = load_params_schema("pretrain")
# The paths the stage fills in (not params: they are not in the key; the inputs' contents are).
_PATH = {"type": "string", "minLength": 1}
_PATHS = {"anyOf": [_PATH, {"type": "array", "items": _PATH, "minItems": 1}]}
CONFIG_SCHEMA = {
    **PARAMS_SCHEMA,
    "properties": {
        "tokenizer": _PATH,  # tokenizer artifact directory (tokenizer.json + companions)
        "train": _PATHS,  # token shards directory, or a list of them
        "valid": {"anyOf": [*_PATHS["anyOf"], {"type": "null"}]},  # optional token shards for a final validation loss
        "checkpointDir": _PATH,
        "outDir": _PATH,
        **PARAMS_SCHEMA["properties"],
    },
}
REQUIRED_PATHS = ("tokenizer", "train", "checkpointDir", "outDir")
DEFAULTS = defaults(PARAMS_SCHEMA)

FAMILIES = tuple(PARAMS_SCHEMA["properties"]["model"]["properties"]["family"]["enum"])


def load_config(raw: dict) -> dict:
    for f in REQUIRED_PATHS:
        if not (raw or {}).get(f):
            raise ConfigError(f"{f}: required")
    cfg = validate(CONFIG_SCHEMA, raw)
    if isinstance(cfg["train"], str):
        cfg["train"] = [cfg["train"]]
    if isinstance(cfg["valid"], str):
        cfg["valid"] = [cfg["valid"]]
    m, k, o = cfg["model"], cfg["masking"], cfg["optimizer"]
    # Checks that span fields (a JSON Schema cannot say them); the ranges of single fields are the schema's.
    if m["hidden"] % m["heads"]:
        raise ConfigError(f"model.hidden: {m['hidden']} is not divisible by model.heads {m['heads']}")
    if m["family"] == "modernbert" and (m["hidden"] // m["heads"]) % 2:
        raise ConfigError(f"model.hidden: head size {m['hidden'] // m['heads']} must be even for rotary positions (modernbert)")
    if k["maskToken"] + k["randomToken"] > 1:
        raise ConfigError(f"masking.randomToken: maskToken + randomToken = {k['maskToken'] + k['randomToken']} exceeds 1")
    if k["maxSpanStart"] < k["minSpan"]:
        raise ConfigError(f"masking.maxSpanStart: {k['maxSpanStart']} is below masking.minSpan {k['minSpan']}")
    if o["warmupSteps"] > cfg["steps"]:
        raise ConfigError(f"optimizer.warmupSteps: {o['warmupSteps']} exceeds steps {cfg['steps']}")
    return cfg


def torch_threads(cfg: dict) -> int:
    """`threads` is part of the key, so torch's thread count must come from it alone: 0 (the default) means 1, as the
    schema says, never torch's machine-dependent default."""
    return cfg["threads"] or 1


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
