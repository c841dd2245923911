#!/usr/bin/env bash
# A throw-away graphite-web (Debian's graphite-web 1.1.x) on loopback, reading the whisper files of a
# (throw-away) carbon-cache. Used by the tests (GraphiteWebServer fixture) and handy for demos.
#
#   scripts/graphite-web.sh start DIR WHISPER_DIR PORT [CACHE_QUERY_PORT]
#   scripts/graphite-web.sh stop  DIR
#
# start  installs graphite-web when it is missing (apt-get, as root; the package's init scripts are kept
#        from starting a system-wide service with /usr/sbin/policy-rc.d, created only if absent and removed
#        afterwards), writes DIR/conf/<unique>_settings.py, creates the sqlite database
#        (django-admin migrate), runs Django's server (django-admin runserver --noreload, threaded) on
#        127.0.0.1:PORT, waits until it listens and one warm-up /render answers, then prints KEY=VALUE lines:
#        PID, PORT, URL, SETTINGS_MODULE, CARBONLINK, LOG_DIR.
#        CACHE_QUERY_PORT is carbon-cache's CACHE_QUERY_PORT: points still in carbon's write cache are
#        rendered too. Without it graphite-web reads the .wsp files only (CARBONLINK_HOSTS is empty,
#        never the default 127.0.0.1:7002).
# stop   SIGTERM to the server, SIGKILL after 10 s; removes the pidfile. Safe to call twice.
#
# Environment: GRAPHITE_WEB_START_TIMEOUT (seconds to wait for the port, default 30).
# No systemd, no Apache, nothing outside DIR is written (except the package install).
set -euo pipefail

PY=/usr/bin/python3           # Debian's python: the one with graphite, whisper and django
DJANGO_ADMIN=/usr/bin/django-admin

die() { echo "graphite-web.sh: $*" >&2; exit 1; }

installed() {
  [[ -x $DJANGO_ADMIN && -x $PY ]] && $PY -c 'import graphite.render, whisper, django' >/dev/null 2>&1
}

