#!/usr/bin/python3
"""Observe how carbon-c-relay's carbon_ch cluster places metrics.

Starts carbon-c-relay on loopback with plain TCP listeners (this script) as the
cluster members, sends lines through it and records which member receives each
line. The observed placement is compared with hypotheses built from graphite's
own carbon.hashing.ConsistentHashRing. Usage: /usr/bin/python3 probe-carbon-c-relay-ch.py
Needs carbon-c-relay on PATH and graphite-carbon (import carbon).
"""
import os, random, shutil, signal, socket, subprocess, sys, tempfile, threading, time
from hashlib import md5
from bisect import bisect_left
from carbon.hashing import ConsistentHashRing
from carbon.util import TaggedSeries


def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p


class Sink:
    def __init__(self, idx, host='127.0.0.1'):
        self.idx = idx
        self.sock = socket.socket(); self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0)); self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.read, args=(c,), daemon=True).start()

    def read(self, c):
        buf = b''
        while True:
            d = c.recv(65536)
            if not d:
                return
            buf += d
            *done, buf = buf.split(b'\n')
            with self.lock:
                self.lines.extend(done)


def run_relay(members, repl, lines, extra_conf=''):
    """members: list of (host, instance or None). Returns {sent_index: [member idx, ...]} and forwarded text."""
    sinks = [Sink(i, h) for i, (h, _) in enumerate(members)]
    d = tempfile.mkdtemp(prefix='chprobe')
    port = free_port()
    dests = ' '.join('%s:%d%s' % (h, s.port, '' if inst is None else '=' + inst)
                     for (h, inst), s in zip(members, sinks))
    with open(d + '/relay.conf', 'w') as f:
        f.write('listen type linemode 127.0.0.1:%d proto tcp ;\n' % port)
        f.write('cluster c carbon_ch replication %d %s ;\n' % (repl, dests))
        f.write('match * send to c stop ;\n' + extra_conf)
    subprocess.check_call(['carbon-c-relay', '-f', d + '/relay.conf', '-s', '-w', '2', '-D',
                           '-P', d + '/relay.pid', '-l', d + '/relay.log'])
    deadline = time.time() + 10
    while True:
        try:
            c = socket.create_connection(('127.0.0.1', port)); break
        except OSError:
            if time.time() > deadline: raise
            time.sleep(0.05)
    # value field carries the sent index so each forwarded line can be traced back
    payload = b''.join(b'%s %d 1700000000\n' % (l, i) for i, l in enumerate(lines))
    c.sendall(payload); c.close()
    deadline = time.time() + 20
    while time.time() < deadline:
        n = sum(len(s.lines) for s in sinks)
        if n >= len(lines) * min(repl, len(members)): break
        time.sleep(0.1)
    time.sleep(0.3)
    pid = int(open(d + '/relay.pid').read())
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):        # the relay takes a few seconds to stop; do not leave it behind
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(d, ignore_errors=True)
    got = {}
    fwd = {}
    for s in sinks:
        for l in s.lines:
            name, val, ts = l.rsplit(b' ', 2)
            got.setdefault(int(val), []).append(s.idx)
            fwd[int(val)] = name
    for s in sinks: s.sock.close()
    return got, fwd


def official(members):
    return ConsistentHashRing(members)   # nodes are (server, instance) like ConsistentHashingRouter


def pos(key):
    return int(md5(key.encode('utf-8', 'surrogateescape')).hexdigest()[:4], 16)


