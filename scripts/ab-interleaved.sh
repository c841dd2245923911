#!/usr/bin/env bash
# Compares the producer's CPU per point of two builds of the library, interleaved in one process: the throughput tool's
# --interleave mode loads each build's AioGraphite.dll into a load context of its own (with the same harness) and one
# producer thread sends 512k-point chunks to A and to B in turn, so that the machine's noisy spells fall on both alike.
# Each process is a fresh draw of the JIT's code for both builds (which shifts one build against the other by a few
# per cent), so the script runs several processes, loading A first in odd ones and B first in even ones, and bootstraps
# over processes and over rounds within them. An A/A run (the same revision twice) shows the method's noise floor.
#
#   scripts/ab-interleaved.sh A_REV [B_REV] [PROCESSES] [ROUNDS]
#
# A_REV / B_REV: git revisions (B_REV defaults to the working tree; WORKTREE names it explicitly); only src/AioGraphite
# is built from them, the tool (the harness) is this working tree's, so any revision with the public API can be compared.
# PROCESSES (default 10), ROUNDS per process (default 100); env WARMUP (points per side before the rounds, default
# 10M), CHUNK (points per chunk, default 512k), PROTOCOL (plaintext|pickle|both, default both). ~5 min with the defaults.
# Prints, per protocol, the median over all rounds of the ratio B/A with a 95 % hierarchical bootstrap interval (< 1: B
# costs less) for three figures per point: the producer thread's CPU (the method's figure of merit), the whole process's
# CPU over the chunk and its flush (the producer, the sender loop and the in-process sink: the other side is idle), and
# the wall time of the chunk and its flush.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
a=${1:?usage: scripts/ab-interleaved.sh A_REV [B_REV] [PROCESSES] [ROUNDS]}
b=${2:-WORKTREE}
processes=${3:-10}
rounds=${4:-100}
work=$(mktemp -d /tmp/ab-interleaved.XXXXXX)
trap 'for s in a b; do git worktree remove --force "$work/src-$s" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

build() { # rev side
  if [[ $1 == WORKTREE ]]; then
    dotnet build src/AioGraphite -c Release -nologo -v q -o "$work/$2" >/dev/null
  else
    git worktree add -q --detach "$work/src-$2" "$1"
    dotnet build "$work/src-$2/src/AioGraphite" -c Release -nologo -v q -o "$work/$2" >/dev/null
  fi
}
echo "building $a and $b, and the tool ..." >&2
build "$a" a
build "$b" b
dotnet build bench/AioGraphite.Throughput -c Release -nologo -v q -o "$work/tool" >/dev/null

results=$work/results
for ((p = 1; p <= processes; p++)); do
  if ((p % 2)); then first=a second=b; else first=b second=a; fi
  echo "process $p/$processes: $first loaded first" >&2
  dotnet "$work/tool/AioGraphite.Throughput.dll" --interleave "$work/$first" "$work/$second" --runs "$rounds" \
    --points "${CHUNK:-512k}" --warmup "${WARMUP:-10M}" --protocol "${PROTOCOL:-both}" |
    grep '^round=' | sed "s/^/process=$p first=$first /" >>"$results"
done

/usr/bin/python3 - "$results" "$a" "$b" "$processes" "$rounds" <<'PY'
import sys, statistics, random, collections
path, a, b, processes, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
# metric -> protocol -> process -> [B/A per round]; metric -> protocol -> side -> [per point]
METRICS = (("ns", "producer_ns", "the producer thread's CPU per point"),
           ("proc", "process_ns", "the whole process's CPU per point, the chunk's flush included (loop and sink too)"),
           ("wall", "wall_ns", "wall time per point, the flush included"))
ratios = {m: collections.defaultdict(lambda: collections.defaultdict(list)) for m, _, _ in METRICS}
ns = {m: collections.defaultdict(lambda: {"a": [], "b": []}) for m, _, _ in METRICS}
for line in open(path):
    kv = dict(p.split("=", 1) for p in line.split())
    for m, _, _ in METRICS:
        if f"a_{m}" not in kv:
            continue  # a tool from before the process and wall figures
        first, second = float(kv[f"a_{m}"]), float(kv[f"b_{m}"])  # the tool's a/b are the first/second loaded
        na, nb = (first, second) if kv["first"] == "a" else (second, first)
        ratios[m][kv["protocol"]][kv["process"]].append(nb / na)
        ns[m][kv["protocol"]]["a"].append(na)
        ns[m][kv["protocol"]]["b"].append(nb)

def hierarchical(per_process, n=2000, seed=1):
    rnd = random.Random(seed)
    groups = list(per_process.values())
    meds = []
    for _ in range(n):
        pooled = []
        for g in rnd.choices(groups, k=len(groups)):
            pooled.extend(rnd.choices(g, k=len(g)))
        meds.append(statistics.median(pooled))
    meds.sort()
    return meds[int(0.025 * n)], meds[int(0.975 * n) - 1]

print(f"interleaved A/B, A = {a}, B = {b}: {processes} processes x {rounds} rounds; ratio B/A per point,")
print("median over all rounds, 95 % hierarchical bootstrap interval (processes, then rounds)")
for m, label, meaning in METRICS:
    if not ratios[m]:
        continue
    print(f"-- {label}: {meaning}")
    for proto in ("plaintext", "pickle"):
        if proto not in ratios[m]:
            continue
        per = ratios[m][proto]
        allr = [r for g in per.values() for r in g]
        lo, hi = hierarchical(per)
        by_process = " ".join(f"{statistics.median(per[p]):.3f}" for p in sorted(per, key=int))
        print(f"{proto:9} {label} A median {statistics.median(ns[m][proto]['a']):.1f} B median {statistics.median(ns[m][proto]['b']):.1f} ns/point; "
              f"B/A {statistics.median(allr):.3f} [{lo:.3f}, {hi:.3f}] (interval width {100*(hi-lo):.1f} %); per process {by_process}")
PY
