#!/usr/bin/env bash
# Runs every AioGraphite test, after installing what the tests need.
#
#   scripts/test.sh [extra dotnet test arguments]
#
# 1. Installs the real Graphite servers the integration tests start on loopback
#    (graphite-carbon, python3-whisper, carbon-c-relay, graphite-web), and iproute2 and
#    nftables for the network fault tests, via scripts/install-carbon.sh: needs root or
#    sudo the first time only. The network fault tests themselves need root (namespaces).
# 2. Builds the whole solution (samples and benchmarks included) with warnings as errors.
# 3. Builds the native aiographite binary the CLI tests run (scripts/publish-cli.sh, Native AOT; installs clang and
#    zlib1g-dev the first time when run as root; about 1.5 min from scratch, seconds when nothing changed).
# 4. Runs every test project (unit, integration against real carbon, CLI and its native binary, hosting).
# 5. Ends with one line: "N passed, M failed" (and ", K skipped" if any test was skipped).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $(id -u) -eq 0 ]]; then
  scripts/install-carbon.sh --with-graphite-web || { echo "test: installing the Graphite servers failed" >&2; exit 1; }
elif ! scripts/install-carbon.sh --with-graphite-web >/dev/null 2>&1; then
  sudo scripts/install-carbon.sh --with-graphite-web || { echo "test: run 'sudo scripts/install-carbon.sh --with-graphite-web' first" >&2; exit 1; }
fi

command -v dotnet >/dev/null || { echo "test: the .NET 10 SDK is required (https://dot.net)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build AioGraphite.slnx -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }

native=()
[[ $(id -u) -eq 0 ]] && native=(--install-prerequisites)
scripts/publish-cli.sh "${native[@]}" || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test --solution AioGraphite.slnx -c Release --no-build --no-progress "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints one summary per run: "total: N / failed: F / succeeded: S / skipped: K".
read -r passed failed skipped total < <(awk '
  /^[[:space:]]*total:/     { t += $2 }
  /^[[:space:]]*failed:/    { f += $2 }
  /^[[:space:]]*succeeded:/ { s += $2 }
  /^[[:space:]]*skipped:/   { k += $2 }
  END { print s+0, f+0, k+0, t+0 }' "$log")

if [[ $total -eq 0 ]]; then
  echo "test: no test ran" >&2
  failed=$((failed + 1))
fi
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1   # the run failed outside any test (crash, build or discovery error)
fi
if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 ]]
