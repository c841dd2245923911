#!/usr/bin/env bash
# Installs the real Graphite servers the AioGraphite integration tests run against
# (Debian/Ubuntu packages, loopback test instances are started by the tests themselves):
#
#   graphite-carbon   carbon-cache and carbon-relay (Python)
#   python3-whisper   the whisper storage library (used by carbon)
#   carbon-c-relay    the C relay used for cluster tests (and its ssl listener for TLS tests)
#   stunnel4          a TLS terminator in front of carbon (mutual TLS tests)
#   iproute2 nftables ip and nft: the network fault tests make network namespaces and black holes
#   graphite-web      only with --with-graphite-web (used by the demo)
#
#   scripts/install-carbon.sh [--with-graphite-web]
#
# Idempotent: exits 0 at once when everything is already installed.
# Needs root (or sudo) only when something is missing. The packages' init
# scripts would start system-wide daemons on 0.0.0.0:2003; that is blocked
# during the install with /usr/sbin/policy-rc.d ("exit 101"), which is
# created only if absent and removed afterwards.
set -euo pipefail

PY=/usr/bin/python3
WITH_WEB=0

for arg in "$@"; do
  case $arg in
    --with-graphite-web) WITH_WEB=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-carbon: unknown argument: $arg (use --with-graphite-web or --help)" >&2; exit 2 ;;
  esac
done

PACKAGES=(graphite-carbon python3-whisper carbon-c-relay iproute2 nftables stunnel4)
[[ $WITH_WEB -eq 1 ]] && PACKAGES+=(graphite-web)

installed() {
  [[ -x /usr/bin/carbon-cache && -x /usr/bin/carbon-c-relay && -x /usr/bin/stunnel4 && -x $PY ]] || return 1
  [[ -x /usr/sbin/ip || -x /sbin/ip || -x /usr/bin/ip || -x /bin/ip ]] || return 1
  [[ -x /usr/sbin/nft || -x /sbin/nft ]] || return 1
  $PY -c 'import whisper, carbon' >/dev/null 2>&1 || return 1
  if [[ $WITH_WEB -eq 1 ]]; then
    [[ -x /usr/bin/django-admin ]] || return 1
    $PY -c 'import graphite.render' >/dev/null 2>&1 || return 1
  fi
  return 0
}

installed && exit 0

SELF_ARGS="" WEB_NEED=""
if [[ $WITH_WEB -eq 1 ]]; then
  SELF_ARGS=" --with-graphite-web"
  WEB_NEED=", plus /usr/bin/django-admin and graphite-web"
fi
APT_CMD="apt-get install -y --no-install-recommends ${PACKAGES[*]}"

if [[ $(id -u) -ne 0 ]]; then
  cat >&2 <<MSG
install-carbon: the Graphite servers the tests need are not installed
(need /usr/bin/carbon-cache, /usr/bin/carbon-c-relay, /usr/bin/stunnel4, ip, nft and '$PY -c "import whisper, carbon"'$WEB_NEED).
Fix it with one of:
  sudo $0$SELF_ARGS
  sudo env DEBIAN_FRONTEND=noninteractive $APT_CMD
MSG
  exit 1
fi

command -v apt-get >/dev/null 2>&1 || {
  echo "install-carbon: apt-get not found; install ${PACKAGES[*]} (Debian/Ubuntu package names) by hand" >&2
  exit 1
}

export DEBIAN_FRONTEND=noninteractive
OWN_POLICY=0
cleanup() { if [[ $OWN_POLICY -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  OWN_POLICY=1
fi

echo "install-carbon: installing ${PACKAGES[*]}" >&2
if ! apt-get install -y --no-install-recommends "${PACKAGES[@]}" >&2; then
  echo "install-carbon: install failed, running apt-get update and retrying" >&2
  apt-get update >&2
  apt-get install -y --no-install-recommends "${PACKAGES[@]}" >&2
fi

if ! installed; then
  echo "install-carbon: packages installed but the check still fails:" >&2
  ls -l /usr/bin/carbon-cache /usr/bin/carbon-c-relay /usr/bin/stunnel4 /usr/sbin/ip /usr/sbin/nft >&2 || true
  $PY -c 'import whisper, carbon' >&2 || true
  exit 1
fi
echo "install-carbon: done" >&2
