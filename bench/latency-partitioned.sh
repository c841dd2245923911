#!/usr/bin/env bash
# Latency of TrySend / SendAsync while carbon is healthy, frozen and partitioned, in one go:
#   sudo bench/latency-partitioned.sh [throughput-tool options, e.g. --seconds 10 --markdown latency.md]
#
# The partitioned scenario drops every packet with an nftables rule. Run on the host, such a rule would cut the whole
# machine off the network, so this script makes a throw-away network namespace with nothing but a loopback interface,
# runs the throughput tool inside it (`--mode latency --scenario all`, then your options, which win), and deletes the
# namespace at the end, whatever happens. The tool adds the drop rule itself after the warm-up (`nft`, run as its child,
# inherits the namespace) and deletes it after each partitioned row; the tool refuses to add it anywhere but in a
# namespace of its own whose only interface is lo.
#
# Needs root (ip netns, nft), iproute2 and nftables. The tool is built first, outside the namespace (restoring packages
# needs the network; inside there is none).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$repo/bench/AioGraphite.Throughput"
dll="$project/bin/Release/net10.0/AioGraphite.Throughput.dll"
ns="aiographite-latency-$$"

if [[ "$(id -u)" != 0 ]]; then
    echo "latency-partitioned.sh: needs root (ip netns add, nft); try: sudo $0 $*" >&2
    exit 2
fi

for tool in ip nft dotnet; do
    command -v "$tool" >/dev/null || { echo "latency-partitioned.sh: '$tool' not found" >&2; exit 2; }
done

dotnet build "$project" -c Release --nologo -v quiet

cleanup() { ip netns delete "$ns" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip -n "$ns" link set lo up
echo "network namespace $ns (lo only; deleted on exit); load: $(uptime)"
ip netns exec "$ns" dotnet "$dll" --mode latency --scenario all "$@"