class CRelayModel:
    """carbon-c-relay 3.7.3 consistent-hash.c as read: no collision bump, sort by (pos, ip, instance; NULL last),
    equal positions all owned by the first entry; the ring key is cut at 255 bytes (char buf[256]), and a walk stops
    after one full turn. Also the test oracle of tests/AioGraphite.Tests/Cluster/CRelayModelFixture.cs."""
    def __init__(self, members):
        e = []
        for h, inst in members:
            for i in range(100):
                key = ("('%s', %s):%d" % (h, 'None' if inst is None else "'%s'" % inst, i)).encode('utf-8')[:255]
                e.append((int(md5(key).hexdigest()[:4], 16), h, (1, '') if inst is None else (0, inst), (h, inst)))
        e.sort(key=lambda x: x[:3])
        owners = [x[3] for x in e]
        for i in range(len(e) - 1):
            if e[i][0] == e[i + 1][0]: owners[i + 1] = owners[i]
        self.pos = [x[0] for x in e]; self.owners = owners

    def get_nodes(self, key_bytes, n):
        p = int(md5(key_bytes).hexdigest()[:4], 16)
        t = bisect_left(self.pos, p) % len(self.pos)
        out = []
        for _ in range(len(self.pos)):
            if len(out) == n: break
            o = self.owners[t]
            if o not in out: out.append(o)
            t = (t + 1) % len(self.pos)
        return out


def sanitize(raw, allowed=b'-_:#'):
    """dispatcher.c dispatch_received_metrics (3.7.3) as read, applied to the line 'raw 1 1700000000'.
    Returns (rewritten name, hashed part). Also used by the test oracle (CRelayModelFixture.cs)."""
    q = bytearray(); first = None; tags = True; space = None
    for ch in raw + b' 1 1700000000':
        b = bytes([ch])
        if b in (b' ', b'\t', b'.'):
            if not q: continue
            if b != b'.' and first is None:
                if q[-1:] == b'.': q.pop()
                first = space = len(q); q += b' '
            elif b != b'.' and space is None:
                space = len(q); q += b' '
            elif q[-1:] != b and len(q) - 1 != first:
                q += b
        elif tags and b == b';':
            tags = False; first = len(q); q += b
        elif ch != 0 and (first is not None or b.isalnum() and ch < 128 or b in allowed):
            q += b
        else:
            q += b'_'
    return bytes(q[:space]), bytes(q[:first])


def compare(title, members, repl, names, hypotheses):
    """names: list of str. hypotheses: {label: fn(name)->list of members}. Prints agreement counts."""
    raw = [n.encode('utf-8') for n in names]
    got, fwd = run_relay(members, repl, raw)
    print('==', title, '(%d names, %d members, replication %d)' % (len(names), len(members), repl))
    missing = [i for i in range(len(names)) if i not in got]
    print('   lines not delivered:', len(missing))
    idx = {m: i for i, m in enumerate(members)}
    for label, fn in hypotheses.items():
        diff = 0
        for i, n in enumerate(names):
            if i in got and sorted(got[i]) != sorted(idx[m] for m in fn(n)): diff += 1
        print('   %-55s differs on %d' % (label, diff))
    return got, fwd


