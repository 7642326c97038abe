# Sourced by up.sh and down.sh: where this checkout's single-node cluster keeps its runtime.
#
# munged refuses a socket under a folder that is not world-traversable, and a checkout often
# lives under one (root's home and every `mktemp -d` folder are 0700). So the runtime (socket,
# pids, spool, logs, slurm.conf) lives outside the checkout, in a folder of its own named by a
# digest of the checkout's real path: two checkouts never share daemons, and the same checkout
# always finds its own. src/config.ts computes the same path (localSlurmDir).
#   HARMONISE_SLURM_BASE   where those folders live (default /var/lib/harmonise/slurm)
#   HARMONISE_SLURM_DIR    this checkout's folder itself (default <base>/<digest>)
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd -P)
digest=$(printf '%s' "$root" | sha256sum | cut -c1-16)
base=${HARMONISE_SLURM_BASE:-/var/lib/harmonise/slurm}
dir=${HARMONISE_SLURM_DIR:-$base/$digest}
conf=$dir/etc/slurm.conf

say() { printf 'slurm: %s\n' "$*" >&2; }

# The pid in a pid file, if that process is alive and is this cluster's daemon (its command line
# names this folder), so a reused pid is never signalled.
own_pid() {
  [ -f "$1" ] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$2" || return 1
  printf '%s\n' "$pid"
}

# Stops one daemon of the cluster in folder $1 (TERM, then KILL after 15 s).
stop_daemon() {
  pid=$(own_pid "$1/run/$2.pid" "$1/") || { rm -f "$1/run/$2.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  rm -f "$1/run/$2.pid"
  say "stopped $2 (pid $pid) of $1"
}

stop_cluster() {
  stop_daemon "$1" slurmd
  stop_daemon "$1" slurmctld
  stop_daemon "$1" munged
}

# True when something listens on this TCP port (IPv4 or IPv6), read from /proc.
port_busy() {
  hex=$(printf ':%04X' "$1")
  awk -v port="$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == port { found = 1 }
    END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
