#!/usr/bin/env bash
# What one `aiographite send` to a local carbon-cache costs: the Native AOT binary (scripts/publish-cli.sh) against
# the JIT build (`dotnet AioGraphite.Cli.dll`, what the dotnet tool runs). Wall time from hyperfine (median of --runs
# runs after 5 warm-ups), peak memory (maximum resident set size) from /usr/bin/time -f %M (median of as many runs).
#
#   scripts/bench-cli-startup.sh [--runs N]     (default 200)
#
# Needs hyperfine and GNU time (apt-get install hyperfine time) and the Graphite servers (scripts/install-carbon.sh);
# starts and stops its own carbon-cache on free loopback ports (scripts/carbon-server.sh). Prints a Markdown table,
# the machine, and the load average before and after: other work on the machine shows up in the wall times, less in
# the CPU time (user + sys) the process itself used.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=200
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=${2:?"--runs needs a number"}; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "bench-cli-startup: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v hyperfine >/dev/null || { echo "bench-cli-startup: hyperfine is missing: apt-get install hyperfine" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench-cli-startup: GNU time is missing: apt-get install time" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/AioGraphite.Cli/AioGraphite.Cli.csproj -c Release -nologo -v q >/dev/null
scripts/publish-cli.sh >/dev/null
native=artifacts/cli/aiographite
jit=src/AioGraphite.Cli/bin/Release/net10.0/AioGraphite.Cli.dll

work=$(mktemp -d)
trap 'scripts/carbon-server.sh stop "$work/carbon" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
scripts/carbon-server.sh start "$work/carbon" >/dev/null
# shellcheck disable=SC1091
source "$work/carbon/ports.env"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$work/wall.json" \
  -n native "$native send bench.cli.native 1 --port $LINE_PORT" \
  -n jit "dotnet $jit send bench.cli.jit 1 --port $LINE_PORT" >&2

peak() { # median max RSS in KiB of RUNS runs of "$@"
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null || { echo "bench-cli-startup: '$*' failed" >&2; exit 1; }
    cat "$work/rss"
  done | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rss_native=$(peak "$native" send bench.cli.native 1 --port "$LINE_PORT")
rss_jit=$(peak dotnet "$jit" send bench.cli.jit 1 --port "$LINE_PORT")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$work/wall.json" "$rss_native" "$rss_jit" "$RUNS" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss = {"native": float(sys.argv[2]), "jit": float(sys.argv[3])}
print("| build | wall median | wall mean ± σ | wall min | CPU (user + sys, mean) | peak RSS median | runs |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, label in (("native", "Native AOT `artifacts/cli/aiographite`"), ("jit", "JIT `dotnet AioGraphite.Cli.dll`")):
    r = results[name]
    print(f"| {label} | {r['median'] * 1000:.1f} ms | {r['mean'] * 1000:.1f} ± {r['stddev'] * 1000:.1f} ms | "
          f"{r['min'] * 1000:.1f} ms | {(r['user'] + r['system']) * 1000:.1f} ms | {rss[name] / 1024:.1f} MiB | {sys.argv[4]} |")
PY
echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), .NET SDK $(dotnet --version)"
echo "binary: $(du -k "$native" | cut -f1) KiB; load average before: $load_before, after: $load_after"
