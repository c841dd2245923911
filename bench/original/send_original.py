#!/usr/bin/env python3
"""Sends the throughput tool's workload through the Python original (zillow/aiographite) to a loopback sink.

Used by bench/AioGraphite.Throughput's --original DIR (the same sink kind as the C# client's, in the same run); not a
copy of the original: DIR is a checkout of it (the directory holding its `aiographite` package), found at run time.

    send_original.py --path DIR --port P --protocol plaintext|pickle --points N [--batch 1000]

The workload mirrors bench/Shared/Workload.cs: names servers.webNNN.<series> (100 hosts x 10 series), values of four
shapes in turn (two decimals, four decimals, one decimal on a large rate, full precision), one timestamp per batch.
Before the clock starts the bytes the original will send are counted by its own generate_message (the sink then
waits for that many bytes: its pickle counter reads only the opcodes AioGraphite writes, not the original's memo
opcodes); the script prints "start BYTES" when it begins connecting, then builds each batch (as the C# tool fills its
reused array in its timed loop) and sends it with send_multiple as the original's users call it, closes, and prints
"done".
"""
import argparse
import asyncio
import random
import sys

SERIES = ["cpu.user", "cpu.system", "cpu.iowait", "memory.used", "memory.cached",
          "disk.sda.read_bytes", "disk.sda.write_bytes", "net.eth0.rx_packets", "net.eth0.tx_packets", "load.shortterm"]
FIRST_TIMESTAMP = 1_700_000_000


def values(seed=42, count=4096):
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        x = rnd.random()
        v = [round(x * 100, 2), round(x, 4), round(x * 1e7, 1), x * 1000][i % 4]
        out.append(v + 0.5 if v == int(v) else v)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", required=True, help="checkout of zillow/aiographite (holds the aiographite package)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--protocol", choices=["plaintext", "pickle"], required=True)
    parser.add_argument("--points", type=int, required=True)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    sys.path.insert(0, args.path)
    try:
        import aiographite
        from aiographite.protocol import PlaintextProtocol, PickleProtocol
    except ImportError as e:
        sys.exit(f"send_original: cannot import the original from {args.path}: {e} (give a checkout of zillow/aiographite)")

    names = [f"servers.web{(i // len(SERIES)) % 1000:03d}.{SERIES[i % len(SERIES)]}" for i in range(args.batch)]
    table = values()
    batches = (args.points + args.batch - 1) // args.batch
    size = args.batch
    protocol = PickleProtocol() if args.protocol == "pickle" else PlaintextProtocol()

    def batch(b):
        return [(names[i], table[(b * 7 + i) & 4095], FIRST_TIMESTAMP + b) for i in range(size)]

    async def run():
        conn = await aiographite.connect("127.0.0.1", args.port, protocol)
        for b in range(batches):
            await conn.send_multiple(batch(b))
        await conn.close()

    total = sum(len(protocol.generate_message(batch(b))) for b in range(batches))
    print(f"start {total}", flush=True)
    asyncio.run(run())
    print("done", flush=True)


if __name__ == "__main__":
    main()
