#!/usr/bin/env bash
# oracle_test.sh RESPFUZZ SOURCE_DIR [--target NAME]: starts a server
# (scripts/server-target's NAME, default redis-7.0: Debian's redis-server
# 7.0.15) on a free loopback port, runs `respfuzz oracle command_handler` over
# the committed seeds and frozen regressions, and requires every compared op
# to agree; on another target, every divergence to be a documented version
# difference, and candidates without that table. The server is stopped on
# every exit path.
set -uo pipefail
cli=$1 src=$2
shift 2
server_target=""
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
parse_target_args "$@"
trap 'stop_server; rm -rf "$tmp"' EXIT

# oracle_without [CMD...] -- FILE...: a server (debug commands on) without
# the commands CMD (each renamed to ""), the oracle over FILE..., the server
# stopped; sets out and rc.
oracle_without() {
  local renames=()
  while [ "$1" != -- ]; do renames+=(--rename-command "$1" ""); shift; done
  shift
  start_server --enable-debug-command local ${renames[@]+"${renames[@]}"}
  out=$("$cli" oracle command_handler --server "127.0.0.1:$port" "$@")
  rc=$?
  stop_server
}

# fixture_agrees FILE COUNTS WHAT: tests/fixtures/oracle/FILE, copied to
# $tmp, must agree with the server: exit 0 and COUNTS ("N ops: M compared,
# K excluded"), with no divergence on 7.0.15 (on another target the
# divergences are documented ones, or the exit would be 1).
fixture_agrees() {
  local file=$1 counts=$2 what=$3 agreed
  cp "$src/tests/fixtures/oracle/$file" "$tmp/$file"
  oracle_without -- "$tmp/$file"
  agreed="$counts, 0 divergences"
  [ "$server_target" = redis-7.0 ] || agreed=$counts
  if [ "$rc" -ne 0 ] || ! grep -q "$agreed" <<<"$out"; then
    echo "FAIL: $what did not agree with the server (exit $rc):"; echo "$out"; exit 1
  fi
}

# The oracle can fail: against a server whose ECHO and TIME are disabled,
# the seeds that send them must come out as divergences (exit 1): TIME is
# compared (its shape and clock window), not excluded.
oracle_without ECHO TIME -- \
  "$src/corpus/command_handler/connection.txt" "$src/corpus/command_handler/time_touch.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* s1 ECHO" <<<"$out" ||
  ! grep -q "^DIVERGENCE .* s1 TIME" <<<"$out"; then
  echo "FAIL: the oracle did not report the disabled ECHO and TIME (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: a server without ECHO or TIME is reported as a divergence"

# The pub/sub comparison can fail: against a server without PSUBSCRIBE, the
# subscriber of the notifications seed hears no events, and the first
# command's missing events are a divergence at that command.
oracle_without PSUBSCRIBE -- "$src/corpus/command_handler/notifications.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* op #3: s1 SET k1 v1 (s2)" <<<"$out"; then
  echo "FAIL: the oracle did not report the missing events (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: a subscriber that hears no events is reported as a divergence"

# MONITOR's lines are compared (their time and address masked): against a
# server without GET, the monitor of the MONITOR seed gets no line for
# s2's GET, a divergence at that command (s1 waits for a line).
oracle_without GET -- "$src/corpus/command_handler/monitor.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* s2 GET k1 (s1)" <<<"$out"; then
  echo "FAIL: the oracle did not report the missing monitor line (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: a monitor line the server does not send is reported as a divergence"

# CLIENT UNBLOCK is compared: the oracle sends the server the id of its own
# connection for the session the engine's id names (the server's ids are
# not the engine's: sent as they are, it would answer 0 and leave s2
# blocked), and an id no session has as -1. Against a server without
# CLIENT, the same program diverges at the CLIENT UNBLOCK op.
cat >"$tmp/unblock.txt" <<'PROG'
s2 BLPOP k1 0
s1 CLIENT UNBLOCK 2
s2 BLPOP k1 0
s1 CLIENT UNBLOCK 2 ERROR
s1 CLIENT UNBLOCK 9
s1 CLIENT UNBLOCK 2
PROG
oracle_without -- "$tmp/unblock.txt"
if [ "$rc" -ne 0 ] || ! grep -q "6 ops: 6 compared, 0 excluded, 0 divergences" <<<"$out"; then
  echo "FAIL: CLIENT UNBLOCK did not agree with the server (exit $rc):"; echo "$out"; exit 1
