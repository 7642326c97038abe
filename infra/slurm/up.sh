#!/bin/sh
# Brings up a real single-node Slurm cluster (munge, slurmctld, slurmd) from Debian packages,
# without systemd, idempotently. Each checkout has its own cluster, in a runtime folder outside
# the checkout (see runtime.sh for why and where):
#   etc/slurm.conf, etc/cgroup.conf, etc/munge.key   configuration (slurm.conf is what SLURM_CONF names)
#   spool/, run/, log/                                state, pids and sockets, logs (log/jobcomp.txt: finished jobs)
#   checkout                                          the checkout this cluster belongs to
# Prints the path of slurm.conf on stdout; progress goes to stderr.
# Settings (Slurm 22.05, Debian 12): cons_tres with CR_Core_Memory and DefMemPerCPU, fast
# scheduling, short credential expiry, ReturnToService=2, jobcomp/filetxt for `sacct -c` without
# a database, and cgroup confinement where cgroup v1 is mounted.
# Ports: HARMONISE_SLURMCTLD_PORT and HARMONISE_SLURMD_PORT when set (a busy one is an error);
# otherwise the ports this cluster used last, or the first free pair from 6817/6818 upwards, so
# that a second checkout's cluster runs beside the first.
set -eu

. "$(dirname -- "$0")/runtime.sh"
. "$(dirname -- "$0")/../lib/apt.sh"
PACKAGES="munge slurmctld slurmd slurm-client"

if [ "$(id -u)" != 0 ]; then
  say "starting a local cluster needs root (it installs packages and starts daemons);"
  say "point HARMONISE_SLURM_CONF at an existing cluster's slurm.conf instead"
  exit 1
fi

missing=""
for cmd in munged slurmctld slurmd sbatch; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing="$missing $cmd"
done
if [ -n "$missing" ]; then
  say "installing Debian packages: $PACKAGES"
  apt_install $PACKAGES
fi

# Clusters of checkouts that no longer exist are stopped and their runtime removed: nothing
# else would ever stop them, and they hold ports a new checkout's cluster may want.
for other in "$base"/*/checkout; do
  [ -f "$other" ] || continue
  other_dir=$(dirname -- "$other")
  [ "$other_dir" = "$dir" ] && continue
  owner=$(cat "$other")
  if [ ! -f "$owner/infra/slurm/up.sh" ]; then
    say "stopping the cluster of a checkout that no longer exists ($owner)"
    stop_cluster "$other_dir"
    rm -rf -- "$other_dir"
  fi
done

mkdir -p "$dir/etc" "$dir/spool/ctld" "$dir/spool/d" "$dir/run" "$dir/log"
chmod 755 "$dir" "$dir/run"
# munged refuses its socket unless every folder above it is world-traversable; say which is not
# (only an explicit HARMONISE_SLURM_DIR or HARMONISE_SLURM_BASE can point under one).
d=$dir
while [ "$d" != / ]; do
  d=$(dirname -- "$d")
  case "$(stat -c %A "$d")" in
    d????????[xt]) ;;
    *) say "$d is not world-traversable (mode $(stat -c %a "$d")), so munged cannot use a socket below it;"
       say "choose another HARMONISE_SLURM_DIR / HARMONISE_SLURM_BASE"
       exit 1 ;;
  esac
done
printf '%s\n' "$root" > "$dir/checkout"

# Ports: a running cluster keeps its own; otherwise an explicit choice must be free, and the
# default is the pair this cluster used last or the first free pair from 6817/6818 upwards.
conf_value() { sed -n "s/^$1=//p" "$conf" 2>/dev/null | head -n 1; }
if own_pid "$dir/run/slurmctld.pid" "$dir/" >/dev/null || own_pid "$dir/run/slurmd.pid" "$dir/" >/dev/null; then
  ctld_port=$(conf_value SlurmctldPort)
  slurmd_port=$(conf_value SlurmdPort)
elif [ -n "${HARMONISE_SLURMCTLD_PORT:-}${HARMONISE_SLURMD_PORT:-}" ]; then
  ctld_port=${HARMONISE_SLURMCTLD_PORT:-6817}
  slurmd_port=${HARMONISE_SLURMD_PORT:-6818}
  for port in "$ctld_port" "$slurmd_port"; do
    if port_busy "$port"; then
      say "port $port is already in use (another Slurm cluster or service listens on it);"
      say "choose free ports with HARMONISE_SLURMCTLD_PORT and HARMONISE_SLURMD_PORT, or unset both"
      exit 1
    fi
  done
else
  ctld_port=$(conf_value SlurmctldPort)
  slurmd_port=$(conf_value SlurmdPort)
  if [ -z "$ctld_port" ] || [ -z "$slurmd_port" ] || port_busy "$ctld_port" || port_busy "$slurmd_port"; then
    ctld_port=6817
    while port_busy "$ctld_port" || port_busy $((ctld_port + 1)); do
      ctld_port=$((ctld_port + 2))
      if [ "$ctld_port" -gt 6915 ]; then
        say "no free pair of ports from 6817 to 6916; set HARMONISE_SLURMCTLD_PORT and HARMONISE_SLURMD_PORT"
        exit 1
      fi
    done
    slurmd_port=$((ctld_port + 1))
  fi
fi
# Job ids start in a range of this cluster's own: cgroup v1 names a job's cgroup by its id
# alone, so two clusters on one machine must never run jobs with the same id. The range is the
# one this cluster had, else one from its digest, moved on while another cluster holds it.
taken() {
  for other in "$base"/*/etc/slurm.conf; do
    [ -f "$other" ] && [ "$other" != "$conf" ] && grep -qx "FirstJobId=$1" "$other" && return 0
  done
  return 1
}
first_job_id=$(conf_value FirstJobId)
if [ -z "$first_job_id" ] || taken "$first_job_id"; then
  slot=$(( $(printf '%d' "0x$(printf '%s' "$digest" | cut -c1-4)") % 60 ))
  tries=0
  while taken $((slot * 1000000 + 1)) && [ "$tries" -lt 60 ]; do
    slot=$(( (slot + 1) % 60 )); tries=$((tries + 1))
  done
  first_job_id=$((slot * 1000000 + 1))
