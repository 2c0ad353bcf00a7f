"""worker/tracking.py: TensorBoard scalars land in <checkpointDir>/tensorboard and TensorBoard's reader sees them; a
resumed attempt's purge_step hides what an earlier attempt logged past the checkpoint; MLflow / W&B configured in the
environment but not installed cost one warning each and never fail training."""

import builtins
import json

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from worker import events
from worker.tracking import TAGS, Tracker, software_versions


def scalars(logdir):
    ea = EventAccumulator(str(logdir), size_guidance={"scalars": 0})
    ea.Reload()
    return {t: [(e.step, e.value) for e in ea.Scalars(t)] for t in ea.Tags()["scalars"]}


def test_scalars_and_purge_on_resume(tmp_path):
    cfg = {"checkpointDir": str(tmp_path)}
    t = Tracker(cfg, "pretrain", 0)
    for step in range(1, 8):  # the first attempt got to step 7; its last checkpoint was step 4
        t.log(step, {"loss": 10.0 - step, "lr": 0.1, "phase": 0, "stepS": 0.5, "notAMetric": "x"})
    t.close()
    t = Tracker(cfg, "pretrain", 4)  # resumed from the checkpoint at step 4: steps 5.. are logged again
    for step in range(5, 10):
        t.log(step, {"loss": 100.0 + step, "lr": 0.1, "phase": 1})
    t.close()
    s = scalars(tmp_path / "tensorboard")
    assert set(s) == {TAGS["loss"], TAGS["lr"], TAGS["phase"]}  # stepS and non-numbers are not curves
    assert [step for step, _ in s["train/loss"]] == list(range(1, 10))
    assert [v for _, v in s["train/loss"]] == [9, 8, 7, 6, 105, 106, 107, 108, 109]


def test_missing_tracking_packages_warn_once_and_training_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", str(tmp_path / "mlruns"))
    monkeypatch.setenv("WANDB_PROJECT", "p")
    real = builtins.__import__

    def no_trackers(name, *a, **k):
        if name in ("mlflow", "wandb"):
            raise ImportError(f"No module named '{name}'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_trackers)
    events.set_enabled(True)
    t = Tracker({"checkpointDir": str(tmp_path)}, "finetune", 0)
    for step in range(1, 4):
        t.log(step, {"loss": 1.0, "devLoss": 0.5})
    t.close()
    warnings = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines() if line.startswith("{") and '"log"' in line]
    assert sum("MLflow" in w for w in warnings) == 1 and sum("Weights & Biases" in w for w in warnings) == 1, warnings
    assert [st for st, _ in scalars(tmp_path / "tensorboard")["dev/loss"]] == [1, 2, 3]


def test_software_versions_name_the_worker_stack():
    import torch
    import transformers

    v = software_versions()
    assert v["torch"] == torch.__version__.split("+")[0] or v["torch"] == torch.__version__
    assert v["transformers"] == transformers.__version__
    assert v["python"].count(".") == 2