def main():
    rnd = random.Random(7)
    ab = 'abcdefghijklmnopqrstuvwxyz0123456789'
    def seg(): return ''.join(rnd.choice(ab) for _ in range(rnd.randint(1, 10)))
    def path(): return '.'.join(seg() for _ in range(rnd.randint(1, 6)))

    m3 = [('127.0.0.1', 'a'), ('127.0.0.1', 'b'), ('127.0.0.1', 'c')]
    ring3 = official(m3); model3 = CRelayModel(m3)

    # A. plain names
    names = [path() for _ in range(3000)]
    compare('A plain names', m3, 1, names, {
        'carbon ConsistentHashRing.get_node(name)': lambda n: [ring3.get_node(n)],
        'c-relay model (no bump) on name': lambda n: model3.get_nodes(n.encode(), 1),
    })

    # B. names that the relay rewrites; keep those where raw and rewritten hash apart
    bad = ['@', ' ', '/', '%', 'é', '..', '!', '(', '*', '\t']
    cand = []
    while len(cand) < 400:
        p = path().split('.')
        k = rnd.randrange(len(p)); p[k] = p[k] + rnd.choice(bad) + seg()
        n = ('.' if rnd.random() < .2 else '') + '.'.join(p) + ('.' if rnd.random() < .2 else '')
        n = n.replace(' ', '_') if rnd.random() < .5 else n   # a raw space would end the name
        if ' ' in n or '\t' in n: continue
        _, h = sanitize(n.encode())
        if ring3.get_node(n) != ring3.get_node(h.decode()) and model3.get_nodes(h, 1) == [ring3.get_node(h.decode())]:
            cand.append(n)
    got, fwd = compare('B names rewritten by the relay (raw vs rewritten hash apart)', m3, 1, cand, {
        'hash of raw name (before rewrite)': lambda n: [ring3.get_node(n)],
        'hash of rewritten name (after rewrite)': lambda n: [ring3.get_node(sanitize(n.encode())[1].decode())],
    })
    bad_fwd = sum(1 for i, n in enumerate(cand) if i in fwd and fwd[i] != sanitize(n.encode())[0])
    print('   forwarded name != sanitize() model on %d; examples:' % bad_fwd)
    for i in range(5): print('     %r -> %r' % (cand[i], fwd.get(i)))

    # C. tagged names
    tagged = []
    while len(tagged) < 400:
        tags = ['%s=%s' % (seg(), seg()) for _ in range(rnd.randint(1, 4))]
        n = path() + ';' + ';'.join(tags)
        norm = TaggedSeries.parse(n).path
        bare = n.split(';')[0]
        if len({ring3.get_node(n), ring3.get_node(norm), ring3.get_node(bare)}) == 3 or \
           (ring3.get_node(bare) != ring3.get_node(n) and ring3.get_node(bare) != ring3.get_node(norm)):
            tagged.append(n)
    got, fwd = compare('C tagged names name;k=v...', m3, 1, tagged, {
        'hash of full raw name incl. tags': lambda n: [ring3.get_node(n)],
        'hash of TaggedSeries-normalised name (sorted tags)': lambda n: [ring3.get_node(TaggedSeries.parse(n).path)],
        'hash of the part before the first ";"': lambda n: [ring3.get_node(n.split(';')[0])],
    })
    print('   forwarded unchanged (tags kept in sent order):',
          sum(1 for i, n in enumerate(tagged) if fwd.get(i) == n.encode()), 'of', len(tagged))
    # tagged names whose name part is rewritten
    t3 = []
    while len(t3) < 200:
        n = path() + rnd.choice(['@', '..', '%', '.']) + seg() + rnd.choice(['', '.']) + ';k=v;a=' + seg()
        raw_part = n.split(';')[0]
        h = sanitize(n.encode())[1].decode()
        if ring3.get_node(raw_part) != ring3.get_node(h): t3.append(n)
    compare('C2 tagged names with a rewritten name part', m3, 1, t3, {
        'hash of raw part before ";"': lambda n: [ring3.get_node(n.split(';')[0])],
        'hash of rewritten part before ";" (trailing dot kept)': lambda n: [ring3.get_node(sanitize(n.encode())[1].decode())],
    })
    # tagged names with rewrite-worthy chars in name and in tags
    t2 = ['my@name..x.;t@g=v@l;a=b', '.lead.x;k=v v', 'a.b.;k=v', 'x%y;k=a..b']
    got, fwd = run_relay(m3, 1, [n.encode() for n in t2])
    for i, n in enumerate(t2): print('     %r -> %r' % (n, fwd.get(i)))

    # D. position collisions between members: carbon bumps the later one to pos+1, c-relay keeps both
    rnd2 = random.Random(3)
    while True:
        insts = ['i%d' % rnd2.randrange(10 ** 6) for _ in range(2)]
        mm = [('127.0.0.1', x) for x in insts]
        ps = [[pos("('%s', '%s'):%d" % (h, x, i)) for i in range(100)] for h, x in mm]
        coll = set(ps[0]) & set(ps[1])
        if coll: break
    rk = official(mm); mk = CRelayModel(mm)
    want = set()
    for p in coll: want |= {p, p + 1, p + 2}
    probe = []; k = 0
    while len(probe) < 200 and k < 5_000_000:
        n = 'coll.%d' % k; k += 1
        if pos(n) in want: probe.append(n)
    # plus ordinary names
    probe += [path() for _ in range(300)]
    print('   collision at ring positions', sorted(coll), 'between', insts)
    got, _ = compare('D member replica positions collide', mm, 1, probe, {
        'carbon ConsistentHashRing (bump to pos+1)': lambda n: [rk.get_node(n)],
        'c-relay model (duplicates, lower ip/instance owns)': lambda n: mk.get_nodes(n.encode(), 1),
    })
    by_off = {}
    for i, n in enumerate(probe):
        for c in coll:
            if pos(n) - c in (0, 1, 2):
                k2 = pos(n) - c
                by_off.setdefault(k2, [0, 0])[0] += 1
                by_off[k2][1] += [mm[j] for j in got[i]] != [rk.get_node(n)]
    for k2, (tot, dif) in sorted(by_off.items()):
        print('     names at collision position +%d: %d, relay differs from carbon on %d' % (k2, tot, dif))
    mm_rev = list(reversed(mm)); rk_rev = official(mm_rev)
    compare('D\' same members, config order reversed', mm_rev, 1, probe, {
        'carbon ring in this order': lambda n: [rk_rev.get_node(n)],
        'carbon ring in the other order': lambda n: [rk.get_node(n)],
        'c-relay model': lambda n: mk.get_nodes(n.encode(), 1),
    })

    # E. replication 2, three members on one host
    names = [path() for _ in range(1000)]
    def router(ms, repl, diverse):
        from carbon.routers import ConsistentHashingRouter
        class S(dict):
            __getattr__ = dict.get
        r = ConsistentHashingRouter(S(REPLICATION_FACTOR=repl, DIVERSE_REPLICAS=diverse, ROUTER_HASH_TYPE=None))
        for j, (h, x) in enumerate(ms): r.addDestination((h, 2000 + j, x))
        return lambda n: [(d[0], d[2]) for d in r.getDestinations(n)]
    compare('E replication 2, one host', m3, 2, names, {
        'carbon router DIVERSE_REPLICAS=True (default)': router(m3, 2, True),
        'carbon router DIVERSE_REPLICAS=False': router(m3, 2, False),
        'c-relay model (distinct members)': lambda n: model3.get_nodes(n.encode(), 2),
    })
    m3h = [('127.0.0.1', 'a'), ('127.0.0.2', 'b'), ('127.0.0.3', 'c')]
    model3h = CRelayModel(m3h)
    got, _ = compare('E\' replication 2, three hosts', m3h, 2, names, {
        'carbon router DIVERSE_REPLICAS=True': router(m3h, 2, True),
        'carbon router DIVERSE_REPLICAS=False': router(m3h, 2, False),
        'c-relay model (distinct members)': lambda n: model3h.get_nodes(n.encode(), 2),
    })
    r3h = router(m3h, 2, False)
    for i, n in enumerate(names):
        if sorted(got[i]) != sorted(m3h.index(m) for m in r3h(n)):
            print('     %r hash position %d: relay %s, carbon %s' % (n, pos(n), [m3h[j] for j in got[i]], r3h(n)))

    # F. no instance names
    mn = [('127.0.0.1', None), ('127.0.0.1', None)]
    got, _ = run_relay(mn, 1, [n.encode() for n in names[:300]])
    print('== F two members on one host without =instance: lines per member',
          [sum(1 for v in got.values() if v == [i]) for i in range(2)])
    mn2 = [('127.0.0.1', 'a'), ('127.0.0.2', None)]
    rr = official(mn2)
    compare('F\' one member without instance (key "(\'127.0.0.2\', None):i")', mn2, 1, names, {
        'carbon ring with instance None': lambda n: [rr.get_node(n)],
    })


if __name__ == '__main__':
    main()
