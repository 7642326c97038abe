# Sourced by build.sh, up.sh and down.sh: the Temporal server version, where its binaries are
# cached, and where one local cluster keeps its state.
#   HARMONISE_TEMPORAL_SERVER_VERSION  the go.temporal.io/server release (default below; v1.29.x
#                                      builds with Go 1.26.8, later releases need a newer Go)
#   HARMONISE_TEMPORAL_BUILD_CACHE     where built binaries are kept, one folder per version,
#                                      outside every checkout so that no clone or CI run pays
#                                      for a rebuild (default /var/cache/harmonise/temporal-server
#                                      as root, else ~/.cache/harmonise/temporal-server)
#   HARMONISE_TEMPORAL_CLUSTER_DIR     the cluster's state: PostgreSQL data, certificates,
#                                      config, pids, logs (harmonise up passes it; see
#                                      docs/operations.md for the default)
version=${HARMONISE_TEMPORAL_SERVER_VERSION:-v1.29.1}
if [ -n "${HARMONISE_TEMPORAL_BUILD_CACHE:-}" ]; then
  cache=$HARMONISE_TEMPORAL_BUILD_CACHE
elif [ "$(id -u)" = 0 ]; then
  cache=/var/cache/harmonise/temporal-server
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/harmonise/temporal-server
fi
bin=$cache/$version

say() { printf 'temporal-cluster: %s\n' "$*" >&2; }

# The pid in a pid file, if that process is alive and its command line names $2, so that a
# reused pid is never signalled.
own_pid() {
  [ -f "$1" ] || return 1
  pid=$(head -n 1 "$1" 2>/dev/null) || return 1
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  printf '%s\n' "$pid"
}

# Sends TERM to a pid and waits up to $2 seconds for it to end, then KILL.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  i=0
  while kill -0 "$1" 2>/dev/null && [ "$i" -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$1" 2>/dev/null; then
    kill -KILL "$1" 2>/dev/null || true
    say "pid $1 did not end within $2 s of TERM: killed"
  fi
}

# PostgreSQL refuses to run as root: as root, its programs run as the postgres user.
as_pg() {
  # From /: the postgres user may not enter the caller's folder (a private checkout).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The newest installed PostgreSQL's programs folder, empty when there is none.
find_pg_bin() {
  found=""
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && found=$candidate
  done
  printf '%s\n' "$found"
}
