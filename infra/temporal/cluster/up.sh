#!/bin/sh
# Brings up a local Temporal cluster, idempotently, without containers: the Temporal server
# built from source (build.sh) on its own PostgreSQL (Debian's packages), with SQL advanced
# visibility and mTLS on the frontend. `harmonise up --temporal cluster` runs this and then
# registers the namespace and harmonise's search attributes.
#
# Settings (environment):
#   HARMONISE_TEMPORAL_CLUSTER_DIR     the cluster's folder (required; see runtime.sh)
#   HARMONISE_TEMPORAL_ADDRESS         host:port of the frontend (default 127.0.0.1:7233)
#   HARMONISE_TEMPORAL_HISTORY_SHARDS  history shards, fixed when the cluster is created
#                                      (default 512): Temporal cannot change it afterwards
# The folder holds:
#   pg/, pg-run/               PostgreSQL's data and socket (owned by the postgres user as root)
#   certs/                     the cluster's own CA, the frontend's certificate, a client certificate
#   config/cluster.yaml        the server's config (rewritten at each start: internal ports are free ones)
#   config/dynamicconfig.yaml  its dynamic config
#   client.json                what a client needs: address, CA, certificate, key, server name
#   run/                       pids and the ports in use (ports.env)
#   logs/                      postgres.log, temporal-server.log
# Prints the path of client.json on stdout; progress goes to stderr.
set -eu
. "$(dirname -- "$0")/runtime.sh"

dir=${HARMONISE_TEMPORAL_CLUSTER_DIR:?HARMONISE_TEMPORAL_CLUSTER_DIR names the cluster folder}
address=${HARMONISE_TEMPORAL_ADDRESS:-127.0.0.1:7233}
host=${address%:*}
frontend_port=${address##*:}
server_name=localhost

# PostgreSQL and openssl from Debian when missing, and the server's binaries.
bin=$(sh "$(dirname -- "$0")/install.sh")
pg_bin=$(find_pg_bin)

mkdir -p "$dir/certs" "$dir/config" "$dir/run" "$dir/logs" "$dir/pg" "$dir/pg-run"
# The postgres user must reach pg/ and pg-run/ (as root, PostgreSQL runs as that user).
chmod 755 "$dir" "$dir/logs"
chmod 700 "$dir/certs" "$dir/pg" "$dir/pg-run"
touch "$dir/logs/postgres.log"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/pg" "$dir/pg-run" "$dir/logs/postgres.log"; fi

# History shards: chosen once, when the cluster is created.
shards_file=$dir/history-shards
if [ -f "$shards_file" ]; then
  shards=$(cat "$shards_file")
  if [ -n "${HARMONISE_TEMPORAL_HISTORY_SHARDS:-}" ] && [ "$HARMONISE_TEMPORAL_HISTORY_SHARDS" != "$shards" ]; then
    say "HARMONISE_TEMPORAL_HISTORY_SHARDS=$HARMONISE_TEMPORAL_HISTORY_SHARDS, but this cluster was created with $shards history shards ($dir), and Temporal cannot change that; unset it, or use a new cluster folder"
    exit 1
  fi
else
  shards=${HARMONISE_TEMPORAL_HISTORY_SHARDS:-512}
  case "$shards" in '' | *[!0-9]* | 0) say "HARMONISE_TEMPORAL_HISTORY_SHARDS must be a positive integer, not '$shards'"; exit 1 ;; esac
fi

# Certificates: the cluster's own CA signs the frontend's certificate and one client
# certificate (harmonise's worker, API and CLI; the server's own system worker).
certs=$dir/certs
if [ ! -f "$certs/client.pem" ]; then
  say "making the cluster's CA and certificates (openssl)"
  tmp=$(mktemp -d "$certs/.new-XXXXXX")
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=harmonise local Temporal CA" -keyout "$tmp/ca-key.pem" -out "$tmp/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  for who in server client; do
    if [ "$who" = server ]; then
      ext="subjectAltName=DNS:$server_name,IP:127.0.0.1