fi
oracle_without CLIENT -- "$tmp/unblock.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* op #1: s1 CLIENT UNBLOCK 2" <<<"$out"; then
  echo "FAIL: the oracle did not report a server without CLIENT UNBLOCK (exit $rc):"
  echo "$out"; exit 1
fi
echo "ok: CLIENT UNBLOCK is compared, its id sent as the server's own for the session"

# CLIENT LIST is compared, cut on each side to the sessions' lines (the
# server's also holds the oracle's admin connection), its ids sent as the
# server's own; NO-EVICT's flag shows in it; CLIENT REPLY OFF's silence is
# compared too (nothing may come from the server). Against a server without
# CLIENT, the REPLY OFF the server answers with an error is a divergence.
cat >"$tmp/clients.txt" <<'PROG'
s1 CLIENT SETNAME one
s3 CLIENT NO-EVICT on
s2 CLIENT LIST
s2 CLIENT LIST ID 1 3 9
s2 CLIENT REPLY OFF
s2 SET k v
s2 CLIENT REPLY ON
s2 GET k
PROG
oracle_without -- "$tmp/clients.txt"
# (The newer targets print more fields in CLIENT LIST: documented
# differences, and no candidate.)
agreed="8 ops: 8 compared, 0 excluded, 0 divergences"
[ "$server_target" = redis-7.0 ] || agreed="divergences: [0-9]* documented, 0 candidates"
if [ "$rc" -ne 0 ] || ! grep -q "8 ops: 8 compared, 0 excluded" <<<"$out" ||
  ! grep -q "$agreed" <<<"$out"; then
  echo "FAIL: CLIENT LIST, NO-EVICT and REPLY did not agree with the server (exit $rc):"
  echo "$out"; exit 1
fi
oracle_without CLIENT -- "$tmp/clients.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* op #4: s2 CLIENT REPLY OFF" <<<"$out"; then
  echo "FAIL: the oracle did not report a reply where the engine sends none (exit $rc):"
  echo "$out"; exit 1
fi
echo "ok: CLIENT LIST, NO-EVICT and REPLY are compared, the list cut to the sessions' lines"

# CLIENT KILL is compared when an ID filter names the connection (and no
# ADDR or LADDR a server address): the id is sent as the server's own for
# the session; a killed session's later ops are excluded as closed, a
# KILL that could reach the oracle's connections (TYPE alone) is not sent.
fixture_agrees client_kill.txt "24 ops: 18 compared, 5 excluded" "CLIENT KILL"
oracle_without CLIENT -- "$tmp/client_kill.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* op #3: s1 CLIENT KILL ID 2" <<<"$out"; then
  echo "FAIL: the oracle did not report a server without CLIENT KILL (exit $rc):"; echo "$out"
  exit 1
fi
echo "ok: CLIENT KILL by ID is compared, its id sent as the server's own for the session"

# CLIENT TRACKING (without REDIRECT or BCAST) is sent: a RESP3 session's
# invalidations are compared as the other pushes are. The oracle fails with
# the tracker's CACHING flag planted as never cleared: an invalidation comes
# that the server never sends.
fixture_agrees client_tracking.txt "50 ops: 55 compared, 2 excluded" "CLIENT TRACKING"
oracle_without -- --engine-bug caching-not-cleared "$tmp/client_tracking.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* op #34: s1 SET y 3" <<<"$out" ||
  ! grep -qF 'engine: simple("OK") >["invalidate", ["y"]]' <<<"$out"; then
  echo "FAIL: the oracle did not report a tracker that keeps CLIENT CACHING (exit $rc):"
  echo "$out"; exit 1
fi
echo "ok: CLIENT TRACKING's invalidations are compared, and a tracker bug diverges"