ensure_installed() {
  installed && return 0
  if [[ $(id -u) -ne 0 ]]; then
    die "graphite-web is not installed and this is not root; run: sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends graphite-web"
  fi
  command -v apt-get >/dev/null 2>&1 || die "graphite-web is not installed and apt-get is not available"
  export DEBIAN_FRONTEND=noninteractive
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  echo "graphite-web.sh: installing graphite-web" >&2
  local rc=0
  { apt-get install -y --no-install-recommends graphite-web >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends graphite-web >&2; }; } || rc=$?
  if [[ $own_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  [[ $rc -eq 0 ]] || die "apt-get install graphite-web failed ($rc)"
  installed || die "graphite-web was installed but '$PY -c \"import graphite.render, whisper, django\"' still fails"
}

# listening PORT: is 127.0.0.1:PORT in LISTEN state (from /proc/net/tcp, no extra tools needed)
listening() {
  local hex; hex=$(printf '%04X' "$1")
  awk -v want="0100007F:$hex" '$2 == want && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp
}

cmd_start() {
  [[ $# -eq 3 || $# -eq 4 ]] || die "usage: start DIR WHISPER_DIR PORT [CACHE_QUERY_PORT]"
  local dir=$1 whisper=$2 port=$3 cache_port=${4:-}
  [[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number: $port"
  [[ -z $cache_port || $cache_port =~ ^[0-9]+$ ]] || die "CACHE_QUERY_PORT must be a number: $cache_port"
  [[ -d $whisper ]] || die "WHISPER_DIR $whisper does not exist (graphite-web only searches existing directories)"
  ensure_installed

  mkdir -p "$dir"/conf "$dir"/storage "$dir"/log "$dir"/run
  dir=$(cd "$dir" && pwd)
  whisper=$(cd "$whisper" && pwd)
  local pidfile=$dir/run/graphite-web.pid
  if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    die "already running in $dir (pid $(cat "$pidfile"))"
  fi
  listening "$port" && die "127.0.0.1:$port is already in use"

  # A module name of our own: graphite.settings imports GRAPHITE_SETTINGS_MODULE, and a common name
  # (local_settings) could be found elsewhere on sys.path first.
  local module="aiographite_gweb_$(date +%s)_$$_settings"
  local clink=""
  [[ -n $cache_port ]] && clink="127.0.0.1:$cache_port"

  # Written by Python so that any path is quoted correctly.
  GW_DIR=$dir GW_WSP=$whisper GW_CLINK=$clink GW_MODULE=$module $PY - <<'PYEOF'
import os
d, w, c, m = (os.environ[k] for k in ("GW_DIR", "GW_WSP", "GW_CLINK", "GW_MODULE"))
j = os.path.join
text = f"""# Throw-away graphite-web settings written by scripts/graphite-web.sh
# (loaded by graphite.settings via GRAPHITE_SETTINGS_MODULE={m}, PYTHONPATH={j(d, 'conf')}).
SECRET_KEY = 'aiographite-throw-away-not-secret'
ALLOWED_HOSTS = ['*']   # the server binds 127.0.0.1 only
TIME_ZONE = 'UTC'
DEBUG = False
GRAPHITE_ROOT = '/usr/share/graphite-web'
STATIC_ROOT = '/usr/share/graphite-web/static'
CONF_DIR = {j(d, 'conf')!r}
STORAGE_DIR = {j(d, 'storage')!r}
INDEX_FILE = {j(d, 'storage', 'index')!r}
LOG_DIR = {j(d, 'log')!r}
WHISPER_DIR = {w!r}
STANDARD_DIRS = [{w!r}]
CARBONLINK_HOSTS = {[c] if c else []!r}
CARBONLINK_TIMEOUT = 1.0
DATABASES = {{'default': {{'ENGINE': 'django.db.backends.sqlite3', 'NAME': {j(d, 'storage', 'graphite.db')!r}}}}}
LOG_ROTATION = False
DEFAULT_XFILES_FACTOR = 0
FUNCTION_PLUGINS = []
SILENCED_SYSTEM_CHECKS = ['models.W042', 'admin.W411']
"""
with open(j(d, "conf", m + ".py"), "w") as f:
    f.write(text)
PYEOF

  export PYTHONPATH=$dir/conf GRAPHITE_SETTINGS_MODULE=$module DJANGO_SETTINGS_MODULE=graphite.settings PYTHONWARNINGS=ignore
  # graphite.settings swallows an ImportError of our module ("Could not import ..., using defaults!") and
  # would then read /var/lib/graphite: that message is fatal here.
  if ! $DJANGO_ADMIN migrate --noinput > "$dir/log/migrate.out" 2>&1; then
    cat "$dir/log/migrate.out" >&2; die "django-admin migrate failed"
  fi
  if grep -q 'Could not import' "$dir/log/migrate.out"; then
    cat "$dir/log/migrate.out" >&2; die "graphite-web did not load the settings module $module"
  fi

  # --noreload: the pid we hold is the server itself (the autoreloader would fork a child).
  nohup $DJANGO_ADMIN runserver --noreload "127.0.0.1:$port" < /dev/null > "$dir/log/runserver.out" 2>&1 &
  local pid=$!
  echo "$pid" > "$pidfile"

  local deadline=$(( $(date +%s) + ${GRAPHITE_WEB_START_TIMEOUT:-30} ))
  until listening "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$dir/log/runserver.out" >&2; rm -f "$pidfile"; die "graphite-web exited during start"
    fi
    if (( $(date +%s) > deadline )); then
      tail -n 40 "$dir/log/runserver.out" >&2; cmd_stop "$dir" >/dev/null; die "timed out waiting for 127.0.0.1:$port"
    fi
    sleep 0.05
  done
  if grep -q 'Could not import' "$dir/log/runserver.out"; then
    cat "$dir/log/runserver.out" >&2; cmd_stop "$dir" >/dev/null; die "graphite-web did not load the settings module $module"
  fi

  # Warm-up: the first /render imports the render and function modules (~0.3 s).
  if ! GW_PORT=$port $PY - <<'PYEOF'
import os, urllib.request
url = "http://127.0.0.1:%s/render?target=__warmup__&format=json" % os.environ["GW_PORT"]
with urllib.request.urlopen(url, timeout=30) as r:
    assert r.status == 200, r.status
PYEOF
  then
    tail -n 40 "$dir/log/runserver.out" >&2; cmd_stop "$dir" >/dev/null; die "warm-up /render failed"
  fi

  echo "PID=$pid"
  echo "PORT=$port"
  echo "URL=http://127.0.0.1:$port/"
  echo "SETTINGS_MODULE=$dir/conf/$module.py"
  echo "CARBONLINK=${clink:-none}"
  echo "LOG_DIR=$dir/log"
}

cmd_stop() {
  [[ $# -eq 1 ]] || die "usage: stop DIR"
  local pidfile=$1/run/graphite-web.pid pid i
  if [[ ! -f $pidfile ]]; then echo "not running (no pidfile in $1/run)"; return 0; fi
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$pidfile"
  echo "stopped pid $pid"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: $0 start DIR WHISPER_DIR PORT [CACHE_QUERY_PORT] | stop DIR" >&2; exit 2 ;;
esac
