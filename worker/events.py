"""The worker protocol: one JSON object per line on stdout; human logs go to stderr."""
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
    return v


def emit(event: str, **fields) -> None:
    if not _enabled:
        return
    line = json.dumps({"event": event, **{k: _clean(v) for k, v in fields.items()}}, separators=(",", ":"))
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def log(message: str) -> None:
    """A human line: on stderr (the stage log) and as a `log` event."""
    if _enabled:
        print(message, file=sys.stderr, flush=True)
    emit("log", message=message)


def warn(message: str) -> None:
    log(f"warning: {message}")
