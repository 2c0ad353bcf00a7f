#!/bin/bash
# Starts a single-node Slurm cluster (munged + slurmctld + slurmd), all state under STATE_DIR, on the given ports.
#   apt-get install -y slurm-wlm munge      (Debian; no systemd or cgroups needed)
#   bash start.sh STATE_DIR [CTLD_PORT SLURMD_PORT]     then: export SLURM_CONF=STATE_DIR/slurm.conf
# Daemon pids are left in STATE_DIR/run/*.pid; stop.sh stops exactly those.
set -euo pipefail
D=${1:?usage: start.sh STATE_DIR [CTLD_PORT SLURMD_PORT]}
CTLD_PORT=${2:-6817}; SLURMD_PORT=${3:-6818}
for b in munged slurmctld slurmd sinfo sbatch; do
  command -v $b >/dev/null || { echo "start.sh: '$b' not found: apt-get install -y slurm-wlm munge" >&2; exit 3; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$D"; D=$(cd "$D" && pwd)
mkdir -p $D/run/munge $D/state/ctld $D/state/d $D/log $D/munge
chmod 755 $D/run/munge; chmod 700 $D/munge
# The node as this machine really is (slurmd drains a node whose config claims more than it has).
NODE=$(slurmd -C | head -1 | sed -E 's/^NodeName=[^ ]+/NodeName=localhost NodeAddr=127.0.0.1/; s/ UpTime=.*//')
NODE="$NODE State=UNKNOWN"
sed -e "s#@STATE@#$D#g" -e "s#@CTLD_PORT@#$CTLD_PORT#" -e "s#@SLURMD_PORT@#$SLURMD_PORT#" -e "s#@USER@#$(id -un)#g" \
    -e "s#@NODE@#$NODE#" "$HERE/slurm.conf" > "$D/slurm.conf"
export SLURM_CONF=$D/slurm.conf
if [ ! -s $D/munge/munge.key ]; then
  dd if=/dev/urandom of=$D/munge/munge.key bs=1 count=1024 2>/dev/null; chmod 400 $D/munge/munge.key
fi
# munged refuses to run as root without --force
munged --force -S $D/run/munge/munge.socket.2 --key-file=$D/munge/munge.key \
  --log-file=$D/log/munged.log --pid-file=$D/run/munge/munged.pid --seed-file=$D/munge/munged.seed
slurmctld -c -f $SLURM_CONF       # -c: a clean start (no saved jobs)
slurmd -f $SLURM_CONF -N localhost
for i in $(seq 1 300); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.1
done
echo "start.sh: the node did not become idle in 30 s; logs in $D/log:" >&2
tail -n 20 $D/log/*.log >&2 || true
exit 4