# CLIENT PAUSE and UNPAUSE are sent (tools/oracle_pause.h): postponed
# commands are sent and nothing may come; when the pause ends they run again
# and their replies are compared among the sessions' frames. Newer servers
# refuse CLIENT UNBLOCK of a postponed session (documented rows), after
# which the connections no longer line up. With a pause bug planted in the
# engine the oracle fails: a PUBLISH the server postpones and the engine
# answers (no reply within --io-timeout-ms), postponed INCRs given again in
# the wrong order.
pause_counts="33 ops: 32 compared, 3 excluded"
[ "$server_target" = redis-7.0 ] || pause_counts="31 ops: 26 compared, 3 excluded"
fixture_agrees client_pause.txt "$pause_counts" "CLIENT PAUSE"
oracle_without -- --io-timeout-ms 1000 --engine-bug pause-write-runs-publish \
  "$tmp/client_pause.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* op #30: s3 PUBLISH ch m1" <<<"$out" ||
  ! grep -qF 'server: (no reply in 1000 ms)' <<<"$out"; then
  echo "FAIL: the oracle did not report a PUBLISH the pause should postpone (exit $rc):"
  echo "$out"; exit 1
fi
oracle_without -- --engine-bug pause-unblocks-newest-first "$tmp/client_pause.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* op #14: s1 CLIENT UNPAUSE (s2 received)" <<<"$out"; then
  echo "FAIL: the oracle did not report postponed commands run in the wrong order (exit $rc):"
  echo "$out"; exit 1
fi
echo "ok: CLIENT PAUSE is compared: what it postpones, and the replies when it ends"

# The expired-key events of an expiry sweep (the active-expire op, a
# RANDOMKEY's draws, a SCAN) come in each side's own order: a run of them is
# compared in key order (tools/oracle_frames.h; without it this program
# diverged at all three, 2026-11-29).
fixture_agrees expired_events_sweep.txt "22 ops: 25 compared, 0 excluded" "expired events"
echo "ok: an expiry sweep's events are compared in key order"

# A session's SYNC or PSYNC (the harness's engine-only ops, so fuzzed
# corpora hold them) is not sent: its reply is an RDB payload and then the
# replication stream, no RESP value. The session's later ops still compare.
cat >"$tmp/sync.txt" <<'PROG'
s1 SET a 1
s2 SYNC
s2 GET a
s1 PSYNC ? -1
s1 GET a
PROG
oracle_without -- "$tmp/sync.txt"
if [ "$rc" -ne 0 ] || ! grep -q "5 ops: 3 compared, 2 excluded" <<<"$out"; then
  echo "FAIL: a session's SYNC or PSYNC was not left out (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: a session's SYNC and PSYNC are not sent, and its later ops compare"

# ACL cannot leak from one program to the next: the oracle puts ACL back as
# the server starts before every program. Planted: the default user without
# ECHO and every channel, and a user of its own, left on the server before
# the run; the seed's ECHO and pub/sub ops must agree all the same, and the
# server must end with the default user alone, with every permission:
# as ACL LIST showed it before the planting (each target writes its fresh
# default user its own way: redis 8.0 adds sanitize-payload).
start_server --enable-debug-command local
fresh=$("$redis_cli_bin" -p "$port" ACL LIST)
if ! grep -qx 'user default on nopass .*+@all' <<<"$fresh" || [ "$(wc -l <<<"$fresh")" -ne 1 ]; then
  stop_server; echo "FAIL: a fresh server's ACL LIST is not the default user alone: $fresh"; exit 1
fi
"$redis_cli_bin" -p "$port" ACL SETUSER default -echo resetchannels >/dev/null
"$redis_cli_bin" -p "$port" ACL SETUSER leftover on nopass +@all >/dev/null
out=$("$cli" oracle command_handler --server "127.0.0.1:$port" \
  "$src/corpus/command_handler/connection.txt" "$src/corpus/command_handler/pubsub.txt")
