#!/usr/bin/env bash
# serve_debug_test.sh RESPFUZZ: `respfuzz serve --enable-debug-command` over
# real sockets, beside redis-server 7.0.15 started the same way (each on a
# free loopback port, stopped on every exit path): the same replies to DEBUG
# PROTOCOL in both protocols (redis-cli --no-raw, and RESP3 with -3), the
# same DEBUG DIGEST and DIGEST-VALUE of the same data, DEBUG
# SET-ACTIVE-EXPIRE 0 keeping an expired key counted by DBSIZE until it is
# set back to 1 on both; DEBUG RELOAD, POPULATE and OBJECT alike on both;
# DEBUG LOG in serve's log and DEBUG SLEEP blocking it; the default (no)
# refuses DEBUG; a bad value for the option is one error line and exit 2;
# DEBUG SLEEP's latency events (LATENCY HISTORY, LATEST, DOCTOR, GRAPH,
# RESET) alike on both.
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
trap 'stop_server; stop_ours; rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

start_server --enable-debug-command local
mkdir -p "$tmp/ours"
start_ours "$cli" --bind 127.0.0.1 --enable-debug-command local --dir "$tmp/ours"

for proto in 2 3; do
  for type in string integer double bignum null array set map attrib push verbatim true false nosuch; do
    flag=()
    [ "$proto" = 3 ] && flag=(-3)
    theirs=$(redis-cli "${flag[@]}" --no-raw -p "$port" debug protocol "$type" 2>&1)
    mine=$(redis-cli "${flag[@]}" --no-raw -p "$ours_port" debug protocol "$type" 2>&1)
    [ "$theirs" = "$mine" ] ||
      fail "RESP$proto DEBUG PROTOCOL $type: redis-server said [$theirs], respfuzz serve [$mine]"
  done
done
echo "ok: DEBUG PROTOCOL answers as redis-server 7.0.15 in RESP2 and RESP3"

# The same data on both: the same DEBUG DIGEST and DIGEST-VALUE.
for p in "$port" "$ours_port"; do
  redis-cli -p "$p" rpush l a b 12 >/dev/null
  redis-cli -p "$p" zadd z 1.5 m 2 n -0.1 12 >/dev/null
  redis-cli -p "$p" hset h f v >/dev/null
  redis-cli -p "$p" sadd s 1 x >/dev/null
  redis-cli -p "$p" xadd st 1-1 f v >/dev/null
  redis-cli -p "$p" set e v ex 100 >/dev/null
  redis-cli -n 2 -p "$p" set other x >/dev/null
done
for what in "debug digest" "debug digest-value l z h s st e nosuch"; do
  # shellcheck disable=SC2086
  theirs=$(redis-cli -p "$port" $what 2>&1)
  # shellcheck disable=SC2086
  mine=$(redis-cli -p "$ours_port" $what 2>&1)
  [ "$theirs" = "$mine" ] || fail "$what: redis-server said [$theirs], respfuzz serve [$mine]"
done
[ "$(redis-cli -p "$ours_port" debug digest)" != 0000000000000000000000000000000000000000 ] ||
  fail "DEBUG DIGEST of a dataset is all zeros"
for p in "$port" "$ours_port"; do redis-cli -p "$p" flushall >/dev/null; done
echo "ok: DEBUG DIGEST and DIGEST-VALUE agree with redis-server 7.0.15 on every type"

# Active expiry off: the expired key stays counted (DBSIZE does not expire
# keys) well past several 100 ms cycles; back on, a cycle deletes it.
for p in "$port" "$ours_port"; do
  [ "$(redis-cli -p "$p" debug set-active-expire 0)" = OK ] || fail "SET-ACTIVE-EXPIRE 0 on port $p"
  redis-cli -p "$p" set k v px 50 >/dev/null
done
sleep 0.8
for p in "$port" "$ours_port"; do
  [ "$(redis-cli -p "$p" dbsize)" = 1 ] || fail "port $p: the expired key was deleted with active expiry off"
  redis-cli -p "$p" debug set-active-expire 1 >/dev/null
done
for p in "$port" "$ours_port"; do
  gone=""
  for _ in $(seq 50); do
    [ "$(redis-cli -p "$p" dbsize)" = 0 ] && { gone=1; break; }
    sleep 0.1
  done
  [ -n "$gone" ] || fail "port $p: active expiry back on did not delete the expired key in 5 s"
