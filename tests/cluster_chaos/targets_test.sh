#!/usr/bin/env bash
# targets_test.sh RESPFUZZ SOURCE_DIR: `respfuzz cluster` on every server
# target (scripts/server-target: redis-7.0, redis-8.0, valkey-9.1). Each
# target's nodes form a cluster and take one cluster-bus message, the gossip
# that aborts redis-server 7.0.15 (corpus/cluster_bus/redis7015_gossip_same_nul_name_twice.bin):
# bus-replay must see a node go down on redis-7.0 (exit 1) and none on the
# newer two (exit 0; the abort went away in 7.4); and a PING whose extension
# length is cut to 16 bits by the validation, which crashes redis 7.0.15 and
# 8.0.6 and not valkey 9.1.2 (tests/fixtures/cluster/ext_len_16bit_truncated_ping.bin);
# and a MEET counting extensions without EXT_DATA, which crashes all three
# (tests/fixtures/cluster/ext_without_flag_meet/); bus-fuzz --skip-known.
# Then the option's errors,
# each one line and exit 2: an unknown target, a program that is not there, a
# program that does not start, a program of another version than --target.
# A target whose programs are not built fails the test (scripts/setup builds
# them all).
set -uo pipefail
respfuzz=$1 src=$2
# bus-fuzz's default --corpus is corpus/cluster_bus of the source tree.
cd "$src" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
seed=$src/corpus/cluster_bus/redis7015_gossip_same_nul_name_twice.bin

# A cluster on each target, bounded: one message, no narrowing.
for target in redis-7.0 redis-8.0 valkey-9.1; do
  want=0
  [ "$target" = redis-7.0 ] && want=1
  start=$SECONDS
  timeout 60 "$respfuzz" cluster bus-replay "$seed" --sender shard-0-primary --to shard-1-primary \
    --max-trials 0 --target "$target" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" != "$want" ]; then
    fail "$target: bus-replay exit $rc, want $want: $(tail -n 3 "$tmp/err") $(tail -n 3 "$tmp/out")"
    continue
  fi
  server=$("$src/scripts/server-target" "$target")
  grep -qF "nodes: $target (" "$tmp/err" && grep -qF "$server)" "$tmp/err" ||
    fail "$target: the progress does not name the nodes' program: $(head -n 2 "$tmp/err")"
  if [ "$want" = 1 ]; then
    grep -q "CLUSTER NODES does not parse after message 1 of 1:" "$tmp/out" || fail "$target: $(cat "$tmp/out")"
  else
    grep -q "every node answered PING, its CLUSTER NODES parsing, after every message" "$tmp/out" || fail "$target: $(cat "$tmp/out")"
  fi
  echo "ok: $target: a cluster formed, the 7.0.15 gossip abort $([ "$want" = 1 ] && echo "seen" || echo "not seen") ($((SECONDS - start)) s)"
done

# One PING whose third extension's 32-bit length (0x7f000038) passes the
# validation as its low 16 bits (56): found by `bus-fuzz --seed 1 --target
# redis-8.0`, narrowed by bus-replay. The validation then steps to the next
# extension by the full length and reads 2 GB past the buffer: SIGSEGV on
# redis-server 7.0.15 (Debian's) and 8.0.6; on valkey-server 9.1.2 no node
# goes down.
ext=$src/tests/fixtures/cluster/ext_len_16bit_truncated_ping.bin
for target in redis-7.0 redis-8.0 valkey-9.1; do
  want=1
  [ "$target" = valkey-9.1 ] && want=0
  timeout 60 "$respfuzz" cluster bus-replay "$ext" --sender shard-0-primary --to shard-2-primary \
    --max-trials 0 --target "$target" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" != "$want" ]; then
    fail "$target: the truncated extension length: exit $rc, want $want: $(tail -n 3 "$tmp/out")"
  elif [ "$want" = 1 ] && ! grep -q "shard-2-primary exited with signal 11" "$tmp/out"; then
    fail "$target: the truncated extension length: $(cat "$tmp/out")"
  else
    echo "ok: $target: the truncated extension length $([ "$want" = 1 ] && echo "crashes the node (SIGSEGV)" || echo "takes no node down")"
  fi
done

# A MEET whose header counts 12851 extensions with EXT_DATA unset, after one
# other message from a known sender (found by `bus-fuzz --seed 11
# --skip-known` on all three targets, narrowed by bus-replay to these two):
# the validation skips extensions without the flag, the handler walks them
# anyway and reads past the packet. SIGSEGV in clusterProcessPingExtensions
# on every target. Whether the read past the packet reaches unmapped memory
# depends on the heap's layout: once in a fresh-clone CI run under load,
# redis-8.0's node read it and lived. So each target gets up to three fresh
# clusters and must crash in one of them.
noflag=$src/tests/fixtures/cluster/ext_without_flag_meet
for target in redis-7.0 redis-8.0 valkey-9.1; do
  for attempt in 1 2 3; do
    timeout 60 "$respfuzz" cluster bus-replay "$noflag" --max-trials 0 --target "$target" \
      >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] && break
  done
  if [ "$rc" != 1 ] || ! grep -q "shard-0-primary exited with signal 11" "$tmp/out"; then
    fail "$target: extensions without EXT_DATA: exit $rc in $attempt tries, want 1: $(tail -n 4 "$tmp/out")"
  else
    echo "ok: $target: extensions without EXT_DATA crash the node (SIGSEGV)"
  fi
done

