#!/usr/bin/env bash
# The main job: send metrics to a real carbon with AioGraphite and show what carbon stored.
#
#   scripts/demo.sh [--keep]
#
# Installs graphite-carbon if missing (root or sudo, first run only), starts a throw-away carbon-cache on
# free 127.0.0.1 ports (it never touches a carbon you already run), sends ~120 points per series over
# plaintext and pickle through the library, reads them back from carbon's whisper files and prints them.
# --keep leaves the carbon running (its directory is printed) instead of stopping it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
keep=0
for a in "$@"; do case $a in --keep) keep=1 ;; -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; *) echo "demo: unknown argument $a" >&2; exit 2 ;; esac; done

if ! scripts/install-carbon.sh >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then sudo scripts/install-carbon.sh; else scripts/install-carbon.sh; fi
fi
command -v dotnet >/dev/null || { echo "demo: the .NET 10 SDK is required (https://dot.net)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dir=$(mktemp -d /tmp/aiographite-demo.XXXXXX)
[[ $keep -eq 1 ]] || trap 'scripts/carbon-server.sh stop "$dir"; rm -rf "$dir"' EXIT
echo "==> starting a throw-away carbon-cache in $dir"
eval "$(scripts/carbon-server.sh start "$dir")"
echo "    plaintext on 127.0.0.1:$LINE_PORT, pickle on 127.0.0.1:$PICKLE_PORT (pid $PID)"

echo "==> building and running samples/Demo (AioGraphite)"
dotnet build samples/Demo -c Release -nologo -v q >/dev/null
dotnet run --project samples/Demo -c Release --no-build -- 127.0.0.1 "$LINE_PORT" "$PICKLE_PORT"

echo "==> reading back what carbon stored"
for metric in demo.plaintext.sine demo.pickle.cos; do
  for _ in $(seq 50); do [[ $(scripts/carbon-server.sh fetch "$dir" "$metric" | wc -l) -ge 120 ]] && break; sleep 0.2; done
  stored=$(scripts/carbon-server.sh fetch "$dir" "$metric")
  echo "    $metric: $(echo "$stored" | grep -c .) points stored; first and last:"
  echo "$stored" | sed -n '1,3p;$p' | sed 's/^/        /'
done
echo "    all series in carbon:"
(cd "$WHISPER_DIR" && find . -name '*.wsp' | sed 's|^\./|        |; s|\.wsp$||' | sort)
if [[ $keep -eq 1 ]]; then echo "==> carbon keeps running: scripts/carbon-server.sh stop $dir"; fi