rc=$?
users=$("$redis_cli_bin" -p "$port" ACL LIST)
stop_server
if [ "$rc" -ne 0 ] || [ "$users" != "$fresh" ]; then
  echo "FAIL: ACL left on the server reached the programs (exit $rc; ACL LIST: $users):"
  echo "$out"; exit 1
fi
echo "ok: ACL left on the server is put back before every program"

# Keys cannot leak from one program to the next either, even when a program
# leaves min-replicas-to-write set: the server then refuses every write,
# FLUSHALL too, so the oracle puts the parameters back before it flushes.
# Planted: the first program sets it inside MULTI and leaves k1; the second
# reads k1 and KEYS, which must find nothing.
cat >"$tmp/noreplicas1.txt" <<'PROG'
s1 SET k1 v
s1 MULTI
s1 CONFIG SET min-replicas-to-write 1
s1 SET k2 v
s1 EXEC
s1 SET k3 v
PROG
cat >"$tmp/noreplicas2.txt" <<'PROG'
s1 GET k1
s1 KEYS *
s1 SET k1 x
PROG
oracle_without -- "$tmp/noreplicas1.txt" "$tmp/noreplicas2.txt"
if [ "$rc" -ne 0 ] || ! grep -q "2 programs, 9 ops: 9 compared, 0 excluded, 0 divergences" <<<"$out"; then
  echo "FAIL: a program's keys reached the next past min-replicas-to-write (exit $rc):"
  echo "$out"; exit 1
fi
echo "ok: min-replicas-to-write left set does not keep a program's keys for the next"

# UNSUBSCRIBE (and PUNSUBSCRIBE) with no channel confirm each channel in the
# server's dict order, which its per-process hash seed sets: with eight
# channels the engine's order is almost never the server's, and the oracle
# must still agree (the same channels, the same falling counts).
cat >"$tmp/unsuball.txt" <<'PROG'
s1 SUBSCRIBE c1 c2 c3 c4 c5 c6 c7 c8
s1 PSUBSCRIBE p1* p2* p3* p4* p5* p6* p7* p8*
s1 UNSUBSCRIBE
s1 PUNSUBSCRIBE
s2 HELLO 3
s2 SUBSCRIBE c1 c2 c3 c4 c5 c6 c7 c8
s2 UNSUBSCRIBE
PROG
oracle_without -- "$tmp/unsuball.txt"
# (HELLO's own reply differs on the newer targets: a documented difference.)
if [ "$rc" -ne 0 ] || ! grep -q "7 ops: 7 compared, 0 excluded" <<<"$out" ||
  grep -q "^DIVERGENCE .*UNSUBSCRIBE" <<<"$out"; then
  echo "FAIL: UNSUBSCRIBE of every channel diverged on the server's dict order (exit $rc):"
  echo "$out"; exit 1
fi
echo "ok: UNSUBSCRIBE and PUNSUBSCRIBE of every channel agree whatever the server's order"

# The slow log (compared against redis-server 7.0.15 only: a newer server's
# SLOWLOG ops are excluded): nothing leaks from one program to the next (the oracle
# empties the server's log and counts its ids from the server's next one),
# and the masked comparison can still fail. The first program leaves the
# server logging every call and its log full; the second must agree. Against
# a server whose CLIENT is disabled, the names the seed sets never reach the
# log: its SLOWLOG GET replies must diverge.
if [ "$server_target" = redis-7.0 ]; then
cat >"$tmp/slowlog1.txt" <<'PROG'
s1 CONFIG SET slowlog-log-slower-than 0
s1 SET k1 v1
s2 GET k1
PROG
cat >"$tmp/slowlog2.txt" <<'PROG'
s1 SLOWLOG LEN
s1 SLOWLOG GET
s1 CONFIG SET slowlog-log-slower-than 0
s2 SET k1 v1
s1 SLOWLOG GET -1
s1 SLOWLOG LEN
PROG
oracle_without -- "$tmp/slowlog1.txt" "$tmp/slowlog2.txt" "$tmp/slowlog2.txt"
if [ "$rc" -ne 0 ] || ! grep -q "3 programs, 15 ops: 15 compared, 0 excluded, 0 divergences" <<<"$out"; then
  echo "FAIL: the slow log leaked from one program to the next (exit $rc):"; echo "$out"; exit 1
