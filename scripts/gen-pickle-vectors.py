#!/usr/bin/python3
"""Writes tests/AioGraphite.Tests/Data/pickle-vectors.json: what CPython's pickler produces for carbon.

Each vector is a list of (metric, value, timestamp) points and the frame the Python original sends
(struct.pack('!L', len(payload)) + payload) with payload = pickle.dumps([(metric, (ts, value)), ...], 2),
both as CPython writes it ("cpython", with memo opcodes) and after pickletools.optimize ("optimized",
unused memo opcodes removed), which is what AioGraphite writes byte for byte.
Run: /usr/bin/python3 scripts/gen-pickle-vectors.py
"""
import json, pickle, pickletools, struct, os

def frame(payload):
    return struct.pack("!L", len(payload)) + payload

cases = {
    "one point (the original's example, value as float)": [("metric1", 455.0, 1471640924)],
    "three points (the original's test shape)": [("metric1", 455.0, 1471640924), ("metric2", 1.5, 1471640925), ("metric3", -0.25, 1471640926)],
    "small timestamps use BININT1 and BININT2": [("a.b", 1.0, 1), ("a.c", 2.0, 255), ("a.d", 3.0, 256), ("a.e", 4.0, 65535), ("a.f", 5.0, 65536)],
    "timestamps past 2038 use LONG1 (up to whisper's limit, 2**32 - 1)": [("future.a", 1.0, 2**31), ("future.b", 2.0, 2**32 - 1)],
    "unicode names are BINUNICODE utf-8": [("caf\u00e9.\u4e2d\u6587", 0.1, 1700000000), ("emoji.\U0001F600", 1e300, 1700000001)],
    "tagged name": [("cpu.user;dc=eu;host=web1", 12.5, 1700000000)],
    "extreme doubles": [("x.min", 5e-324, 1), ("x.max", 1.7976931348623157e308, 2), ("x.negzero", -0.0, 3), ("x.third", 1/3, 4)],
    "1001 points make two APPENDS batches": [("batch.m%04d" % i, float(i) / 7, 1700000000 + i) for i in range(1001)],
    "1000 points make one batch": [("batch.n%04d" % i, float(i), 1700000000 + i) for i in range(1000)],
    "1002 points: second batch of two": [("batch.o%04d" % i, float(i), 1700000000 + i) for i in range(1002)],
    "two points: one MARK ... APPENDS batch": [("two.a", 1.0, 1700000000), ("two.b", 2.0, 1700000001)],
}
out = []
for name, points in cases.items():
    obj = [(m, (ts, v)) for (m, v, ts) in points]
    raw = pickle.dumps(obj, protocol=2)
    out.append({
        "name": name,
        "points": [{"metric": m, "value": repr(v), "timestamp": ts} for (m, v, ts) in points],
        "cpython": frame(raw).hex(),
        "optimized": frame(pickletools.optimize(raw)).hex(),
    })
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "AioGraphite.Tests", "Data", "pickle-vectors.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=True)
print("wrote", len(out), "vectors to", os.path.normpath(path))
