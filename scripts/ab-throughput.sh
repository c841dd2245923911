#!/usr/bin/env bash
# Compares two builds of the client in one command: the CPU each point costs and the points per second, alternating
# the builds in many short rounds (A-B, then B-A) so that drift in the machine's load falls on both alike. For every
# metric it prints the median of the per-round ratios B/A with a 95 % bootstrap confidence interval; an A/A run
# (the same revision twice) shows the noise floor of the method on this machine.
#
#   scripts/ab-throughput.sh A_REV [B_REV] [ROUNDS] [POINTS]
#
# A_REV / B_REV: git revisions (B_REV defaults to the working tree; WORKTREE names it explicitly). ROUNDS (default 12)
# pairs of runs; each run is a fresh process of bench/AioGraphite.Throughput in sink mode (--no-ceiling, one measured
# run of POINTS points per protocol, default 6M, after an untimed warm-up of WARMUP points, default 6M, env WARMUP;
# the producer's CPU is taken over the second half of the measured run). Shorter warm-ups leave the JIT's tiers
# unsettled and widen the interval (2M + 2M: ±20 %); the defaults take ~5 min on 2 cores. Both builds must have the
# tool's 'result' lines (this script's measurement): compare revisions from the same tool onwards.
# Extra tool options go in env TOOL_ARGS (e.g. TOOL_ARGS="--api trysend"; TOOL_ARGS="--warmup 0" for cold runs).
#
# Metrics (per protocol): producer_ns = CPU time of the producer thread per point (its own CPU clock: robust to other
# load on the machine), producer_ns_q1 = the lower quartile of that over chunks of 32,000 points (interference only
# adds time to a chunk, so the cheaper chunks are the steadiest reading of the code's cost), process_ns = CPU time of the whole process per point (sender loop, in-process sink, GC),
# points_per_s = wall-clock throughput to the sink (the noisiest). Ratios < 1 mean B costs less CPU; > 1 for points/s
# mean B is faster. Both builds go to /tmp/ab-throughput.*.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
a=${1:?usage: scripts/ab-throughput.sh A_REV [B_REV] [ROUNDS] [POINTS]}
b=${2:-WORKTREE}
rounds=${3:-12}
points=${4:-6M}
warmup=${WARMUP:-6M}
work=$(mktemp -d /tmp/ab-throughput.XXXXXX)
trap 'for s in a b; do git worktree remove --force "$work/$s" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

build() { # rev dir
  if [[ $1 == WORKTREE ]]; then
    dotnet build bench/AioGraphite.Throughput -c Release -nologo -v q -o "$2/bin" >/dev/null
  else
    git worktree add -q --detach "$2" "$1"
    dotnet build "$2/bench/AioGraphite.Throughput" -c Release -nologo -v q -o "$2/bin" >/dev/null
  fi
}
echo "building $a and $b ..." >&2
build "$a" "$work/a"
build "$b" "$work/b"

run() { # dir -> "result protocol=... points_per_s=... producer_ns=... process_ns=..." lines
  # shellcheck disable=SC2086
  dotnet "$1/bin/AioGraphite.Throughput.dll" --no-ceiling --runs 1 --points "$points" --warmup "$warmup" ${TOOL_ARGS:-} 2>&1 | grep '^result ' || {
    echo "the tool in $1 printed no 'result' line (a build older than the CPU-per-point measurement?)" >&2
    exit 1
  }
}

results=$work/results
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order=(a b); else order=(b a); fi
  for side in "${order[@]}"; do
    run "$work/$side" | sed "s/^result /round=$r side=$side /" | tee -a "$results" >&2
  done
done

/usr/bin/python3 - "$results" "$a" "$b" "$rounds" <<'PY'
import sys, statistics, random, collections
path, a, b, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = collections.defaultdict(dict)  # (protocol, round) -> side -> metrics
for line in open(path):
    kv = dict(p.split("=", 1) for p in line.split())
    rows[(kv["protocol"], int(kv["round"]))][kv["side"]] = kv

def ci(ratios, n=10000, seed=1):
    rnd = random.Random(seed)
    meds = sorted(statistics.median(rnd.choices(ratios, k=len(ratios))) for _ in range(n))
    return meds[int(0.025 * n)], meds[int(0.975 * n) - 1]

print(f"A/B, A = {a}, B = {b}: {rounds} rounds (A-B, then B-A), median of the per-round ratios B/A with a 95 % bootstrap interval")
for proto in ("plaintext", "pickle"):
    keys = sorted(k for k in rows if k[0] == proto and {"a", "b"} <= rows[k].keys())
    if not keys:
        continue
    for metric, unit in (("producer_ns", "ns/point"), ("producer_ns_q1", "ns/point"), ("process_ns", "ns/point"), ("points_per_s", "points/s")):
        if any(metric not in rows[k][side] for k in keys for side in "ab"):
            continue  # a build whose tool predates the metric
        av = [float(rows[k]["a"][metric]) for k in keys]
        bv = [float(rows[k]["b"][metric]) for k in keys]
        ratios = [y / x for x, y in zip(av, bv)]
        lo, hi = ci(ratios)
        fmt = (lambda v: f"{v/1e6:.2f}M") if metric == "points_per_s" else (lambda v: f"{v:.1f}")
        print(f"{proto:9} {metric:14} A median {fmt(statistics.median(av))} B median {fmt(statistics.median(bv))} {unit}; "
              f"B/A {statistics.median(ratios):.3f} [{lo:.3f}, {hi:.3f}] (interval width {100*(hi-lo):.1f} %)")
PY
