#!/usr/bin/env bash
# Installs the Python test oracles (Hugging Face tokenizers/transformers, scikit-learn) if they are missing.
# Idempotent and quiet when everything is present; PYTHON selects the interpreter (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-python3}"
req=test/python-requirements.txt
[ -f "$req" ] || exit 0
if ! "$py" - "$req" <<'PY' 2>/dev/null
import sys, importlib.metadata as md
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line: continue
    name, _, version = line.partition("==")
    if md.version(name) != version: sys.exit(1)
PY
then
  echo "installing Python test oracles from $req" >&2
  "$py" -m pip install --quiet --disable-pip-version-check -r "$req"
fi
