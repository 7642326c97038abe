#!/bin/sh
# Stops a local Temporal cluster started by up.sh: the server, then its PostgreSQL, each by
# its recorded pid and only if that pid is still this cluster's. The data stays for the next
# start. Says so when nothing of the cluster was running.
set -eu
. "$(dirname -- "$0")/runtime.sh"
dir=${HARMONISE_TEMPORAL_CLUSTER_DIR:?HARMONISE_TEMPORAL_CLUSTER_DIR names the cluster folder}

stopped=0
if pid=$(own_pid "$dir/run/temporal-server.pid" "--root $dir "); then
  stop_pid "$pid" 30
  say "stopped the Temporal server (pid $pid) of $dir"
  stopped=1
fi
rm -f "$dir/run/temporal-server.pid"
if pid=$(own_pid "$dir/pg/postmaster.pid" "$dir/pg"); then
  # TERM is PostgreSQL's "smart" shutdown, INT its "fast" one: sessions end, data is safe.
  kill -INT "$pid" 2>/dev/null || true
  stop_pid_wait=0
  while kill -0 "$pid" 2>/dev/null && [ "$stop_pid_wait" -lt 300 ]; do sleep 0.1; stop_pid_wait=$((stop_pid_wait + 1)); done
  kill -0 "$pid" 2>/dev/null && stop_pid "$pid" 10
  say "stopped PostgreSQL (pid $pid) of $dir"
  stopped=1
fi
[ "$stopped" = 1 ] || say "nothing of the cluster in $dir was running"
