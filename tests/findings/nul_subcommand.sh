#!/usr/bin/env bash
# nul_subcommand.sh SOURCE_DIR: a subcommand name with a NUL byte after a
# real subcommand's name (`SLOWLOG LEN\0<n>`) runs that subcommand on
# redis-server 7.0.15 and 8.0.6 when the name's hash falls in the
# subcommand's bucket of the subcommand table, which the per-process hash
# seed decides: the server hashes the name's whole bytes but compares names
# as C strings, which stop at the NUL. valkey 9.1.2 runs it every time.
# Found by `respfuzz oracle command_handler` over a campaign corpus
# (2026-11-29: `SLOWLOG RESET\0...` answered +OK on one run, and the engine's
# unknown-subcommand error on the next server). Expected, from 256 names
# `LEN\0<n>` sent to one fresh server: on redis, some answer SLOWLOG LEN's
# integer and some the unknown-subcommand error (SLOWLOG has 4
# subcommands in a table of 4 or 8 buckets, so a name lands in LEN's
# bucket one time in four to eight: all 256 the same way has a chance
# below 1e-14); on valkey all 256 answer the integer.
# Each server runs on a free loopback port and is stopped on every exit path.
set -uo pipefail
src=$1
# shellcheck source=tests/findings/each_target.sh
. "$src/tests/findings/each_target.sh"
check() {
  local target=$1 counts ran refused other
  counts=$(python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
ran = refused = other = 0
for n in range(256):
    name = b"LEN\x00%d" % n
    s.sendall(b"*2\r\n$7\r\nSLOWLOG\r\n$%d\r\n%s\r\n" % (len(name), name))
    line = b""
    while not line.endswith(b"\r\n"):
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("the server closed the connection")
        line += chunk
    if line.startswith(b":"):
        ran += 1
    elif line.startswith(b"-ERR unknown subcommand 'LEN'"):
        refused += 1
    else:
        other += 1
print(ran, refused, other)
PY
  ) || { echo "FAIL: $target: the client failed"; exit 1; }
  read -r ran refused other <<<"$counts"
  if [ "$other" != 0 ]; then
    echo "FAIL: $target: $other replies neither LEN's integer nor the error"; exit 1
  fi
  if [ "$target" = valkey-9.1 ]; then
    [ "$ran" = 256 ] || { echo "FAIL: $target: $ran of 256 ran LEN, $refused refused"; exit 1; }
    echo "ok: $target runs every LEN<NUL><n> as LEN (256 of 256)"
  else
    if [ "$ran" = 0 ] || [ "$refused" = 0 ]; then
      echo "FAIL: $target: $ran of 256 ran LEN, $refused refused (expected some of each)"; exit 1
    fi
    echo "ok: $target runs $ran of 256 LEN<NUL><n> as LEN and refuses $refused, as its hash seed falls"
  fi
}
each_target "$src" check
