#!/usr/bin/env bash
# recorder_check.sh RECORDER RECORDINGS_DIR: starts redis-server (Debian's
# 7.0.15) on a free loopback port and runs the recorder in check mode over
# every recording: every reply must be byte-identical to the recorded one
# (steps flagged unordered or ttl_slack are compared as README.md says).
# First it shows the check can fail: a recording with one reply byte changed
# must be reported, and so must a changed byte of another session's push in a
# streams recording. The server is stopped on every exit path.
set -uo pipefail
recorder=$1 dir=$2
command -v redis-server >/dev/null || { echo "FAIL: redis-server not found (scripts/setup installs it)"; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The start/stop of tests/oracle_test.sh: a free port, retried.
start_server() {
  port="" pid=""
  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --enable-debug-command local --dir "$tmp" --logfile "$tmp/redis-$port.log" "$@" &
    pid=$!
    for _ in $(seq 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
  done
  echo "FAIL: could not start redis-server on a free loopback port"; exit 1
}

start_server

# A changed byte is a difference (exit 1), reported with the step.
python3 - "$dir/strings.json" "$tmp/wrong.json" <<'PY' || { echo "FAIL: could not make the wrong recording"; exit 1; }
import sys
text = open(sys.argv[1]).read()
old, new = '"reply": "+OK\\r\\n"', '"reply": "+OJ\\r\\n"'
assert old in text
open(sys.argv[2], "w").write(text.replace(old, new, 1))
PY
out=$("$recorder" --port "$port" --only SetOptions "$tmp/wrong.json" 2>&1)
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q '^DIFFERS: strings/SetOptions, RESP2 pass, step 1 ' <<<"$out" ||
   ! grep -qF 'recorded: "+OJ\r\n"' <<<"$out"; then
  echo "FAIL: the recorder did not report a changed reply byte (exit $rc):"; echo "$out" | tail -20; exit 1
fi
echo "ok: a changed reply byte is reported"

# A streams recording: a changed byte of another session's push is reported.
python3 - "$dir/tracking.json" "$tmp/wrong_tracking.json" <<'PY' || { echo "FAIL: could not make the wrong tracking recording"; exit 1; }
import sys
text = open(sys.argv[1]).read()
old = '"pushes3": {"1": ">2\\r\\n$10\\r\\ninvalidate\\r\\n*1\\r\\n$1\\r\\nk\\r\\n"}'
assert old in text
open(sys.argv[2], "w").write(text.replace(old, old.replace("nk", "nx"), 1))
PY
out=$("$recorder" --port "$port" --only DefaultModeOneShot "$tmp/wrong_tracking.json" 2>&1)
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q '^DIFFERS: tracking/DefaultModeOneShot, RESP3 pass, step 3, session 1 ' <<<"$out"; then
  echo "FAIL: the recorder did not report a changed push byte (exit $rc):"; echo "$out" | tail -20; exit 1
fi
echo "ok: a changed push byte of another session is reported"

"$recorder" --port "$port" "$dir"/*.json
rc=$?
if [ "$rc" -ne 0 ]; then echo "FAIL: recorder exit $rc"; exit 1; fi
