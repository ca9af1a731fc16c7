#!/usr/bin/env bash
# client_pause.sh SOURCE_DIR: two ways CLIENT PAUSE takes down redis-server
# 7.0.15, both known upstream and fixed after it; met while bringing CLIENT
# PAUSE into `respfuzz oracle command_handler` (2026-11-29), where the
# engine had the first one too (it now answers as 8.0.6 does) and the oracle
# sends neither.
#  1. RANDOMKEY during CLIENT PAUSE WRITE, in a db whose keys all have an
#     expiry that has passed, never returns: a paused server keeps expired
#     keys stored, and dbRandomKey draws again after every expired key,
#     bounding its draws only on a replica. The server answers no one (100%
#     CPU) until killed. redis issue 13862, fixed by redis PR 13863 (valkey
#     issue 1848, PR 1850): after 100 draws an expired key is answered.
#     Expected: no reply within 2 s and no PONG to another connection on
#     7.0.15; the key `a` from 8.0.6 and valkey 9.1.2.
#  2. CLIENT UNBLOCK id (TIMEOUT, the default) of a client CLIENT PAUSE
#     postponed crashes the server: replyToBlockedClientTimedOut has no
#     case for BLOCKED_POSTPONE (serverPanic "Unknown btype"). valkey issue
#     2111, fixed by valkey PR 2117 and redis PR 14164, after which UNBLOCK
#     answers 0 and leaves the client waiting. Expected: the connection
#     closed and the process gone on 7.0.15; 0 from 8.0.6 and valkey 9.1.2.
# Each server runs on a free loopback port and is stopped (killed, for the
# stuck one) on every exit path.
set -uo pipefail
src=$1
# shellcheck source=tests/findings/each_target.sh
. "$src/tests/findings/each_target.sh"
# The client: one connection's command and its first reply line (a bulk's
# value after its length), "no reply" after the timeout, "closed" at EOF.
# Mode randomkey prints RANDOMKEY's reply and another connection's PING's;
# mode unblock, CLIENT UNBLOCK's reply for a client the pause postponed.
client_py='
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
def call(s, *args, timeout=5):
    s.settimeout(timeout)
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
def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=5)
s = connect()
if mode == "randomkey":
    call(s, b"SET", b"a", b"1", b"PX", b"1")
    call(s, b"CLIENT", b"PAUSE", b"100000", b"WRITE")
    time.sleep(0.1)
    print(call(s, b"RANDOMKEY", timeout=2) + "|" + call(connect(), b"PING", timeout=2))
else:
    waiter = connect()
    wid = call(waiter, b"CLIENT", b"ID")[1:].encode()
    call(s, b"CLIENT", b"PAUSE", b"100000", b"WRITE")
    waiter.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n")
    time.sleep(0.2)
    print(call(s, b"CLIENT", b"UNBLOCK", wid))
'
check() {
  local target=$1 got
  got=$(python3 -c "$client_py" "$port" randomkey) ||
    { echo "FAIL: $target: the client failed"; exit 1; }
  if [ "$target" = redis-7.0 ]; then
    [ "$got" = "no reply|no reply" ] || { echo "FAIL: $target: got '$got'"; exit 1; }
    echo "ok: $target answers neither the RANDOMKEY nor another client's PING"
  else
    [ "$got" = '$1 a|+PONG' ] || { echo "FAIL: $target: got '$got'"; exit 1; }
    echo "ok: $target answers the expired key a"
  fi
}
check_unblock() {
  local target=$1 got
  got=$(python3 -c "$client_py" "$port" unblock) ||
    { echo "FAIL: $target: the client failed"; exit 1; }
  if [ "$target" = redis-7.0 ]; then
    sleep 0.5
    if [ "$got" != closed ] || kill -0 "$pid" 2>/dev/null; then
      echo "FAIL: $target: got '$got', the server still running"; exit 1
    fi
    grep -q "Unknown btype" "$tmp"/redis-*.log ||
      { echo "FAIL: $target: no 'Unknown btype' in its log"; exit 1; }
    echo "ok: $target crashes on CLIENT UNBLOCK of a postponed client (Unknown btype)"
  else
    [ "$got" = ":0" ] || { echo "FAIL: $target: got '$got'"; exit 1; }
    echo "ok: $target answers 0 to CLIENT UNBLOCK of a postponed client"
  fi
}
each_target "$src" check || exit 1
each_target "$src" check_unblock
