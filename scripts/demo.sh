#!/usr/bin/env bash
# The main job: send metrics to a real carbon with AioGraphite and show what carbon stored.
#
#   scripts/demo.sh [--keep]
#
# Installs graphite-carbon and graphite-web if missing (root or sudo, first run only), starts a throw-away
# carbon-cache and graphite-web on free 127.0.0.1 ports (it never touches a carbon you already run), sends
# 120 points per series over plaintext and pickle through the library, prints what carbon stored in its
# whisper files, reads the series back through graphite-web's render API as users see them, and saves a
# PNG graph to artifacts/demo/aiographite-demo.png (the path is printed).
# --keep leaves carbon and graphite-web running (their directory is printed) instead of stopping them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
keep=0
for a in "$@"; do case $a in --keep) keep=1 ;; -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; *) echo "demo: unknown argument $a" >&2; exit 2 ;; esac; done

if ! scripts/install-carbon.sh --with-graphite-web >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then sudo scripts/install-carbon.sh --with-graphite-web; else scripts/install-carbon.sh --with-graphite-web; fi
fi
command -v dotnet >/dev/null || { echo "demo: the .NET 10 SDK is required (https://dot.net)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dir=$(mktemp -d /tmp/aiographite-demo.XXXXXX)
[[ $keep -eq 1 ]] || trap 'scripts/graphite-web.sh stop "$dir/web" >/dev/null 2>&1 || true; scripts/carbon-server.sh stop "$dir"; rm -rf "$dir"' EXIT
echo "==> starting a throw-away carbon-cache in $dir"
eval "$(scripts/carbon-server.sh start "$dir")"
echo "    plaintext on 127.0.0.1:$LINE_PORT, pickle on 127.0.0.1:$PICKLE_PORT (pid $PID)"

web_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "==> starting a throw-away graphite-web on 127.0.0.1:$web_port"
scripts/graphite-web.sh start "$dir/web" "$WHISPER_DIR" "$web_port" "$CACHE_QUERY_PORT" >/dev/null

echo "==> building and running samples/Demo (AioGraphite)"
dotnet build samples/Demo -c Release -nologo -v q >/dev/null
dotnet run --project samples/Demo -c Release --no-build -- 127.0.0.1 "$LINE_PORT" "$PICKLE_PORT" \
  "http://127.0.0.1:$web_port" artifacts/demo/aiographite-demo.png

echo "==> what carbon stored in its whisper files"
for metric in demo.plaintext.sine demo.pickle.cos; do
  for _ in $(seq 50); do [[ $(scripts/carbon-server.sh fetch "$dir" "$metric" | wc -l) -ge 120 ]] && break; sleep 0.2; done
  stored=$(scripts/carbon-server.sh fetch "$dir" "$metric")
  echo "    $metric: $(echo "$stored" | grep -c .) points stored; first and last:"
  echo "$stored" | sed -n '1,3p;$p' | sed 's/^/        /'
done
echo "    all series in carbon:"
(cd "$WHISPER_DIR" && find . -name '*.wsp' | sed 's|^\./|        |; s|\.wsp$||' | sort)
if [[ $keep -eq 1 ]]; then
  echo "==> carbon and graphite-web keep running (http://127.0.0.1:$web_port):"
  echo "    scripts/graphite-web.sh stop $dir/web; scripts/carbon-server.sh stop $dir"
fi
