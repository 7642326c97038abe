#!/bin/sh
# Stops the single-node cluster started by infra/slurm/up.sh, each daemon by its recorded pid.
# Jobs' state is kept (spool/) for the next start.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
dir=${HARMONISE_SLURM_DIR:-$root/.tools/slurm}

stop() {
  pidfile=$dir/run/$1.pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
  printf 'slurm: stopped %s (%s)\n' "$1" "$pid" >&2
}

stop slurmd
stop slurmctld
stop munged