# A PING that names the receiving node itself as its sender, with a replicaof
# the node does not know, makes the node demote itself to a replica of no node
# and drop its slots; a PONG from another primary claiming one of those slots
# then crashes it (found by `bus-fuzz --seed 12 --skip-known --target
# valkey-9.1`, narrowed to these two; the PING's unterminated name extension,
# which 8.0.6 rejects, removed): SIGSEGV in clusterUpdateSlotsConfigWith, which
# reads the slot count of the node's primary, NULL, on all three servers.
selfsender=$src/tests/fixtures/cluster/shard_mismatch_update_slots
for target in redis-7.0 redis-8.0 valkey-9.1; do
  timeout 60 "$respfuzz" cluster bus-replay "$selfsender" --max-trials 0 --target "$target" \
    >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" != 1 ] || ! grep -q "shard-2-primary exited with signal 11" "$tmp/out"; then
    fail "$target: a sender naming the receiver: exit $rc, want 1: $(tail -n 4 "$tmp/out")"
  else
    echo "ok: $target: a sender naming the receiver, then a primary claiming its slots: SIGSEGV"
  fi
done

# --skip-known holds back what the known findings match: the seed of the
# 7.0.15 gossip abort, as the whole corpus of a one-second run, is never sent.
mkdir "$tmp/gossip-corpus"
cp "$seed" "$tmp/gossip-corpus/"
timeout 60 "$respfuzz" cluster bus-fuzz --seed 1 --time 1 --batch 5 --corpus "$tmp/gossip-corpus" \
  --crash-dir "$tmp" --skip-known >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && grep -qE "not sent, known finding redis-gossip-invalid-name: [1-9]" "$tmp/out"; then
  echo "ok: --skip-known: $(grep "not sent, known finding redis-gossip" "$tmp/out")"
else
  fail "--skip-known: exit $rc: $(cat "$tmp/out") $(tail -n 3 "$tmp/err")"
fi

# --keep-going: the gossip seed alone as the corpus takes a 7.0.15 node down
# within a batch or two; the run starts a new cluster after each and goes on,
# listing every problem batch and the crash site its logs name.
# (At least one problem and a second cluster fuzzing after it: how many
# problems fit in the time depends on the machine's load.)
timeout 120 "$respfuzz" cluster bus-fuzz --seed 1 --time 20 --batch 5 --corpus "$tmp/gossip-corpus" \
  --crash-dir "$tmp" --keep-going >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 1 ] && grep -qE "^[1-9][0-9]* problem batch" "$tmp/out" &&
  grep -qF "cluster 2 ready; fuzzing" "$tmp/err" &&
  grep -qF "crash site assertion cluster.c:1179 'retval == DICT_OK' is not true:" "$tmp/out"; then
  echo "ok: --keep-going: $(grep "problem batches" "$tmp/out")"
else
  fail "--keep-going: exit $rc: $(head -c 600 "$tmp/out") $(tail -n 3 "$tmp/err")"
fi

# error_case NAME WANT-TEXT ARGS...: exit 2, one line on stderr holding WANT-TEXT.
error_case() {
  local name=$1 want=$2
  shift 2
  "$respfuzz" cluster "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  # The progress lines of a cluster being started go to stderr too: the
  # error is the last line.
  if [ "$rc" != 2 ] || ! tail -n 1 "$tmp/err" | grep -qF -- "$want"; then
    fail "$name: exit $rc, want 2 and '$want': $(cat "$tmp/err")"
  else
    echo "ok: $name: $(tail -n 1 "$tmp/err")"
  fi
}
one_line() {
  [ "$(wc -l <"$tmp/err")" = 1 ] || fail "$1: not one line: $(cat "$tmp/err")"
}
for sub in "random --seed 1" "run $src/tests/cluster_chaos/example.yaml" "bus-fuzz --seed 1 --time 1" \
  "bus-replay $seed"; do
  # shellcheck disable=SC2086
  error_case "$sub --target redis-6.2" \
    "respfuzz: cluster: unknown target 'redis-6.2' (known: redis-7.0, redis-8.0, valkey-9.1)" \
    $sub --target redis-6.2
  one_line "$sub --target redis-6.2"
  # shellcheck disable=SC2086
  error_case "$sub --server-binary missing" \
    "respfuzz: cluster: --server-binary: $tmp/no-server is not an executable file" \
    $sub --server-binary "$tmp/no-server"
  one_line "$sub --server-binary missing"
done
# A target not built: its build command is named.
mkdir "$tmp/empty-cache"
RESPFUZZ_TARGETS_CACHE=$tmp/empty-cache error_case "a target not built" \
  "valkey-9.1 is not built (no $tmp/empty-cache/valkey-9.1-" bus-fuzz --seed 1 --time 1 --target valkey-9.1
one_line "a target not built"
# A program that exits at once, and one that refuses the cluster options.
error_case "a server that does not start" "exited at start with status 1; it printed nothing" \
  bus-fuzz --seed 1 --time 1 --shards 3 --server-binary /bin/false
printf '#!/bin/sh\necho "Bad directive or wrong number of arguments" >&2\nexit 1\n' >"$tmp/refuses-server"
chmod +x "$tmp/refuses-server"
error_case "a server that refuses its options" \
  "exited at start with status 1: Bad directive or wrong number of arguments" \
  bus-replay "$seed" --server-binary "$tmp/refuses-server"
# Debian's 7.0.15 given as redis-8.0.
error_case "a program of another version" \
  "is not redis-8.0: INFO server says redis_version:7.0.15, expected 8.0.6" \
  bus-fuzz --seed 1 --time 1 --target redis-8.0 --server-binary "$("$src/scripts/server-target" redis-7.0)"
# Nothing left behind by the failed starts.
if pgrep -f "$tmp/refuses-server" >/dev/null; then fail "a refused server is still running"; fi

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
