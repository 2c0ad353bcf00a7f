#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks: the Python test oracles and the worker's pinned requirements
# (into $PYTHON, default python3), and the Debian packages of the services the tests start (as root, via apt).
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
    if md.version(name).split("+")[0] != version: sys.exit(1)  # 2.13.0+cpu satisfies ==2.13.0
PY
}

for req in test/python-requirements.txt worker/requirements.txt; do
  [ -f "$req" ] || continue
  if ! satisfied "$req"; then
    echo "installing Python packages from $req" >&2
    "$py" -m pip install --quiet --disable-pip-version-check -r "$req"
  fi
done

# Debian services and tools the tests start for real: Ceph RGW (S3), Slurm + munge, chromium (report rendering), GNU time,
# strace (the publish-durability test watches the engine's fsync and rename calls).
need=()
command -v radosgw >/dev/null 2>&1 || need+=(radosgw ceph-mon ceph-osd)
command -v uuidgen >/dev/null 2>&1 || need+=(uuid-runtime)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v bc >/dev/null 2>&1 || need+=(bc)
command -v sbatch >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/bin/time ] || need+=(time)
command -v strace >/dev/null 2>&1 || need+=(strace)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages for the tests: ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "the tests need these Debian packages (install them as root): ${need[*]}" >&2
  fi
fi
