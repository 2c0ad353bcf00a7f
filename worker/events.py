"""The worker protocol (schema/protocol.schema.json, the same the engine's builtin children speak): one JSON object per
line on stdout. Human lines are `log` events, which the engine writes to the stage log; stderr carries only what
Python itself prints (tracebacks, library warnings)."""

import json
import math
import sys

_enabled = True


def set_enabled(on: bool) -> None:
    """Only rank 0 speaks under torchrun."""
    global _enabled
    _enabled = on


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    return v


def emit(event: str, **fields) -> None:
    if not _enabled:
        return
    line = json.dumps({"event": event, **{k: _clean(v) for k, v in fields.items()}}, separators=(",", ":"))
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def progress(done: int, total: int, **metrics) -> None:
    """`done` of `total` optimizer steps; `metrics` (scalars) reach `dnaflow watch`."""
    emit("progress", done=done, total=total, unit="steps", metrics=metrics)


def log(message: str) -> None:
    """A human line: a `log` event (the stage log)."""
    emit("log", message=message)


def warn(message: str) -> None:
    log(f"warning: {message}")