fi
echo "ok: the slow log is emptied and its ids counted afresh for every program"
oracle_without CLIENT -- "$src/corpus/command_handler/slowlog.txt"
if [ "$rc" -ne 1 ] || ! grep -q "^DIVERGENCE .* s1 SLOWLOG GET" <<<"$out"; then
  echo "FAIL: the oracle did not report the slow log without CLIENT's names (exit $rc):"
  echo "$out"; exit 1
fi
echo "ok: a slow log without the names a seed set is reported as a divergence"
fi

start_server --enable-debug-command local
echo "$(server_describe) on 127.0.0.1:$port"

inputs=("$src/corpus/command_handler")
[ -d "$src/tests/regressions/command_handler" ] && inputs+=("$src/tests/regressions/command_handler")
"$cli" oracle command_handler --server "127.0.0.1:$port" --streams --json "$tmp/report.json" "${inputs[@]}"
rc=$?
if [ "$rc" -ne 0 ]; then echo "FAIL: oracle exit $rc"; exit 1; fi
python3 - "$tmp/report.json" "$server_family" "$server_version" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
family, version = sys.argv[2], sys.argv[3]
assert r["compared"] > 0, "nothing was compared"
assert (r["server_family"], r["server_version"]) == (family, version), (r["server_family"], r["server_version"])
if (family, version) == ("redis", "7.0.15"):
    assert r["agreement_percent"] == 100.0 and not r["divergences"], r["divergences"][:3]
    # --streams: the replication streams of the programs it applies to.
    assert r["streams_compared"] > 0 and r["streams_agreed"] == r["streams_compared"], r
    print(f"oracle: {r['programs']} programs, {r['compared']} ops compared, 100% agreement, "
          f"{r['streams_compared']} replication streams alike, "
          f"{len(r['excluded'])} excluded")
else:
    # Another server: every divergence is a documented version difference.
    left = [d for d in r["divergences"] if not d["documented_by"]]
    assert r["candidates"] == 0 and not left, left[:3]
    groups = ", ".join(f"{c} {g['count']} ({', '.join(g['documented'])})" for c, g in r["groups"].items())
    print(f"oracle: {r['programs']} programs, {r['compared']} ops compared, "
          f"{len(r['divergences'])} divergences, every one documented: {groups or 'none'}")
PY
if [ "$server_target" != redis-7.0 ]; then
  # The table can fail: without it, the same run has candidates (exit 1).
  : >"$tmp/empty.tsv"
  "$cli" oracle command_handler --server "127.0.0.1:$port" --differences "$tmp/empty.tsv" \
    "${inputs[@]}" >"$tmp/bare.out" 2>&1
  rc=$?
  if [ "$rc" -ne 1 ] || ! grep -q "^  candidate: " "$tmp/bare.out"; then
    echo "FAIL: without the version differences the oracle did not report candidates (exit $rc)"
    tail -n 5 "$tmp/bare.out"; exit 1
  fi
  echo "ok: without the version differences, $(grep -c '^  candidate: ' "$tmp/bare.out") divergences are candidates (exit 1)"
fi

# The expiry-race exclusions below are the oracle's own machinery, the same
# whatever the server: they run against the default target only.
if [ "$server_target" != redis-7.0 ]; then exit 0; fi