fi

# munge, with its own key, socket, pid and log (never the system's).
if [ ! -s "$dir/etc/munge.key" ]; then
  dd if=/dev/urandom of="$dir/etc/munge.key" bs=1024 count=1 2>/dev/null
  chmod 400 "$dir/etc/munge.key"
fi
if ! own_pid "$dir/run/munged.pid" "$dir/" >/dev/null; then
  rm -f "$dir/run/munge.socket" "$dir/run/munge.socket.lock"
  /usr/sbin/munged --key-file "$dir/etc/munge.key" --socket "$dir/run/munge.socket" \
    --pid-file "$dir/run/munged.pid" --log-file "$dir/log/munged.log" --seed-file "$dir/run/munged.seed"
fi

# The node as this machine is; cgroup confinement where cgroup v1's memory controller is mounted.
cpus=$(nproc)
mem_mib=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
if [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpuset ] && [ -d /sys/fs/cgroup/freezer ]; then
  confinement="ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
JobAcctGatherType=jobacct_gather/cgroup"
  cgroups=yes
else
  # Fallback without cgroup v1: processes are tracked by parentage and memory is enforced by
  # the accounting sampler (a job over --mem then ends FAILED with signal 9, not OUT_OF_MEMORY).
  confinement="ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill"
  cgroups=no
fi

new_conf=$(cat <<CONF
# Written by infra/slurm/up.sh of $root: a single-node cluster for harmonise's demo and tests.
ClusterName=harmonise
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/run/munge.socket,cred_expire=30
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=5
ReturnToService=2
MinJobAge=300
FirstJobId=$first_job_id
KillWait=5
MailProg=/bin/true
MpiDefault=none
SwitchType=switch/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
$confinement
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus Sockets=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem_mib State=UNKNOWN
# NGC's reruns run in "harmonise"; jobs in "urgent" (clinical work) preempt them.
PreemptType=preempt/partition_prio
PreemptMode=CANCEL
PartitionName=harmonise Nodes=localhost Default=YES MaxTime=INFINITE State=UP PriorityTier=1
PartitionName=urgent Nodes=localhost MaxTime=INFINITE State=UP PriorityTier=10
CONF
)
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$new_conf" ]; then
  printf '%s\n' "$new_conf" > "$conf"
fi
if [ "$cgroups" = yes ]; then
  printf 'CgroupPlugin=cgroup/v1\nConstrainCores=yes\nConstrainRAMSpace=yes\n' > "$dir/etc/cgroup.conf"
else
  rm -f "$dir/etc/cgroup.conf"
fi

export SLURM_CONF="$conf"
if ! own_pid "$dir/run/slurmctld.pid" "$dir/" >/dev/null; then
  /usr/sbin/slurmctld -f "$conf"
fi
if ! own_pid "$dir/run/slurmd.pid" "$dir/" >/dev/null; then
  /usr/sbin/slurmd -f "$conf" -N localhost
fi

# Ready when the controller answers and the node can take jobs.
tries=0
until scontrol ping >/dev/null 2>&1 && sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; do
  tries=$((tries + 1))
  if [ "$tries" -gt 150 ]; then
    say "the cluster did not become ready; see $dir/log/slurmctld.log and $dir/log/slurmd.log"
    exit 1
  fi
  sleep 0.2
done
say "single-node cluster ready (cgroups: $cgroups); SLURM_CONF=$conf"
printf '%s\n' "$conf"
