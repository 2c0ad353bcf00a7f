import importlib.util

import pytest

MISSING = [m for m in ("torch", "transformers", "tokenizers", "safetensors", "numpy", "jsonschema") if importlib.util.find_spec(m) is None]
if MISSING:
    raise pytest.UsageError(
        f"the worker tests need {', '.join(MISSING)}: pip install -r worker/requirements.txt (then rerun; or set DNAFLOW_PYTHON to an interpreter that has them)"
    )


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    """A BPE tokenizer artifact (vocab 64) and 64-token block shards built from the bundled chrM."""
    from .helpers import make_data

    return make_data(tmp_path_factory.mktemp("data"))
