"""The worker speaks the engine's event protocol (schema/protocol.schema.json, which engine/executors/protocol.ts reads
too): every line a pretraining run, a finetuning run and a failed run print is one valid event, progress counts `done`
steps with its metrics nested, and human lines are `log` events (stderr stays free of them)."""

import json
import os

from jsonschema import Draft7Validator

from .helpers import REPO, run_worker, tiny_config
from .test_finetune import config as ft_config
from .test_finetune import ft  # noqa: F401 - fixture
from .test_finetune import run as ft_run

SCHEMA = json.load(open(os.path.join(REPO, "schema", "protocol.schema.json")))
Draft7Validator.check_schema(SCHEMA)
VALIDATOR = Draft7Validator(SCHEMA)


def assert_valid(events):
    assert events
    for e in events:
        errors = [f"{'/'.join(map(str, x.absolute_path))}: {x.message}" for x in VALIDATOR.iter_errors(e)]
        assert not errors, f"{e}: {errors}"


def test_pretrain_events_follow_the_protocol(data, tmp_path):
    code, events, stderr = run_worker(tiny_config(data, str(tmp_path), steps=6, checkpointEvery=3, optimizer={"warmupSteps": 0}), str(tmp_path))
    assert code == 0
    assert_valid(events)
    progress = [e for e in events if e["event"] == "progress"]
    assert [(e["done"], e["total"], e["unit"]) for e in progress] == [(s, 6, "steps") for s in range(1, 7)]
    assert {"loss", "lr", "gradNorm", "tokensPerS"} <= set(progress[0]["metrics"])
    assert [e["event"] for e in events].count("done") == 1 and events[-1]["event"] == "done"
    assert all(e["message"] not in stderr for e in events if e["event"] == "log")


def test_finetune_events_follow_the_protocol(ft, tmp_path):  # noqa: F811 - fixture
    d = str(tmp_path / "ft")
    _, events = ft_run(ft_config(ft["tasks"], ft["tok"], d, epochs=1), d)
    assert_valid(events)
    assert {e["event"] for e in events} >= {"start", "progress", "eval", "checkpoint", "done"}


def test_an_input_error_is_a_valid_error_event(data, tmp_path):
    code, events, _ = run_worker(tiny_config(data, str(tmp_path), steps=0), str(tmp_path), check=False)
    assert code == 2
    assert_valid(events)
    assert events[-1] == {"event": "error", "message": "steps: must be >= 1, got 0", "inputError": True}


def test_the_schema_rejects_the_old_progress_shape():
    assert not VALIDATOR.is_valid({"event": "progress", "step": 3, "total": 6, "loss": 1.0})
    assert not VALIDATOR.is_valid({"event": "log"})