done
echo "ok: DEBUG SET-ACTIVE-EXPIRE stops and restarts active expiry on both"

# DEBUG RELOAD saves dump.rdb in the working directory and loads it back:
# the same digest after it, a hash table set of integers an intset again, the
# same DEBUG OBJECT fields past the address; POPULATE makes the same keys.
for p in "$port" "$ours_port"; do
  redis-cli -p "$p" config set set-max-intset-entries 2 >/dev/null
  redis-cli -p "$p" sadd si 1 2 3 >/dev/null
  redis-cli -p "$p" config set set-max-intset-entries 512 >/dev/null
  redis-cli -p "$p" rpush l a b c >/dev/null
  redis-cli -p "$p" debug populate 5 p 10 >/dev/null
  [ "$(redis-cli -p "$p" debug reload)" = OK ] || fail "DEBUG RELOAD on port $p"
done
[ -s "$tmp/ours/dump.rdb" ] || fail "DEBUG RELOAD left no dump.rdb in serve's --dir"
for what in "debug digest" "object encoding si" "strlen p:4" "getrange p:4 0 6"; do
  # shellcheck disable=SC2086
  theirs=$(redis-cli -p "$port" $what 2>&1)
  # shellcheck disable=SC2086
  mine=$(redis-cli -p "$ours_port" $what 2>&1)
  [ "$theirs" = "$mine" ] || fail "$what after DEBUG RELOAD: redis-server said [$theirs], respfuzz serve [$mine]"
done
theirs=$(redis-cli -p "$port" debug object l | cut -d' ' -f3-4,8-)
mine=$(redis-cli -p "$ours_port" debug object l | cut -d' ' -f3-4,8-)
[ "$theirs" = "$mine" ] || fail "DEBUG OBJECT l: redis-server said [$theirs], respfuzz serve [$mine]"
for p in "$port" "$ours_port"; do redis-cli -p "$p" flushall >/dev/null; done
echo "ok: DEBUG RELOAD, POPULATE and OBJECT agree with redis-server 7.0.15"

# DEBUG LOG writes serve's log; DEBUG SLEEP blocks the whole server: a PING
# from another connection waits for it.
redis-cli -p "$ours_port" debug log from-the-test >/dev/null
grep -q "DEBUG LOG: from-the-test" "$tmp/serve.log" || fail "DEBUG LOG did not reach serve's log"
redis-cli -p "$ours_port" debug sleep 0.6 >/dev/null &
sleeper=$!
sleep 0.1
start=$(date +%s%N)
redis-cli -p "$ours_port" ping >/dev/null
waited=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$sleeper"
[ "$waited" -ge 300 ] || fail "a PING during DEBUG SLEEP 0.6 came back after $waited ms"
echo "ok: DEBUG LOG reaches the log, DEBUG SLEEP blocks the server ($waited ms)"

# The latency monitor's events from DEBUG SLEEP: HISTORY, LATEST, DOCTOR,
# GRAPH and RESET alike on both (tests/latency_events_check.py); one sleep
# more on serve must be seen.
here=$(dirname "${BASH_SOURCE[0]}")
PYTHONPATH=$here python3 "$here/latency_events_check.py" "$port" "$ours_port" || exit 1
expect_caught "one latency event more" "FAIL: LATENCY history differs" \
  env PYTHONPATH="$here" python3 "$here/latency_events_check.py" --extra "$port" "$ours_port"

stop_ours
start_ours "$cli" --bind 127.0.0.1
said=$(redis-cli -p "$ours_port" debug protocol string 2>&1)
case $said in
  *"DEBUG command not allowed. If the enable-debug-command option is set to \"local\""*) ;;
  *) fail "the default refuses DEBUG, got [$said]" ;;
esac
echo "ok: without the option DEBUG is refused"

"$cli" serve --port 0 --enable-debug-command maybe >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ "$rc" = 2 ] || fail "a bad --enable-debug-command exited $rc, not 2"
[ "$(wc -l <"$tmp/bad.err")" = 1 ] || fail "a bad --enable-debug-command said: $(cat "$tmp/bad.err")"
grep -q "enable-debug-command" "$tmp/bad.err" || fail "the error does not name the option: $(cat "$tmp/bad.err")"
echo "ok: a bad --enable-debug-command is one error line and exit 2"

