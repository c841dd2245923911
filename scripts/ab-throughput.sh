#!/usr/bin/env bash
# Compares the throughput of two builds of the client, alternating them in many short rounds (old-new-new-old), so
# that drift in the machine's load falls on both alike; prints each round's ratio and the median ratio per protocol.
#
#   scripts/ab-throughput.sh OLD_REV [NEW_REV] [ROUNDS] [POINTS]
#
# OLD_REV / NEW_REV: git revisions (NEW_REV defaults to the working tree). ROUNDS (default 6) pairs of runs, each run
# POINTS points per protocol (default 5M) through bench/AioGraphite.Throughput in sink mode (--no-ceiling, one run).
# Both builds go to /tmp/ab-throughput.*; run on a quiet machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
old=${1:?usage: scripts/ab-throughput.sh OLD_REV [NEW_REV] [ROUNDS] [POINTS]}
new=${2:-WORKTREE}
rounds=${3:-6}
points=${4:-5M}
work=$(mktemp -d /tmp/ab-throughput.XXXXXX)
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1 || true; [[ $new != WORKTREE ]] && git worktree remove --force "$work/new" >/dev/null 2>&1; rm -rf "$work"' EXIT

build() { # rev dir
  if [[ $1 == WORKTREE ]]; then
    dotnet build bench/AioGraphite.Throughput -c Release -nologo -v q -o "$2/bin" >/dev/null
  else
    git worktree add -q --detach "$2" "$1"
    dotnet build "$2/bench/AioGraphite.Throughput" -c Release -nologo -v q -o "$2/bin" >/dev/null
  fi
}
echo "building $old and $new ..." >&2
build "$old" "$work/old"
build "$new" "$work/new"

run() { # dir -> "plaintext pickle" points/s
  dotnet "$1/bin/AioGraphite.Throughput.dll" --no-ceiling --runs 1 --points "$points" 2>&1 |
    awk '/^(plaintext|pickle) run 1\/1:/ { v=$5; m=1; if (v ~ /M$/) m=1e6; else if (v ~ /k$/) m=1e3; sub(/[kM]$/, "", v); printf "%s=%.0f ", $1, v*m } END { print "" }'
}

results=$work/results
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order=(old new); else order=(new old); fi
  for side in "${order[@]}"; do
    line=$(run "$work/$side")
    echo "round $r $side $line" | tee -a "$results" >&2
  done
done

/usr/bin/python3 - "$results" "$old" "$new" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    parts = line.split()
    r, side = int(parts[1]), parts[2]
    rows[r][side] = {k: float(v) for k, v in (p.split('=') for p in parts[3:])}
print(f"A/B throughput, old = {sys.argv[2]}, new = {sys.argv[3]}, {len(rows)} rounds (old-new, then new-old)")
for proto in ("plaintext", "pickle"):
    ratios = [rows[r]["new"][proto] / rows[r]["old"][proto] for r in sorted(rows)]
    olds = [rows[r]["old"][proto] for r in sorted(rows)]
    news = [rows[r]["new"][proto] for r in sorted(rows)]
    print(f"{proto}: old median {statistics.median(olds)/1e6:.2f}M, new median {statistics.median(news)/1e6:.2f}M points/s; "
          f"new/old per round {' '.join(f'{x:.2f}' for x in ratios)}; median ratio {statistics.median(ratios):.3f}")
PY
