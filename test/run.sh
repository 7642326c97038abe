#!/bin/sh
# Runs the suite's vitest projects in two lanes side by side, as two processes (vitest runs
# projects one after the other): the Slurm tests mostly wait on the cluster, the local ones keep
# the CPUs busy; the second lane then runs the "cluster" project (the demo and the campaign
# workflows again, on a PostgreSQL-backed Temporal cluster with mTLS). The second lane's output
# is printed after the local one's; any failing fails all.
# Both share one demo cache, so the demo genomes are simulated once per run, not once per demo.
set -u
cd "$(dirname "$0")/.."
slurm_log=$(mktemp)
own_cache=""
if [ -z "${HARMONISE_DEMO_CACHE:-}" ]; then
  own_cache=$(mktemp -d -t harmonise-demo-cache-XXXXXX)
  HARMONISE_DEMO_CACHE=$own_cache
  export HARMONISE_DEMO_CACHE
fi
# With a file filter, one project may have nothing to run; that is not a failure.
extra=""
[ "$#" -gt 0 ] && extra="--passWithNoTests"
# The second lane runs the Slurm project, then the files that also run on a Temporal cluster.
{
  npx vitest run --project slurm $extra "$@"
  slurm_only=$?
  npx vitest run --project cluster $extra "$@"
  cluster=$?
  [ "$slurm_only" -eq 0 ] && [ "$cluster" -eq 0 ]
} > "$slurm_log" 2>&1 &
slurm_pid=$!
npx vitest run --project local $extra "$@"
local_rc=$?
wait "$slurm_pid"
slurm_rc=$?
cat "$slurm_log"
rm -f "$slurm_log"
[ -n "$own_cache" ] && rm -rf "$own_cache"
echo "test projects: local exit $local_rc, slurm and cluster exit $slurm_rc" >&2
[ "$local_rc" -eq 0 ] && [ "$slurm_rc" -eq 0 ]
