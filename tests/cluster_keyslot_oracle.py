#!/usr/bin/env python3
"""Key slot vectors: CLUSTER KEYSLOT of a live redis-server in cluster mode.

usage: cluster_keyslot_oracle.py PORT FIXTURE          check every vector
       cluster_keyslot_oracle.py PORT FIXTURE --write  record them

The fixture (tests/fixtures/cluster/redis7015_keyslot.txt) has one vector a
line: the key as hex bytes ("-" for the empty key), a space, the slot the
server gave. Lines starting with '#' are comments. --write makes the keys
(named cases of the hash-tag rule, every one-byte key, every key of up to 4
bytes over "{}ab", pseudo-random keys heavy in braces from a fixed seed, and
three long keys), asks the server and writes the file whole (temporary file,
then rename). Check mode asks the server about every key of the file and
prints a DIFFERS line for each slot that is not the recorded one.

The server must be redis-server 7.0.15 with cluster_enabled:1 (INFO).
Exits 0 when every vector agrees (or the file was written), 1 on any
difference, 2 on bad usage, an unreadable or malformed fixture, or a server
that cannot be reached or is not the one the vectors are of.
"""
import itertools
import os
import random
import socket
import sys
import tempfile

SERVER = "7.0.15"
TIMEOUT_S = 10.0
MAX_VECTORS = 10000
MAX_KEY_BYTES = 1 << 16

NAMED = [
    b"", b"123456789", b"foo", b"bar", b"hello",
    b"{user1000}.following", b"{user1000}.followers",
    b"foo{}{bar}", b"foo{{bar}}zap", b"foo{bar}{zap}",
    b"{", b"}", b"{}", b"}{", b"{{}}", b"}{a}", b"a{b", b"a}b", b"{a", b"a}",
    b"{a}", b"{}a", b"a{}", b"a{}}", b"{{a}", b"{a}}", b"x{y}z{w}", b"{ }",
    b"a{\0}b", b"\xff{\x80}", b"{\n}", b"key:{tag}:1", b"key:{tag}:2",
]


def usage(msg):
    print(f"cluster_keyslot_oracle: {msg}", file=sys.stderr)
    sys.exit(2)


def make_keys():
    keys = list(NAMED)
    keys += [bytes([b]) for b in range(256)]
    for n in range(1, 5):
        keys += [bytes(t) for t in itertools.product(b"{}ab", repeat=n)]
    rng = random.Random(20261124)
    for _ in range(256):
        n = rng.randint(1, 48)
        key = bytearray()
        for _ in range(n):
            r = rng.random()
            key.append(ord("{") if r < 0.15 else ord("}") if r < 0.3 else rng.randrange(256))
        keys.append(bytes(key))
    keys.append(b"x" * 1000 + b"{t}")
    keys.append(b"{" + b"y" * 4000 + b"}")
    keys.append(bytes(rng.randrange(256) for _ in range(4096)))
    seen, out = set(), []
    for k in keys:
        if k not in seen:
            seen.add(k)
            out.append(k)
    return out


class Conn:
    def __init__(self, port):
        try:
            self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
        except OSError as e:
            usage(f"127.0.0.1:{port}: {e}")
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        try:
            self.s.sendall(out)
        except OSError as e:
            usage(f"sending to the server: {e}")

    def more(self):
        try:
            chunk = self.s.recv(65536)
        except OSError as e:  # a timeout included
            usage(f"reading from the server: {e}")
        if not chunk:
            usage("the server closed the connection")
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self.more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def bulk(self):
        head = self.line()
        if not head.startswith(b"$"):
            usage(f"unexpected reply {head[:80]!r}")
        n = int(head[1:])
        while len(self.buf) < n + 2:
            self.more()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def slots(self, keys):
        """CLUSTER KEYSLOT of every key, pipelined 64 at a time."""
        out = []
        for i in range(0, len(keys), 64):
            batch = keys[i:i + 64]
            for k in batch:
                self.send(b"CLUSTER", b"KEYSLOT", k)
            for k in batch:
                r = self.line()
                if not r.startswith(b":"):
                    usage(f"CLUSTER KEYSLOT {k[:40].hex()}: {r[:200]!r}")
                out.append(int(r[1:]))
        return out


def check_server(c):
    c.send(b"INFO", b"server")
    server = c.bulk().decode(errors="replace")
    c.send(b"INFO", b"cluster")
    cluster = c.bulk().decode(errors="replace")
    if f"redis_version:{SERVER}\r\n" not in server:
        usage(f"the vectors are of redis-server {SERVER}, not this server")
    if "cluster_enabled:1\r\n" not in cluster:
        usage("the server is not in cluster mode (cluster-enabled yes)")


def read_fixture(path):
    try:
        with open(path, encoding="ascii") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        usage(f"{path}: {e}")
    vectors = []
    for no, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        parts = line.split(" ")
        try:
            if len(parts) != 2:
                raise ValueError("not 'HEX SLOT'")
            key = b"" if parts[0] == "-" else bytes.fromhex(parts[0])
            if parts[0] == "" or len(key) > MAX_KEY_BYTES:
                raise ValueError(f"a key of 1..{MAX_KEY_BYTES} bytes, or '-'")
            slot = int(parts[1])
            if not 0 <= slot < 16384 or parts[1] != str(slot):
                raise ValueError(f"slot '{parts[1]}' (0..16383)")
        except ValueError as e:
            usage(f"{path}: line {no}: {e}")
        vectors.append((key, slot))
        if len(vectors) > MAX_VECTORS:
            usage(f"{path}: more than {MAX_VECTORS} vectors")
    if not vectors:
        usage(f"{path}: no vectors")
    return vectors


def write_fixture(path, vectors):
    text = (
        "# CLUSTER KEYSLOT on redis-server 7.0.15 (Debian's, --cluster-enabled yes):\n"
        "# one vector a line, the key as hex bytes (\"-\" for the empty key), a space,\n"
        "# the slot the server gave. Written by tests/cluster_keyslot_oracle.py --write;\n"
        "# the ctest oracle/cluster-keyslot asks a live server again about every line.\n"
    )
    text += "".join(f"{k.hex() or '-'} {s}\n" for k, s in vectors)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".keyslot-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        os.unlink(tmp)
        usage(f"{path}: {e}")


def main(argv):
    if len(argv) >= 1 and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    write = "--write" in argv
    args = [a for a in argv if a != "--write"]
    if len(args) != 2 or any(a.startswith("-") for a in args):
        usage("expected PORT FIXTURE [--write] (see --help)")
    try:
        port = int(args[0])
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        usage(f"bad port '{args[0]}'")
    path = args[1]
    vectors = None if write else read_fixture(path)
    c = Conn(port)
    check_server(c)
    if write:
        keys = make_keys()
        write_fixture(path, list(zip(keys, c.slots(keys))))
        print(f"wrote {len(keys)} vectors to {path}")
        return 0
    got = c.slots([k for k, _ in vectors])
    bad = 0
    for (k, want), have in zip(vectors, got):
        if want != have:
            bad += 1
            print(f"DIFFERS: key {k.hex() or '-'}: recorded slot {want}, the server says {have}")
    print(f"{len(vectors)} vectors, {len(vectors) - bad} agree, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
