#!/bin/bash
# Stops the cluster start.sh started in STATE_DIR: only its own daemons, by the pids in STATE_DIR/run.
D=${1:?usage: stop.sh STATE_DIR}
export SLURM_CONF=$D/slurm.conf
timeout 5 scontrol shutdown >/dev/null 2>&1 || true      # slurmctld and slurmd save state and exit
for f in $D/run/slurmctld.pid $D/run/slurmd.pid $D/run/munge/munged.pid; do
  [ -s $f ] || continue
  p=$(cat $f)
  for i in $(seq 1 20); do kill -0 $p 2>/dev/null || break; [ $i = 1 ] && kill $p 2>/dev/null; sleep 0.1; done
  kill -9 $p 2>/dev/null || true
done
# A job step daemon that outlived its slurmd (it waits to report): only those of this cluster, found by SLURM_CONF.
for e in /proc/[0-9]*/environ; do
  p=${e#/proc/}; p=${p%/environ}
  grep -qa '^slurmstepd' /proc/$p/cmdline 2>/dev/null || continue
  tr '\0' '\n' < $e 2>/dev/null | grep -qx "SLURM_CONF=$D/slurm.conf" && kill -9 $p 2>/dev/null
done
true