# A slow server must not make a false divergence. slow_case NAME KEY PYCHECK
# runs $tmp/NAME.txt, whose first op stores KEY and whose second is a 4 s
# clock step. As soon as KEY exists the server is stopped for 5.5 s, so it
# runs the op after the step at least 1.5 s after the engine does, however
# late the poll saw KEY (at most 3.5 s: then the test fails, as it cannot
# know the server was stopped in time). PYCHECK reads the report.
slow_case() {
  local name=$1 key=$2 check=$3 oracle rc seen=0 start
  # KEY must appear because this program stored it: a KEY left by the runs
  # above would stop the server at once, while the oracle still waits for
  # its INFO server reply (seen once under load: exit 2, no reply).
  "$redis_cli_bin" -p "$port" flushall >/dev/null
  "$cli" oracle command_handler --server "127.0.0.1:$port" --max-sleep-ms 5000 \
    --json "$tmp/$name.json" "$tmp/$name.txt" >"$tmp/$name.out" 2>&1 &
  oracle=$!
  start=$(date +%s%N)
  while [ $(($(date +%s%N) - start)) -lt 3500000000 ]; do
    if [ "$("$redis_cli_bin" -p "$port" exists "$key" 2>/dev/null)" = 1 ]; then seen=1; break; fi
    sleep 0.01
  done
  if [ "$seen" -ne 1 ]; then
    kill "$oracle" 2>/dev/null; wait "$oracle"
    echo "FAIL: $key did not appear on the server within 3.5 s ($name)"; cat "$tmp/$name.out"; exit 1
  fi
  kill -STOP "$pid"
  sleep 5.5
  kill -CONT "$pid"
  wait "$oracle"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: the slow server made the oracle exit $rc ($name):"; cat "$tmp/$name.out"; exit 1
  fi
  python3 - "$tmp/$name.json" <<<"$check" || exit 1
}

# The GET runs after k1 has expired on the server (4.5 s) while the engine,
# at the time the op started, still has it. The op took over a second: the
# oracle must measure that and exclude the op as an expiry race, not report
# the two replies.
cat >"$tmp/slow.txt" <<'PROG'
s1 SET k1 v PX 4500
clock +4000ms
s1 GET k1
PROG
slow_case slow k1 '
import json, sys
r = json.load(open(sys.argv[1]))
races = [e for e in r["excluded"] if e["category"] == "expiry-race" and "GET k1" in e["op"]]
assert not r["divergences"] and races, (r["divergences"], r["excluded"])
print("ok: an op the stopped server ran after the key expired is excluded:", races[0]["reason"])
'

# LT compares the new expiry with the current one, each side at its own
# time: the engine computes the PEXPIRE's at the op's start (1 s before the
# current one: set, 1), the stopped server at least 1.5 s later (after it:
# not set, 0). The oracle must exclude the op, and the key's later ops, as an
# expiry race (on a loaded machine the same happens to `EXPIRE k 100`
# followed by `EXPIRE k 100 GT` within one engine millisecond).
cat >"$tmp/compare.txt" <<'PROG'
s1 SET k2 v EX 100
clock +4000ms
s1 PEXPIRE k2 95000 LT
s1 PTTL k2
PROG
slow_case compare k2 '
import json, sys
r = json.load(open(sys.argv[1]))
races = [e["op"] for e in r["excluded"] if e["category"] == "expiry-race"]
assert not r["divergences"] and len(races) == 2 and "PEXPIRE k2" in races[0], (r["divergences"], r["excluded"])
print("ok: an LT the stopped server decided later is excluded, and so is the key after it")
'

# redis-server 7.0.15's stale errno in SORT (tools/oracle_sort.h): on one
# connection, a SORT after an ERANGE fails on a weight that is a number.
# The oracle must resend it after a new connection and compare it.
"$redis_cli_bin" -p "$port" flushall >/dev/null
stale=$(printf 'RPUSH k2 1.5 0.5\nSORT k2\nRPUSH k1 1e-400\nSORT k1\nSORT k2\n' |
  "$redis_cli_bin" -p "$port" 2>&1)
