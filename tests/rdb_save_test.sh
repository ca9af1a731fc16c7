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
#     CONFIG SET / GET of save, dir and dbfilename answer alike (and differ
#     from a server started with enable-protected-configs yes).
#  3. respfuzz serve started on redis-server's own file of that dataset
#     (its SAVE) has the same data; a file with one byte changed stops the
#     start with one line and exit 1.
#  4. FLUSHALL with save points (CONFIG SET save) saves the empty dataset and
#     resets rdb_changes_since_last_save; without them it does neither.
#  5. SHUTDOWN: refused inside MULTI; SHUTDOWN SAVE writes the file (with a
#     key set just before) and the process exits 0 with its connection
#     closed and no reply, and a restart loads the key back; SHUTDOWN NOSAVE
#     with save points writes nothing.
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
# config_transcript PORT: CONFIG SET / GET of save, dir and dbfilename, one
# reply per line (the save points are reset to none at the end; CONFIG GET
# of dir and dbfilename differs: each server's own directory and file).
config_transcript() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def call(*args):
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args))
    line = f.readline()
    if line[:1] == b"*":
        return b"".join([line] + [f.readline() for _ in range(2 * int(line[1:]))])
    return line
for args in (["CONFIG", "SET", "save", "1 2 3"], ["CONFIG", "SET", "save", "0 1"],
             ["CONFIG", "SET", "save", "1 -1"], ["CONFIG", "SET", "save", "1  2"],
             ["CONFIG", "SET", "save", " 1 2"], ["CONFIG", "SET", "save", "1 2x"],
             ["CONFIG", "SET", "save", "+5 07"], ["CONFIG", "GET", "save"],
             ["CONFIG", "SET", "save", "3600 1 300 100 60 10000"], ["CONFIG", "GET", "save"],
             ["CONFIG", "SET", "dir", "/tmp"], ["CONFIG", "SET", "Dbfilename", "x.rdb"],
             ["CONFIG", "SET", "save", "", "save", ""], ["CONFIG", "SET", "save", ""],
             ["CONFIG", "GET", "save"]):
    print(" ".join(args), "=>", repr(call(*args)))
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

# CONFIG SET / GET of the persistence parameters answer alike.
config_transcript "$port" >"$tmp/config.redis"
config_transcript "$ours_port" >"$tmp/config.ours"
if diff -u "$tmp/config.redis" "$tmp/config.ours" >"$tmp/diff"; then
  ok "CONFIG SET / GET save, dir, dbfilename answer as redis-server's ($(wc -l <"$tmp/config.ours") commands)"
else
  bad "CONFIG of the persistence parameters differs:"
  cat "$tmp/diff"
fi

# 3. respfuzz serve loads redis-server's own file at start.
resp "$port" SAVE >/dev/null
stop_ours
mkdir -p "$tmp/fromredis"
cp "$tmp/loaded.rdb" "$tmp/fromredis/dump.rdb"
start_ours "$cli" --dir "$tmp/fromredis"
if python3 "$compare" compare "$port" "$ours_port" >"$tmp/cmp.txt"; then
  ok "respfuzz serve loads redis-server 7.0.15's file: $(tail -1 "$tmp/cmp.txt")"
else
  bad "the dataset respfuzz serve loaded differs:"
  cat "$tmp/cmp.txt"
fi
stop_ours
stop_server
# A damaged file (one byte of a value changed): one line, exit 1.
mkdir -p "$tmp/bad"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 1; open(sys.argv[2], "wb").write(b)' \
  "$tmp/ours/dump.rdb" "$tmp/bad/dump.rdb"
timeout 20 "$cli" serve --port 0 --dir "$tmp/bad" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/bad.err")" = 1 ] && grep -q "dump.rdb: bad RDB file" "$tmp/bad.err"; then
  ok "a damaged file stops the start: $(cat "$tmp/bad.err")"
else
  bad "a damaged file: exit $rc, stderr: $(cat "$tmp/bad.err")"
fi
# The broken piece: a redis-server whose protected configs may be set
# (enable-protected-configs yes) answers CONFIG SET dir otherwise.
start_server --enable-protected-configs yes
config_transcript "$port" >"$tmp/config.open"
stop_server
if ! diff -q "$tmp/config.open" "$tmp/config.ours" >/dev/null; then
  ok "a server that lets dir be set is told apart"
else
  bad "the CONFIG comparison did not see enable-protected-configs yes"
fi
start_ours "$cli" --dir "$tmp/ours"

# 4. FLUSHALL and the save points
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

# 5. SHUTDOWN
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
start_ours "$cli" --dir "$tmp/ours"
[ "$(resp "$ours_port" GET after-flush | tr -d '\r\n')" = '$11' ] &&
  ok "restarted, the server has the key back" || bad "restarted: GET after-flush: $(resp "$ours_port" GET after-flush)"
rm -f "$tmp/ours/dump.rdb"
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
