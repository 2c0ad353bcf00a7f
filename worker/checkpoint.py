"""Checkpoints in the stage's persistent checkpoint directory:

    step-000001000/state.pt        model, optimizer, scheduler, RNG states (python, numpy, torch CPU + CUDA), data cursor
    step-000001000/manifest.json   {"step", "sha256", "bytes"} of state.pt: written last, so its presence = complete

Written as .tmp-step-… (files fsynced) and renamed into place, then the directory is fsynced: a crash leaves either no
checkpoint or a whole one. On start the newest checkpoint whose state.pt matches its manifest is used; a torn or corrupt
one is skipped with a warning. Only the newest `keep` are kept."""

import hashlib
import json
import os
import re
import shutil

import torch

from .events import warn

NAME = re.compile(r"^step-(\d{9,})$")


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save(root: str, step: int, state: dict, keep: int) -> str:
    os.makedirs(root, exist_ok=True)
    name = f"step-{step:09d}"
    final, tmp = os.path.join(root, name), os.path.join(root, f".tmp-{name}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    state_file = os.path.join(tmp, "state.pt")
    with open(state_file, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump({"step": step, "sha256": sha256_file(state_file), "bytes": os.path.getsize(state_file)}, f)
        f.flush()
        os.fsync(f.fileno())
    _fsync_dir(tmp)
    if os.path.exists(final):  # the same step again (a rerun after a crash right after saving): replace it
        shutil.rmtree(final)
    os.rename(tmp, final)
    _fsync_dir(root)
    for old in list_steps(root)[:-keep]:
        shutil.rmtree(os.path.join(root, f"step-{old:09d}"), ignore_errors=True)
    return final


def list_steps(root: str) -> list:
    if not os.path.isdir(root):
        return []
    return sorted(int(m.group(1)) for n in os.listdir(root) if (m := NAME.match(n)))


def load_latest(root: str):
    """(step, state) of the newest valid checkpoint, or (0, None)."""
    if os.path.isdir(root):
        for n in os.listdir(root):
            if n.startswith(".tmp-"):
                shutil.rmtree(os.path.join(root, n), ignore_errors=True)
    for step in reversed(list_steps(root)):
        d = os.path.join(root, f"step-{step:09d}")
        try:
            manifest = json.load(open(os.path.join(d, "manifest.json")))
            state_file = os.path.join(d, "state.pt")
            if os.path.getsize(state_file) != manifest["bytes"] or sha256_file(state_file) != manifest["sha256"]:
                raise ValueError("state.pt does not match its manifest")
            state = torch.load(state_file, map_location="cpu", weights_only=False)
            if state.get("step") != step:
                raise ValueError(f"state says step {state.get('step')}")
            return step, state
        except Exception as e:  # noqa: BLE001 - any defect means: not usable, try the previous one
            warn(f"skipping checkpoint {d}: {e}")
    return 0, None
