#!/bin/sh
# Installs what a local Temporal cluster needs, idempotently: PostgreSQL and openssl from
# Debian when missing (no "main" PostgreSQL cluster is created and no daemon is started: up.sh
# runs the cluster's own), and the Temporal server built from source (build.sh, cached once per
# machine). up.sh runs it first; `infra/bootstrap.sh --temporal-cluster` runs it ahead of the
# test suite, so that a first build (minutes on a fresh machine) is paid before any test starts.
# Prints the folder of the server's binaries on stdout; progress goes to stderr.
set -eu
here=$(dirname -- "$0")
. "$here/runtime.sh"
. "$here/../../lib/apt.sh"

if [ -z "$(find_pg_bin)" ] || ! command -v openssl >/dev/null 2>&1; then
  say "installing Debian packages: postgresql openssl"
  mkdir -p /etc/postgresql-common
  [ -e /etc/postgresql-common/createcluster.conf ] ||
    printf 'create_main_cluster = false\n' > /etc/postgresql-common/createcluster.conf
  apt_install postgresql openssl
fi
sh "$here/build.sh"
