#!/usr/bin/env bash
# Cold start, as a short-lived job sees it: one process per run connects, sends 1M points with no warm-up and closes
# (the throughput tool's --cold mode), against the Python original in the same run. Each round runs the tool three
# times, in a rotating order: as `dotnet build` leaves it with a project reference (jit: every method starts in the
# JIT's tier 0); the same build with AioGraphite.dll taken from the NuGet package's ReadyToRun image for this platform
# (pkg: what an application built with `dotnet build` against the package runs, its own code in tier 0); and
# published ReadyToRun (r2r: `dotnet publish -p:PublishReadyToRun=true`, as an application deployed that way runs: its
# own code and AioGraphite precompiled). Hot methods are re-jitted at tier 1 later in each.
#
#   scripts/cold-start.sh ORIGINAL_DIR [ROUNDS] [PROTOCOLS]
#
# ORIGINAL_DIR: a checkout of https://github.com/zillow/aiographite (the tool's --original). ROUNDS (default 3) per
# protocol; PROTOCOLS default "plaintext pickle". Prints one line per run (client points/s, the original's, the ratio)
# and the median ratio per protocol and build. Builds go to artifacts/cold-start/ (~1.5 min the first time); each run
# takes 5-15 s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
original=${1:?usage: scripts/cold-start.sh ORIGINAL_DIR [ROUNDS] [PROTOCOLS]}
rounds=${2:-3}
protocols=${3:-plaintext pickle}
[[ -f $original/aiographite/__init__.py || -d $original/aiographite ]] || { echo "error: $original is not a checkout of zillow/aiographite (git clone https://github.com/zillow/aiographite $original)" >&2; exit 2; }
out=artifacts/cold-start
rid=linux-$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')
echo "building the tool: JIT ($out/jit) and ReadyToRun for $rid ($out/r2r) ..." >&2
dotnet build bench/AioGraphite.Throughput -c Release -nologo -v q -o "$out/jit" >/dev/null
dotnet publish bench/AioGraphite.Throughput -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -nologo -v q -o "$out/r2r" >/dev/null
echo "packing AioGraphite: its ReadyToRun image for $rid into a copy of the JIT build ($out/pkg) ..." >&2
rm -rf "$out/pkg" "$out/package" && cp -r "$out/jit" "$out/pkg"
dotnet pack src/AioGraphite -c Release -nologo -v q -o "$out/package" -p:PackageVersion=0.0.0-coldstart >/dev/null
/usr/bin/python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
  "$out/package/AioGraphite.0.0.0-coldstart.nupkg" "runtimes/$rid/lib/net10.0/AioGraphite.dll" >"$out/pkg/AioGraphite.dll" 2>/dev/null \
  || { echo "error: the package has no ReadyToRun image for $rid (ReadyToRunPackageRuntimes in src/AioGraphite/AioGraphite.csproj)" >&2; exit 1; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
run() { # build protocol
  local line
  line=$(dotnet "$out/$1/AioGraphite.Throughput.dll" --cold --protocol "$2" --original "$original" 2>&1 | grep -E "^\| $2 \|.*×" | tail -1) \
    || { echo "error: the $1 build's cold $2 run printed no comparison line" >&2; exit 1; }
  # | protocol | client | original | ratio× |
  IFS='|' read -r _ _ client orig ratio _ <<<"$line"
  ratio=${ratio//[ ×]/}
  printf '%-9s %-4s client %9s  original %9s  %5s×\n' "$2" "$1" "${client// /}" "${orig// /}" "$ratio"
  echo "$2 $1 $ratio" >>"$results"
}
for ((r = 1; r <= rounds; r++)); do
  for p in $protocols; do
    case $((r % 3)) in
      1) run jit "$p"; run pkg "$p"; run r2r "$p" ;;
      2) run pkg "$p"; run r2r "$p"; run jit "$p" ;;
      0) run r2r "$p"; run jit "$p"; run pkg "$p" ;;
    esac
  done
done
echo "median client / original over $rounds runs each:"
for p in $protocols; do
  for b in jit pkg r2r; do
    m=$(awk -v p="$p" -v b="$b" '$1 == p && $2 == b { print $3 }' "$results" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    printf '  %-9s %-4s %s×\n' "$p" "$b" "$m"
  done
done
