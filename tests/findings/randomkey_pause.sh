#!/usr/bin/env bash
# randomkey_pause.sh SOURCE_DIR: RANDOMKEY during CLIENT PAUSE WRITE, in a
# db whose keys all have an expiry that has passed, never returns on
# redis-server 7.0.15: a paused server keeps expired keys stored, and its
# dbRandomKey draws again after every expired key it finds, bounding its
# draws only on a replica. The server stops answering anyone (100% CPU)
# until it is killed. Known upstream: redis issue 13862, fixed by redis PR
# 13863 (and valkey issue 1848, PR 1850): after 100 draws such a server
# answers an expired key. Expected: no reply within 2 s on 7.0.15, and no
# PONG from another connection either; the key `a` from 8.0.6 and valkey
# 9.1.2. Met by the command oracle's CLIENT PAUSE work (2026-11-29): the
# engine answers as 8.0.6 does, and the oracle sends no RANDOMKEY while a
# pause is in force.
# Each server runs on a free loopback port and is stopped (killed, for the
# stuck one) on every exit path.
set -uo pipefail
src=$1
# shellcheck source=tests/findings/each_target.sh
. "$src/tests/findings/each_target.sh"
check() {
  local target=$1 got
  got=$(python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def call(s, *args):
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    data = b""
    try:
        while not data.endswith(b"\r\n") or (data[:1] == b"$" and data.count(b"\r\n") < 2):
            chunk = s.recv(4096)
            if not chunk:
                return "closed"
            data += chunk
    except socket.timeout:
        return "no reply"
    return data.decode(errors="replace").strip().replace("\r\n", " ")
s = socket.create_connection(("127.0.0.1", port), timeout=5)
call(s, b"SET", b"a", b"1", b"PX", b"1")
call(s, b"CLIENT", b"PAUSE", b"100000", b"WRITE")
time.sleep(0.1)
s.settimeout(2)
first = call(s, b"RANDOMKEY")
other = socket.create_connection(("127.0.0.1", port), timeout=5)
other.settimeout(2)
print(first + "|" + call(other, b"PING"))
PY
  ) || { echo "FAIL: $target: the client failed"; exit 1; }
  if [ "$target" = redis-7.0 ]; then
    [ "$got" = "no reply|no reply" ] || { echo "FAIL: $target: got '$got'"; exit 1; }
    echo "ok: $target answers neither the RANDOMKEY nor another client's PING"
  else
    [ "$got" = '$1 a|+PONG' ] || { echo "FAIL: $target: got '$got'"; exit 1; }
    echo "ok: $target answers the expired key a"
  fi
}
each_target "$src" check
