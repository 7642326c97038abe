# Sourced by infra's scripts: installs Debian packages with apt-get, quietly, without starting
# any daemon. Packages' maintainer scripts start their daemons under systemd or init; a
# temporary policy-rc.d that refuses (exit 101) stops that, because harmonise starts the
# daemons it needs itself, with its own settings. An existing policy-rc.d is left alone.
# Progress goes to stderr. Usage: apt_install package...
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    printf 'cannot install %s: this needs root and apt-get; install them with: apt-get install -y --no-install-recommends %s\n' "$*" "$*" >&2
    return 1
  fi
  apt_policy=/usr/sbin/policy-rc.d
  apt_own_policy=0
  if [ ! -e "$apt_policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$apt_policy" && chmod 755 "$apt_policy" && apt_own_policy=1
  fi
  apt_rc=0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
    apt_rc=$?
  [ "$apt_own_policy" = 1 ] && rm -f "$apt_policy"
  return "$apt_rc"
}
