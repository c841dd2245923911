#!/usr/bin/env bash
# A throw-away carbon-cache on loopback for the demo (the tests use the C# fixture instead).
#
#   scripts/carbon-server.sh start DIR     start on free 127.0.0.1 ports; prints LINE_PORT=, PICKLE_PORT=, UDP_PORT=,
#                                          CACHE_QUERY_PORT=, WHISPER_DIR=, PID= (also saved in DIR/ports.env)
#   scripts/carbon-server.sh stop DIR      stop it (SIGTERM, then SIGKILL after 10 s)
#   scripts/carbon-server.sh fetch DIR METRIC   print "timestamp value" of every stored point (whisper-fetch)
#
# Data lives in DIR/storage/whisper (1-second resolution, one hour). Installs the packages when missing.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
die() { echo "carbon-server: $*" >&2; exit 1; }

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
listening() { # listening tcp|udp PORT
  local hex; hex=$(printf '0100007F:%04X' "$2")
  if [[ $1 == tcp ]]; then awk -v p="$hex" '$2==p && $4=="0A"{f=1} END{exit !f}' /proc/net/tcp
  else awk -v p="$hex" '$2==p{f=1} END{exit !f}' /proc/net/udp; fi
}

start() {
  local dir=$1
  "$HERE/install-carbon.sh" >/dev/null || die "could not install graphite-carbon (run: sudo scripts/install-carbon.sh)"
  mkdir -p "$dir"/{conf,storage/whisper,storage/lists,log,run}
  dir=$(cd "$dir" && pwd)
  [[ $dir != *%* ]] || die "the directory must not contain '%'"
  local line pickle udp query
  line=$(free_port); pickle=$(free_port); udp=$(free_port); query=$(free_port)
  cat > "$dir/conf/carbon.conf" <<CONF
[cache]
STORAGE_DIR = $dir/storage
LOCAL_DATA_DIR = $dir/storage/whisper
WHITELISTS_DIR = $dir/storage/lists
LOG_DIR = $dir/log
PID_DIR = $dir/run
USER =
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $line
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = $pickle
ENABLE_UDP_LISTENER = True
UDP_RECEIVER_INTERFACE = 127.0.0.1
UDP_RECEIVER_PORT = $udp
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = $query
WHISPER_AUTOFLUSH = True
ENABLE_TAGS = False
CARBON_METRIC_INTERVAL = 0
CONF
  printf '[everything]\npattern = .*\nretentions = 1s:1h\n' > "$dir/conf/storage-schemas.conf"
  printf '[everything]\npattern = .*\nxFilesFactor = 0\naggregationMethod = last\n' > "$dir/conf/storage-aggregation.conf"
  PYTHONWARNINGS=ignore /usr/bin/carbon-cache --config="$dir/conf/carbon.conf" --pidfile="$dir/run/carbon.pid" start \
    > "$dir/log/start.out" 2>&1 || { cat "$dir/log/start.out" >&2; die "carbon-cache did not start"; }
  local deadline=$(( $(date +%s) + 30 ))
  until listening tcp "$line" && listening tcp "$pickle" && listening tcp "$query" && listening udp "$udp"; do
    (( $(date +%s) < deadline )) || { tail -n 20 "$dir/log/carbon-cache-a/console.log" >&2 || true; die "carbon-cache did not listen within 30 s"; }
    sleep 0.05
  done
  cat > "$dir/ports.env" <<ENV
LINE_PORT=$line
PICKLE_PORT=$pickle
UDP_PORT=$udp
CACHE_QUERY_PORT=$query
WHISPER_DIR=$dir/storage/whisper
PID=$(cat "$dir/run/carbon.pid")
ENV
  cat "$dir/ports.env"
}

stop() {
  local pidfile=$1/run/carbon.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" || true
  fi
  rm -f "$pidfile"
}

fetch() {
  local dir=$1 metric=$2
  local wsp=$dir/storage/whisper/${metric//.//}.wsp
  [[ -f $wsp ]] || return 0
  PYTHONWARNINGS=ignore $PY - "$wsp" <<'PY'
import sys, time, whisper
(start, end, step), values = whisper.fetch(sys.argv[1], int(time.time()) - 3600, int(time.time()))
for i, v in enumerate(values):
    if v is not None:
        print(start + i * step, repr(v))
PY
}

case "${1:-}" in
  start) [[ $# -eq 2 ]] || die "usage: start DIR"; start "$2" ;;
  stop) [[ $# -eq 2 ]] || die "usage: stop DIR"; stop "$2" ;;
  fetch) [[ $# -eq 3 ]] || die "usage: fetch DIR METRIC"; fetch "$2" "$3" ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
