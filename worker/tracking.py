"""Training curves in the tools people use. TensorBoard event files go to <checkpointDir>/tensorboard, which travels with
the checkpoints (synced to the store at every heartbeat, fetched by whoever takes the stage over), so a resumed stage
continues the same curves: each attempt opens its own event file with purge_step = the resumed step + 1, which makes
TensorBoard drop what an earlier attempt logged past the checkpoint (no step appears twice). Event files hold wall
times, so they are never part of the published model directory (docs/monitoring.md).

MLflow and Weights & Biases log the same scalars when the environment configures them (MLFLOW_TRACKING_URI,
WANDB_PROJECT); the run is named by the stage key (DNAFLOW_KEY), so a resume or takeover reattaches to the same
tracking run. Never required: a missing package is one warning, and a tracking server that fails never fails training.
"""

import os

from .events import warn

TB_DIR = "tensorboard"

# Worker metric name → tag shown in the tools.
TAGS = {
    "loss": "train/loss",
    "lr": "train/lr",
    "gradNorm": "train/grad_norm",
    "maskRatio": "train/mask_ratio",
    "phase": "train/randommask_phase",
    "tokensPerS": "train/tokens_per_s",
    "samplesPerS": "train/samples_per_s",
    "epoch": "train/epoch",
    "validLoss": "valid/loss",
    "devLoss": "dev/loss",
}


def software_versions() -> dict:
    """What trained the model, for the manifest and `dnaflow export --ro-crate` (metadata, never published bytes)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("torch", "transformers", "tokenizers", "safetensors", "numpy", "tensorboard"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def _warn_once(what: str, err: BaseException) -> None:
    warn(f"{what} logging disabled: {type(err).__name__}: {err}")


class Tracker:
    """Logs scalars per step to TensorBoard (and MLflow / W&B when configured). Only rank 0 logs."""

    def __init__(self, cfg: dict, kind: str, start_step: int, rank: int = 0):
        self.tb = self.mlflow = self.wandb = None
        if rank != 0:
            return
        key = os.environ.get("DNAFLOW_KEY", "")
        stage = os.environ.get("DNAFLOW_STAGE", kind)
        self.logdir = os.path.join(cfg["checkpointDir"], TB_DIR)
        try:
            from torch.utils.tensorboard import SummaryWriter

            # One event file per attempt; purge_step hides what an earlier attempt logged past the resumed checkpoint.
            self.tb = SummaryWriter(self.logdir, purge_step=start_step + 1, flush_secs=10)
        except Exception as e:  # noqa: BLE001 - the tensorboard package is optional at run time
            _warn_once("TensorBoard", e)
        if os.environ.get("MLFLOW_TRACKING_URI"):
            self.mlflow = _mlflow_run(key, stage, kind)
        if os.environ.get("WANDB_PROJECT"):
            self.wandb = _wandb_run(key, stage, kind)

    def log(self, step: int, metrics: dict) -> None:
        scalars = {TAGS[k]: float(v) for k, v in metrics.items() if k in TAGS and isinstance(v, (int, float)) and v == v}
        if not scalars:
            return
        if self.tb is not None:
            for tag, v in scalars.items():
                self.tb.add_scalar(tag, v, step)
        if self.mlflow is not None:
            try:
                self.mlflow.log_metrics({t.replace("/", "."): v for t, v in scalars.items()}, step=step)
            except Exception as e:  # noqa: BLE001
                _warn_once("MLflow", e)
                self.mlflow = None
        if self.wandb is not None:
            try:
                self.wandb.log(scalars, step=step)
            except Exception as e:  # noqa: BLE001
                _warn_once("Weights & Biases", e)
                self.wandb = None

    def flush(self) -> None:
        """At each checkpoint: the curves on disk reach at least the step a resume starts from."""
        if self.tb is not None:
            self.tb.flush()

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()
            self.tb = None
        if self.mlflow is not None:
            try:
                self.mlflow.end_run()
            except Exception:  # noqa: BLE001
                pass
            self.mlflow = None
        if self.wandb is not None:
            try:
                self.wandb.finish()
            except Exception:  # noqa: BLE001
                pass
            self.wandb = None


def _mlflow_run(key: str, stage: str, kind: str):
    """The MLflow run tagged with this stage key (reattached on resume), else a new one."""
    try:
        import mlflow
    except ImportError as e:
        _warn_once("MLflow (MLFLOW_TRACKING_URI is set)", e)
        return None
    try:
        found = mlflow.search_runs(filter_string=f"tags.`dnaflow.key` = '{key}'", search_all_experiments=True, output_format="list", max_results=1)
        if found:
            mlflow.start_run(run_id=found[0].info.run_id)
        else:
            mlflow.start_run(run_name=f"{stage} {key[:10]}", tags={"dnaflow.key": key, "dnaflow.stage": stage, "dnaflow.kind": kind})
        return mlflow
    except Exception as e:  # noqa: BLE001
        _warn_once("MLflow", e)
        return None


def _wandb_run(key: str, stage: str, kind: str):
    """A W&B run whose id is the stage key: resume="allow" reattaches a resumed or taken-over stage."""
    try:
        import wandb
    except ImportError as e:
        _warn_once("Weights & Biases (WANDB_PROJECT is set)", e)
        return None
    try:
        return wandb.init(id=key[:64] or None, resume="allow", name=f"{stage} {key[:10]}", job_type=kind, config={"dnaflow_key": key})
    except Exception as e:  # noqa: BLE001
        _warn_once("Weights & Biases", e)
        return None
