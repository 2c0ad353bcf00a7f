#!/usr/bin/env bash
# Lints and format-checks the Python worker, benchmarks and test oracles with ruff (rules in ruff.toml; ruff pinned in test/python-requirements.txt, which
# scripts/ensure-test-deps.sh installs). Fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-${DNAFLOW_PYTHON:-python3}}"
"$py" -m ruff check worker bench test
"$py" -m ruff format --check worker bench test
