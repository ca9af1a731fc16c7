#!/usr/bin/env bash
# rdb_save_test.sh RESPFUZZ SOURCE_DIR: the RDB file `respfuzz serve` writes
# is one Debian's redis-server 7.0.15 loads with the same data.
#
#  1. respfuzz serve --dir D gets tests/rdb_compare.py's dataset (every type
#     and encoding, TTLs, several dbs, a FUNCTION library) and SAVE: D holds
#     dump.rdb and no temporary file; redis-check-rdb accepts it.
#  2. redis-server 7.0.15 started on that file (--dir D) has the same keys,
#     types, encodings, expire times, values and functions (rdb_compare.py
#     compare). Then the broken piece: one value changed on redis-server, the
#     comparison must fail.
#  3. FLUSHALL with save points (CONFIG SET save) saves the empty dataset and
#     resets rdb_changes_since_last_save; without them it does neither.
#  4. SHUTDOWN: refused inside MULTI; SHUTDOWN SAVE writes the file (with a
#     key set just before) and the process exits 0 with its connection
#     closed and no reply; SHUTDOWN NOSAVE with save points writes nothing.
# Every server is stopped on every exit path.
set -uo pipefail
cli=$1 src=$2
tmp=$(mktemp -d)
. "$src/tests/redis_server.sh"
. "$src/tests/checks.sh"
compare=$src/tests/rdb_compare.py
trap 'stop_ours; stop_server; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ours"

# resp PORT ARGS...: one command, its reply as Python prints it.
resp() {
  python3 - "$@" <<'EOF'
import socket, sys
port, args = int(sys.argv[1]), sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args))
data = b""
while not data.endswith(b"\r\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode("latin-1").strip())
EOF
}
info_field() { resp "$1" INFO persistence | tr -d '\r' | sed -n "s/.*$2:\([^ ]*\).*/\1/p"; }

# 1. SAVE
start_ours "$cli" --dir "$tmp/ours"
if python3 "$compare" populate "$ours_port"; then ok "dataset written"; else bad "populate failed"; fi
r=$(resp "$ours_port" SAVE)
[ "$r" = "+OK" ] && ok "SAVE replies +OK" || bad "SAVE replied '$r'"
if [ "$(ls "$tmp/ours")" = "dump.rdb" ]; then
  ok "dump.rdb written, no temporary file left"
else
  bad "the directory holds: $(ls "$tmp/ours" | tr '\n' ' ')"
fi
[ "$(info_field "$ours_port" rdb_changes_since_last_save)" = 0 ] && ok "SAVE resets the dirty counter" ||
  bad "rdb_changes_since_last_save after SAVE: $(info_field "$ours_port" rdb_changes_since_last_save)"
if redis-check-rdb "$tmp/ours/dump.rdb" >"$tmp/check.txt" 2>&1 && grep -q "RDB looks OK" "$tmp/check.txt"; then
  ok "redis-check-rdb accepts it ($(grep -o '[0-9]* keys read' "$tmp/check.txt"))"
else
  bad "redis-check-rdb refuses it:"
  cat "$tmp/check.txt"
fi

# 2. redis-server loads it
cp "$tmp/ours/dump.rdb" "$tmp/loaded.rdb"
start_server --dir "$tmp" --dbfilename loaded.rdb
if python3 "$compare" compare "$ours_port" "$port" >"$tmp/cmp.txt"; then
  ok "redis-server 7.0.15 loads the same dataset: $(tail -1 "$tmp/cmp.txt")"
else
  bad "redis-server 7.0.15's dataset differs:"
  cat "$tmp/cmp.txt"
fi
# The broken piece: one list element changed on redis-server.
resp "$port" LSET list 0 changed >/dev/null
if python3 "$compare" compare "$ours_port" "$port" >"$tmp/cmp.txt"; then
  bad "the comparison did not see a changed list element"
elif [ $? -eq 1 ] && grep -q "'list'" "$tmp/cmp.txt"; then
  ok "a changed value is told apart"
else
  bad "the comparison failed otherwise:"
  cat "$tmp/cmp.txt"
fi
stop_server

# 3. FLUSHALL and the save points
resp "$ours_port" SET k v >/dev/null
resp "$ours_port" FLUSHALL >/dev/null
[ "$(info_field "$ours_port" rdb_changes_since_last_save)" -gt 0 ] &&
  ok "FLUSHALL without save points keeps the dirty counter" || bad "FLUSHALL without save points reset it"
resp "$ours_port" CONFIG SET save "3600 1 300 100 60 10000" >/dev/null
resp "$ours_port" SET k v >/dev/null
resp "$ours_port" FLUSHALL >/dev/null
[ "$(info_field "$ours_port" rdb_changes_since_last_save)" = 0 ] &&
  ok "FLUSHALL with save points resets the dirty counter" || bad "FLUSHALL with save points did not reset it"
redis-check-rdb "$tmp/ours/dump.rdb" >"$tmp/check.txt" 2>&1
grep -q "0 keys read" "$tmp/check.txt" && ok "FLUSHALL with save points saved the empty dataset" ||
  bad "FLUSHALL's file: $(tail -3 "$tmp/check.txt")"

# 4. SHUTDOWN
r=$(python3 - "$ours_port" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"MULTI\r\nSHUTDOWN\r\nEXEC\r\n")
time.sleep(0.3)
print(s.recv(65536).decode().replace("\r\n", "|"))
EOF
)
[ "$r" = "+OK|-ERR Command not allowed inside a transaction|-EXECABORT Transaction discarded because of previous errors.|" ] &&
  ok "SHUTDOWN is refused inside MULTI" || bad "SHUTDOWN inside MULTI: $r"
resp "$ours_port" SET after-flush 1 >/dev/null
r=$(resp "$ours_port" SHUTDOWN SAVE)
[ -z "$r" ] && ok "SHUTDOWN SAVE: no reply, the connection closed" || bad "SHUTDOWN SAVE replied '$r'"
code=""
for _ in $(seq 50); do
  if ! kill -0 "$ours" 2>/dev/null; then
    wait "$ours"
    code=$?
    break
  fi
  sleep 0.1
done
ours=""
[ "$code" = 0 ] && ok "the server exits 0" || bad "the server's exit: '${code:-still running}'"
grep -q "stopped:" "$tmp/serve.log" && ok "it closed down cleanly" || bad "no summary line: $(cat "$tmp/serve.log")"
redis-check-rdb "$tmp/ours/dump.rdb" >"$tmp/check.txt" 2>&1
grep -q "1 keys read" "$tmp/check.txt" && ok "SHUTDOWN SAVE saved the key set just before" ||
  bad "SHUTDOWN SAVE's file: $(tail -3 "$tmp/check.txt")"
rm -f "$tmp/ours/dump.rdb"
start_ours "$cli" --dir "$tmp/ours"
resp "$ours_port" CONFIG SET save "3600 1" >/dev/null
resp "$ours_port" SET k v >/dev/null
resp "$ours_port" SHUTDOWN NOSAVE >/dev/null
for _ in $(seq 50); do kill -0 "$ours" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$ours" 2>/dev/null && [ ! -e "$tmp/ours/dump.rdb" ]; then
  ok "SHUTDOWN NOSAVE exits without saving"
else
  bad "SHUTDOWN NOSAVE: still running or a file written"
fi
wait "$ours" 2>/dev/null
ours=""
finish rdb-save
