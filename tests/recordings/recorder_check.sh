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
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/../redis_server.sh"
trap 'stop_server; rm -rf "$tmp"' EXIT

start_server --enable-debug-command local

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
