"""Exact resume: a worker SIGKILLed at random steps and rerun each time ends with a model.safetensors byte-identical to
an uninterrupted run's, and the same loss at every step (a continuous curve)."""

import json
import os
import random
import signal
import subprocess

import pytest

from .helpers import REPO, run_worker, tiny_config, worker_cmd


def read(path):
    return open(path, "rb").read()


def losses(run_dir):
    return [(m["step"], m["loss"], m["lr"], m["maskRatio"]) for m in map(json.loads, open(os.path.join(run_dir, "out", "metrics.jsonl")))]


@pytest.fixture(scope="module")
def baseline(data, tmp_path_factory):
    d = str(tmp_path_factory.mktemp("baseline"))
    run_worker(tiny_config(data, d), d)
    return d


def run_until(cfg, run_dir, kill_after_step, sig=signal.SIGKILL):
    """Starts the worker and sends `sig` once it reports a step >= kill_after_step; returns (returncode, last step seen)."""
    cf = os.path.join(run_dir, "cfg.json")
    json.dump(cfg, open(cf, "w"))
    p = subprocess.Popen(worker_cmd(cf), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": REPO})
    last, sent = None, False
    for line in p.stdout:  # read to the end: the worker may still report (its last checkpoint on SIGTERM)
        e = json.loads(line)
        if e["event"] == "progress" and not sent:
            last = e["done"]
            if last >= kill_after_step:
                p.send_signal(sig)
                sent = True
    return p.wait(), last


def test_sigkill_at_random_steps_then_rerun_is_byte_identical(data, baseline, tmp_path):
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    kills = sorted(rng.sample(range(1, 17), 3))  # leave the worker time to still be running when the kill lands
    d = str(tmp_path)
    cfg = tiny_config(data, d)
    for k in kills:
        code, last = run_until(cfg, d, k)
        assert code == -signal.SIGKILL, f"seed {seed}: worker was not killed at step {k} (exit {code})"
    code, events, _ = run_worker(cfg, d)
    starts = [e for e in events if e["event"] == "start"]
    assert starts and starts[0]["step"] > 0, f"seed {seed}: the final run did not resume from a checkpoint"
    assert read(os.path.join(d, "out", "model.safetensors")) == read(os.path.join(baseline, "out", "model.safetensors")), (
        f"seed {seed}, kills {kills}: weights differ"
    )
    assert losses(d) == losses(baseline), f"seed {seed}, kills {kills}: loss curve differs"
    assert [s for s, *_ in losses(d)] == list(range(1, 25))
    ckpts = sorted(n for n in os.listdir(os.path.join(d, "ckpt")) if n.startswith("step-"))
    assert ckpts == ["step-000000021", "step-000000024"], "keeps only the newest keepCheckpoints"


def test_a_corrupt_newest_checkpoint_is_skipped_with_a_warning(data, baseline, tmp_path):
    d = str(tmp_path)
    cfg = tiny_config(data, d, keepCheckpoints=3)
    code, last = run_until(cfg, d, 10)
    assert code == -signal.SIGKILL
    ck = os.path.join(d, "ckpt")
    newest = sorted(n for n in os.listdir(ck) if n.startswith("step-"))[-1]
    state = os.path.join(ck, newest, "state.pt")
    with open(state, "r+b") as f:  # flip bytes in the middle: size unchanged, digest not
        f.seek(os.path.getsize(state) // 2)
        f.write(b"\xff" * 64)
    os.makedirs(os.path.join(ck, ".tmp-step-000000099"))  # a torn write in progress
    code, events, _ = run_worker(cfg, d)
    assert any(f"skipping checkpoint {os.path.join(ck, newest)}" in e["message"] for e in events if e["event"] == "log")
    start = next(e for e in events if e["event"] == "start")
    assert 0 < start["step"] < int(newest[5:])
    assert not os.path.exists(os.path.join(ck, ".tmp-step-000000099"))
    assert read(os.path.join(d, "out", "model.safetensors")) == read(os.path.join(baseline, "out", "model.safetensors"))


def test_sigterm_writes_a_checkpoint_at_the_current_step_and_exits(data, baseline, tmp_path):
    d = str(tmp_path)
    cfg = tiny_config(data, d, checkpointEvery=100)
    code, last = run_until(cfg, d, 5, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    steps = sorted(int(n[5:]) for n in os.listdir(os.path.join(d, "ckpt")) if n.startswith("step-"))
    assert steps and steps[-1] >= 5, steps
    code, events, _ = run_worker(cfg, d)
    assert next(e for e in events if e["event"] == "start")["step"] == steps[-1]
    assert read(os.path.join(d, "out", "model.safetensors")) == read(os.path.join(baseline, "out", "model.safetensors"))


def test_a_different_config_refuses_the_checkpoints(data, tmp_path):
    d = str(tmp_path)
    cfg = tiny_config(data, d, steps=6)
    run_worker(cfg, d)
    code, events, _ = run_worker({**cfg, "seed": 8, "outDir": os.path.join(d, "out2")}, d, check=False)
    assert code == 2
    err = events[-1]
    assert err["event"] == "error" and err["inputError"] is True and err["message"].startswith("seed: differs from the checkpoints")
    assert not os.path.exists(os.path.join(d, "out2"))