extendedKeyUsage=serverAuth,clientAuth"
    else
      ext="extendedKeyUsage=clientAuth"
    fi
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=harmonise-$who" -keyout "$tmp/$who-key.pem" -out "$tmp/$who.csr" 2>/dev/null
    printf '%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' "$ext" > "$tmp/$who.ext"
    openssl x509 -req -in "$tmp/$who.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca-key.pem" \
      -CAcreateserial -days 825 -extfile "$tmp/$who.ext" -out "$tmp/$who.pem" 2>/dev/null
  done
  chmod 600 "$tmp"/*-key.pem
  for file in ca.pem ca-key.pem server.pem server-key.pem client-key.pem client.pem; do
    mv "$tmp/$file" "$certs/$file"
  done
  rm -rf -- "$tmp"
fi

# PostgreSQL: its own instance, on loopback only.
secret=$dir/pg-password
if [ ! -f "$secret" ]; then
  (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$secret.tmp" && mv "$secret.tmp" "$secret")
fi
password=$(cat "$secret")
if [ ! -f "$dir/pg/PG_VERSION" ]; then
  say "creating the PostgreSQL database cluster ($dir/pg)"
  # The socket folder is the pg user's own (0700): trust there is trust in that user alone.
  as_pg "$pg_bin/initdb" -D "$dir/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >/dev/null
fi
pg_pid=$(own_pid "$dir/pg/postmaster.pid" "$dir/pg" || true)
if [ -n "$pg_pid" ]; then
  pg_port=$(sed -n 4p "$dir/pg/postmaster.pid")
else
  pg_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/logs/postgres.log" -w -t 60 -s \
    -o "-p $pg_port -k $dir/pg-run -c listen_addresses=127.0.0.1 -c max_connections=200" start >&2
  say "PostgreSQL started on 127.0.0.1:$pg_port"
fi
psql_pg() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir/pg-run" -p "$pg_port" -U postgres -d postgres "$@"; }

# Databases and schemas, with the server's own tool, once per server version.
sqltool() { "$bin/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$pg_port" -u temporal --pw "$password" "$@"; }
if [ ! -f "$dir/schema-$version" ]; then
  if [ -z "$(psql_pg -tA -c "SELECT 1 FROM pg_roles WHERE rolname = 'temporal'")" ]; then
    psql_pg -c "CREATE ROLE temporal LOGIN CREATEDB PASSWORD '$password'"
  fi
  for db in temporal temporal_visibility; do
    schema=postgresql/v12/temporal
    [ "$db" = temporal_visibility ] && schema=postgresql/v12/visibility
    if [ -z "$(psql_pg -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      say "creating the database $db and its schema ($schema)"
      sqltool --db "$db" create-database >> "$dir/logs/schema.log" 2>&1
      sqltool --db "$db" setup-schema -v 0.0 >> "$dir/logs/schema.log" 2>&1
    fi
    sqltool --db "$db" update-schema --schema-name "$schema" >> "$dir/logs/schema.log" 2>&1 ||
      { say "the schema update of $db failed; see $dir/logs/schema.log"; exit 1; }
  done
  printf '%s\n' "$shards" > "$shards_file"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$dir/schema-$version"
fi

server_pid=$(own_pid "$dir/run/temporal-server.pid" "--root $dir " || true)
if [ -z "$server_pid" ]; then
  # Internal ports (membership, history, matching, the system worker, HTTP, metrics) are free
  # ones, chosen afresh at each start; only the frontend's address is fixed.
  # They must be below 32768: the membership table keeps a port in a smallint.
  set -- $(node -e '
const net = require("net");
const want = 9, ports = [];
const next = () => {
  if (ports.length === want) return console.log(ports.join(" "));
  const port = 20000 + Math.floor(Math.random() * 12000);
  if (ports.includes(port)) return next();
  const server = net.createServer().once("error", next)
    .listen(port, "127.0.0.1", () => server.close(() => { ports.push(port); next(); }));
};
next();')
  cat > "$dir/run/ports.env.tmp" <<PORTS
frontend=$frontend_port
frontend_membership=$1
frontend_http=$2
history=$3
history_membership=$4
matching=$5
matching_membership=$6
worker=$7
worker_membership=$8
metrics=$9
postgres=$pg_port
PORTS
  mv "$dir/run/ports.env.tmp" "$dir/run/ports.env"
  cat > "$dir/config/dynamicconfig.yaml" <<'DYN'
# An activity scheduled by a workflow task goes straight back to the worker that has a free
# slot, without a round through the task queue (fewer writes per step).
system.enableActivityEagerExecution:
  - value: true
DYN
  umask 077
  cat > "$dir/config/cluster.yaml.tmp" <<CONF
# Written by infra/temporal/cluster/up.sh at each start; edits are lost.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  # Fixed when the cluster was created: Temporal cannot change it afterwards.
  numHistoryShards: $shards
  datastores:
    default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: "127.0.0.1:$pg_port"
        connectProtocol: tcp
        user: temporal
        password: "$password"
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: "127.0.0.1:$pg_port"
        connectProtocol: tcp
        user: temporal
        password: "$password"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:$9"
  tls:
    frontend:
      server:
        certFile: $certs/server.pem
        keyFile: $certs/server-key.pem
        requireClientAuth: true
        clientCaFiles: [$certs/ca.pem]
      client:
        serverName: $server_name
        rootCaFiles: [$certs/ca.pem]
    systemWorker:
      certFile: $certs/client.pem
      keyFile: $certs/client-key.pem
      client:
        serverName: $server_name
        rootCaFiles: [$certs/ca.pem]
services:
  frontend:
    rpc:
      grpcPort: $frontend_port
      membershipPort: $1
      httpPort: $2
      bindOnIP: $host
  history:
    rpc:
      grpcPort: $3
      membershipPort: $4
      bindOnLocalHost: true
  matching:
    rpc:
      grpcPort: $5
      membershipPort: $6
      bindOnLocalHost: true
  worker:
    rpc:
      grpcPort: $7
      membershipPort: $8
      bindOnLocalHost: true
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "$host:$frontend_port"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $dir/config/dynamicconfig.yaml
  pollInterval: 10s
CONF
  mv "$dir/config/cluster.yaml.tmp" "$dir/config/cluster.yaml"
  umask 022
  say "starting the Temporal server $version ($shards history shards) on $address"
  setsid sh -c 'echo $$ > "$1/run/temporal-server.pid"; exec "$2/temporal-server" --root "$1" --config config --env cluster --allow-no-auth start' \
    sh "$dir" "$bin" < /dev/null >> "$dir/logs/temporal-server.log" 2>&1 &
  i=0
  while [ ! -s "$dir/run/temporal-server.pid" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi

cat > "$dir/client.json.tmp" <<CLIENT
{
  "address": "$address",
  "serverName": "$server_name",
  "ca": "$certs/ca.pem",
  "cert": "$certs/client.pem",
  "key": "$certs/client-key.pem",
  "historyShards": $shards,
  "version": "$version",
  "pidFile": "$dir/run/temporal-server.pid",
  "portsFile": "$dir/run/ports.env",
  "log": "$dir/logs/temporal-server.log"
}
CLIENT
mv "$dir/client.json.tmp" "$dir/client.json"
printf '%s\n' "$dir/client.json"
