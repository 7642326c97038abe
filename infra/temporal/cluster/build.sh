#!/bin/sh
# Builds the Temporal server (`temporal-server`) and its SQL schema tool (`temporal-sql-tool`)
# from the Go module proxy at a pinned release, once per machine: the binaries are kept in a
# cache folder outside the checkout, one folder per version (runtime.sh says where), and a
# second call finds them there. Prints that folder on stdout; progress goes to stderr.
# Needs Go (1.26.8 builds v1.29.x) and the Go module proxy, nothing else: no containers, no
# download from GitHub.
set -eu
. "$(dirname -- "$0")/runtime.sh"

if [ -x "$bin/temporal-server" ] && [ -x "$bin/temporal-sql-tool" ]; then
  printf '%s\n' "$bin"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  say "Go is missing: the Temporal server is built from the Go module proxy (go.temporal.io/server $version)"
  say "install Go 1.26 or point HARMONISE_TEMPORAL_BUILD_CACHE at a folder holding $version/temporal-server"
  exit 1
fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/.build-$version-XXXXXX")
trap 'rm -rf -- "$work"' EXIT
say "building go.temporal.io/server $version and its SQL tool with $(go version | cut -d' ' -f3) (a few minutes, once per machine)"
started=$(date +%s)
GOBIN="$work" GOFLAGS=-buildvcs=false go install \
  "go.temporal.io/server/cmd/server@$version" \
  "go.temporal.io/server/cmd/tools/sql@$version" >&2
mv "$work/server" "$work/temporal-server"
mv "$work/sql" "$work/temporal-sql-tool"
printf '{"version":"%s","go":"%s","builtAt":"%s"}\n' "$version" "$(go env GOVERSION)" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$work/build.json"
chmod 755 "$work"
rm -rf -- "$bin"
mv -- "$work" "$bin"
trap - EXIT
say "built $version in $(($(date +%s) - started)) s: $bin"
printf '%s\n' "$bin"
