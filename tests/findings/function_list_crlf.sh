#!/usr/bin/env bash
# function_list_crlf.sh SOURCE_DIR: valkey-server 9.1.2 writes FUNCTION
# LIST's unknown argument into its error reply with the argument's CR and LF
# as they are (functions.c: addReplyErrorSds, which maps nothing), so a
# client's own argument can end the error line and put a reply of its
# choosing in the stream: after `FUNCTION LIST "x\r\n+INJECTED"` the next
# command's reply read is +INJECTED (the real one comes one command late).
# redis-server 7.0.15 and 8.0.6 turn each CR and LF into a space
# (addReplyErrorSdsSafe): one error line, `ERR Unknown argument x
# +INJECTED`. Found by `respfuzz oracle command_handler` over the frozen
# regression function-list-crlf-argument-mapped against 9.1.2 (2026-11-29:
# the oracle read an unreadable reply); the oracle no longer sends such a
# FUNCTION LIST to valkey 9.1. Expected: on valkey 9.1.2, the error line
# `-ERR Unknown argument x` then `+INJECTED` then `+PONG`; on redis, the
# mapped error line then `+PONG`.
# Each server runs on a free loopback port and is stopped on every exit path.
set -uo pipefail
src=$1
# shellcheck source=tests/findings/each_target.sh
. "$src/tests/findings/each_target.sh"
check() {
  local target=$1 got want
  got=$(python3 - "$port" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
arg = b"x\r\n+INJECTED"
s.sendall(b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLIST\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(arg), arg))
data = b""
deadline = time.time() + 5
while not data.endswith(b"+PONG\r\n") and time.time() < deadline:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print("|".join(data.decode(errors="replace").split("\r\n")[:-1]))
PY
  ) || { echo "FAIL: $target: the client failed"; exit 1; }
  want='-ERR Unknown argument x  +INJECTED|+PONG'
  [ "$target" = valkey-9.1 ] && want='-ERR Unknown argument x|+INJECTED|+PONG'
  [ "$got" = "$want" ] || { echo "FAIL: $target: got '$got', expected '$want'"; exit 1; }
  echo "ok: $target: $got"
}
each_target "$src" check