if [ "$(grep -c "One or more scores can't be converted into double" <<<"$stale")" -ne 2 ]; then
  echo "FAIL: the server's stale errno did not show on one connection:"; echo "$stale"; exit 1
fi
cat >"$tmp/stale.txt" <<'PROG'
s1 RPUSH k1 1e-400
s1 SORT k1
s1 RPUSH k2 1.5 0.5
s1 SORT k2
s1 SORT_RO k2 DESC
PROG
"$cli" oracle command_handler --server "127.0.0.1:$port" --json "$tmp/stale.json" \
  "$tmp/stale.txt" >"$tmp/stale.out" 2>&1 || { echo "FAIL: stale errno case"; cat "$tmp/stale.out"; exit 1; }
python3 - "$tmp/stale.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
assert r["compared"] == 5 and not r["divergences"] and not r["excluded"], r
print("ok: a SORT the server failed by its stale errno is sent again and compared")
PY

# The whole datasets after the last op (DEBUG DIGEST on both sides) are
# compared, and the comparison can fail: a key written into db 5 from
# outside while the program's clock step is waited out changes no reply
# the program reads, only the server's dataset.
"$redis_cli_bin" -p "$port" flushall >/dev/null
cat >"$tmp/intruder.txt" <<'PROG'
s1 SET k1 v
s1 RPUSH l a b
clock +2000ms
s1 LLEN l
PROG
# with_intruder NAME CMD...: the program under the oracle (--streams, report
# $tmp/NAME.json), and once it has set k1, each CMD sent to db 5 from outside;
# the oracle must exit 1.
with_intruder() {
  local name=$1 seen=0 rc cmd
  shift
  "$cli" oracle command_handler --server "127.0.0.1:$port" --streams --json "$tmp/$name.json" \
    "$tmp/intruder.txt" >"$tmp/$name.out" 2>&1 &
  local oracle=$!
  for _ in $(seq 150); do
    if [ "$("$redis_cli_bin" -p "$port" exists k1 2>/dev/null)" = 1 ]; then seen=1; break; fi
    sleep 0.01
  done
  if [ "$seen" = 1 ]; then
    for cmd in "$@"; do
      # shellcheck disable=SC2086
      "$redis_cli_bin" -n 5 -p "$port" $cmd >/dev/null
    done
  fi
  wait "$oracle"
  rc=$?
  if [ "$seen" != 1 ] || [ "$rc" != 1 ]; then
    echo "FAIL: the $name case (k1 seen: $seen, oracle exit $rc, want 1):"; cat "$tmp/$name.out"
    exit 1
  fi
}
with_intruder intruder "set intruder x"
python3 - "$tmp/intruder.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
d = r["divergences"]
assert r["datasets_compared"] == 1 and r["datasets_agreed"] == 0, r
# The intruder's SET is in the server's replication stream too.
assert r["streams_compared"] == 1 and r["streams_agreed"] == 0, r
assert len(d) == 2 and d[0]["op"].startswith("end: DEBUG DIGEST") and r["compared"] == 3, d
assert d[1]["op"].startswith("end: the replication stream") and "intruder" in d[1]["server"], d
print("ok: a dataset the server holds beyond the engine's is a divergence at the end")
PY
# The replication streams are compared, and the comparison can fail where
# the datasets agree: the intruder sets a key and deletes it again.
"$redis_cli_bin" -p "$port" flushall >/dev/null
with_intruder intruder3 "set intruder x" "del intruder"
python3 - "$tmp/intruder3.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
d = r["divergences"]
assert r["datasets_compared"] == 1 and r["datasets_agreed"] == 1, r
assert r["streams_compared"] == 1 and r["streams_agreed"] == 0, r
assert len(d) == 1 and d[0]["op"].startswith("end: the replication stream"), d
assert "[SELECT 5] [set intruder x] [del intruder]" in d[0]["server"], d
assert "intruder" not in d[0]["engine"], d
print("ok: a replication stream with writes the engine never made is a divergence at the end")
PY
# Without the intruder the same program's datasets agree.
"$redis_cli_bin" -p "$port" flushall >/dev/null
"$cli" oracle command_handler --server "127.0.0.1:$port" --streams --json "$tmp/intruder2.json" \
  "$tmp/intruder.txt" >"$tmp/intruder2.out" 2>&1 || { echo "FAIL: the plain case"; cat "$tmp/intruder2.out"; exit 1; }
grep -q "final datasets (DEBUG DIGEST) 1 of 1 agree; replication streams 1 of 1 agree" \
  "$tmp/intruder2.out" ||
  { echo "FAIL: the plain case compared no dataset or stream"; cat "$tmp/intruder2.out"; exit 1; }
echo "ok: the same program alone ends with both datasets alike"
