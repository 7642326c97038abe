#!/bin/sh
# Stops this checkout's single-node cluster (started by infra/slurm/up.sh), each daemon by its
# recorded pid, and only if that pid is still this cluster's daemon. Jobs' state is kept
# (spool/) for the next start. Says so when nothing of this cluster was running.
set -eu
. "$(dirname -- "$0")/runtime.sh"

running=0
for daemon in slurmd slurmctld munged; do
  own_pid "$dir/run/$daemon.pid" "$dir/" >/dev/null && running=1
done
if [ "$running" = 0 ]; then
  say "no daemon of this checkout's cluster is running ($dir)"
  exit 0
fi
stop_cluster "$dir"
