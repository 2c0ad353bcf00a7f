#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks: the Python test oracles and the worker's pinned requirements
# (into $PYTHON, default python3), and Debian's chromium for the report rendering test (as root, via apt).
# Idempotent and quiet when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-${DNAFLOW_PYTHON:-python3}}"

satisfied() {
  "$py" - "$1" <<'PY' 2>/dev/null
import sys, importlib.metadata as md
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line: continue
    name, _, version = line.partition("==")
    if md.version(name) != version: sys.exit(1)
PY
}

for req in test/python-requirements.txt worker/requirements.txt; do
  [ -f "$req" ] || continue
  if ! satisfied "$req"; then
    echo "installing Python packages from $req" >&2
    "$py" -m pip install --quiet --disable-pip-version-check -r "$req"
  fi
done

if [ -d test/report ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian chromium for the report rendering test" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "the report test needs chromium: apt-get install chromium (as root)" >&2
  fi
fi
