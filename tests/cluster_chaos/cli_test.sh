#!/usr/bin/env bash
# respfuzz cluster from the command line: validate's one-line errors with the
# line number, export (deterministic, atomic), usage errors, one scenario end
# to end against a real cluster (the DSL's example, example.yaml: 3 primaries,
# a replica each, a failover with a primary killed during it: exit 0, its
# JSON log and report), and a cluster broken during a run
# (CLUSTER DELSLOTS behind the tool's back): exit 1 naming the check; Ctrl-C
# mid-run: exit 130, no node and no directory left.
set -uo pipefail
respfuzz=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
dir=$src/tests/cluster_chaos

# --help
"$respfuzz" cluster --help >"$tmp/help" 2>&1 || fail "--help exits non-zero"
grep -q "Exit 0 when every scenario passed" "$tmp/help" || fail "--help lacks the exit codes"

# validate: the example and the committed files pass.
for f in example.yaml failover.yaml seed-7.yaml; do
  "$respfuzz" cluster validate "$dir/$f" >"$tmp/out" 2>&1 || fail "validate $f: $(cat "$tmp/out")"
done

# validate: a bad file gives one line with the file and the line number, exit 2.
sed 's/shard-0-primary/shard-9-primary/' "$dir/example.yaml" >"$tmp/bad.yaml"
"$respfuzz" cluster validate "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || fail "validate bad.yaml: exit $rc, want 2"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "validate bad.yaml: not one line: $(cat "$tmp/err")"
grep -q "bad.yaml: line 6: operations\[0\].target_node: 'shard-9-primary' is not a node" "$tmp/err" ||
  fail "validate bad.yaml: $(cat "$tmp/err")"
printf 'scenario_id: "x"\ncluster: {num_shards: 3\n' >"$tmp/syntax.yaml"
"$respfuzz" cluster validate "$tmp/syntax.yaml" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "syntax.yaml: line " "$tmp/err" ||
  fail "validate syntax.yaml: exit $rc: $(cat "$tmp/err")"

# export: the same YAML every time, the committed file for seed 7; -o writes
# atomically and a failed write leaves nothing.
"$respfuzz" cluster export --seed 7 >"$tmp/a.yaml" || fail "export"
cmp -s "$tmp/a.yaml" "$dir/seed-7.yaml" || fail "export --seed 7 differs from seed-7.yaml"
"$respfuzz" cluster export --seed 123 -o "$tmp/b.yaml" || fail "export -o"
"$respfuzz" cluster export --seed 123 >"$tmp/c.yaml"
cmp -s "$tmp/b.yaml" "$tmp/c.yaml" || fail "export -o and stdout differ"
"$respfuzz" cluster validate "$tmp/b.yaml" >/dev/null || fail "an exported scenario does not validate"
"$respfuzz" cluster export --seed 1 -o "$tmp/no/such/dir/x.yaml" 2>"$tmp/err" && fail "export to a missing dir"
[ -z "$(ls "$tmp" | grep -v -E '^(a|b|c|bad|syntax)\.yaml$|^(out|err|help)$')" ] ||
  fail "stray files: $(ls "$tmp")"

# usage errors: one line, exit 2.
for args in "random" "random --seed 1 --seeds 1-2" "random --seeds 5-3" "random --seeds 1-1001" \
            "export --seed -1" "run $tmp/missing.yaml"; do
  # shellcheck disable=SC2086
  "$respfuzz" cluster $args >/dev/null 2>"$tmp/err"
  rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "'cluster $args': exit $rc: $(cat "$tmp/err")"
done

# bus-replay: usage errors and unreadable batches give one line, exit 2, before
# any cluster starts.
for args in "bus-replay $tmp/missing" "bus-replay $src/corpus/cluster_bus/ping.bin --sender node-1" \
            "bus-replay $src/corpus/cluster_bus/ping.bin --to shard-9-primary" \
            "bus-replay $src/corpus/cluster_bus/ping.bin --max-trials 501" \
            "bus-replay $src/corpus/cluster_bus"; do
  # shellcheck disable=SC2086
  "$respfuzz" cluster $args >/dev/null 2>"$tmp/err"
  rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "'cluster $args': exit $rc: $(cat "$tmp/err")"
done

# End to end: the DSL's example as it is (example.yaml: 3 primaries, a
# replica each, a manual failover of shard 0 with a primary SIGKILLed during
# it and restarted 10 s later), on free ports; passes, writes its log and
# report. The directory a run killed with SIGKILL left (its pid is gone) is
# removed.
true &
dead=$!
wait $dead
mkdir -p "$tmp/t/respfuzz-cluster-$dead-abc123" "$tmp/t/respfuzz-cluster-$$-abc123"
start=$(date +%s)
TMPDIR=$tmp/t "$respfuzz" cluster run "$dir/example.yaml" --base-port 0 --log-dir "$tmp/logs" \
  --report "$tmp/report.md" >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "end-to-end scenario: exit $rc in $(($(date +%s) - start)) s"
[ "$rc" = 0 ] || { fail "run example.yaml: exit $rc"; cat "$tmp/err"; }
grep -q "^my-test *passed" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
python3 - "$tmp/logs/my-test.json" <<'PY' || fail "the JSON log"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "passed", d["status"]
assert d["seed"] == 42
steps = d["steps"]
assert [s["type"] for s in steps] == ["failover"], steps
assert all(s["ok"] for s in steps), steps
kills = [e for e in d["chaos_events"] if e["event"] == "sigkill"]
assert len(kills) == 1 and kills[0]["role"] == "primary" and kills[0]["phase"].startswith("during"), d["chaos_events"]
assert len([e for e in d["chaos_events"] if e["event"] == "restart" and e["ok"]]) == 1
final = d["validations"][-1]
assert all(c["ok"] for c in final["checks"]), final
assert {c["check"] for c in final["checks"]} >= {"reachability", "slot_coverage", "slot_conflicts",
                                                  "convergence", "replica_sync", "replica_offsets"}
assert len(d["snapshots"]["final"]) == 6
PY
grep -q "| my-test | passed |" "$tmp/report.md" || fail "report: $(cat "$tmp/report.md")"
# The temporary directory the log names is gone.
d=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cluster"]["dir"])' \
  "$tmp/logs/my-test.json" 2>/dev/null)
[ -n "$d" ] && [ ! -e "$d" ] || fail "the cluster directory '$d' is left"
[ ! -e "$tmp/t/respfuzz-cluster-$dead-abc123" ] || fail "the orphan directory is left"
[ -e "$tmp/t/respfuzz-cluster-$$-abc123" ] || fail "a live run's directory was removed"

# A cluster broken during the run: slot 0 deleted from its owner while the
# scenario waits; the validation fails and the exit is 1. (Files of its own:
# the background run truncates them after this shell may have read them.)
base=$(python3 - <<'PY'
import socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
for base in range(23000, 29000, 97):
    if all(free(base + i) and free(base + i + 10000) for i in range(3)):
        print(base); break
PY
)
cat >"$tmp/broken.yaml" <<YAML
scenario_id: "broken"
cluster: {num_shards: 3, replicas_per_shard: 0, node_timeout: 2000}
operations:
  - type: "write"
    target_node: "shard-0-primary"
    parameters: {keys: 1, wait: false}
    timing: {delay_before: 3.0, timeout: 1.0}
validation: {check_data_consistency: false}
YAML
"$respfuzz" cluster run "$tmp/broken.yaml" --base-port "$base" --convergence-timeout 1 \
  >"$tmp/broken.out" 2>"$tmp/broken.err" &
runner=$!
for _ in $(seq 300); do
  grep -q "cluster ready" "$tmp/broken.err" 2>/dev/null && break
  sleep 0.1
done
redis-cli -p "$base" cluster delslots 0 >/dev/null
wait $runner
rc=$?
[ "$rc" = 1 ] || { fail "broken run: exit $rc, want 1"; cat "$tmp/broken.err"; }
grep -q "FAIL slot_coverage: shard-0-primary sees no owner for slots 0-0" "$tmp/broken.err" ||
  fail "broken run: $(grep FAIL "$tmp/broken.err")"
grep -q "^broken *failed" "$tmp/broken.out" || fail "broken summary: $(cat "$tmp/broken.out")"

# Ctrl-C mid-run: SIGINT to the tool while its scenario waits; it exits 130,
# every redis-server it started is gone and its temporary directory too.
cat >"$tmp/sigint.yaml" <<YAML
scenario_id: "sigint"
cluster: {num_shards: 3, replicas_per_shard: 1, node_timeout: 2000}
operations:
  - type: "write"
    target_node: "shard-0-primary"
    parameters: {keys: 10}
    timing: {delay_before: 30.0, timeout: 5.0}
YAML
mkdir -p "$tmp/sig"
TMPDIR=$tmp/sig "$respfuzz" cluster run "$tmp/sigint.yaml" --base-port 0 \
  >"$tmp/sigint.out" 2>"$tmp/sigint.err" &
runner=$!
for _ in $(seq 300); do
  grep -q "cluster ready" "$tmp/sigint.err" 2>/dev/null && break
  sleep 0.1
done
cdir=$(ls -d "$tmp/sig/respfuzz-cluster-$runner-"* 2>/dev/null)
# The nodes: every process whose working directory is in the cluster's.
nodes=()
for p in /proc/[0-9]*; do
  case $(readlink "$p/cwd" 2>/dev/null) in "$cdir"/*) nodes+=("${p#/proc/}") ;; esac
done
[ -n "$cdir" ] && [ "${#nodes[@]}" = 6 ] ||
  fail "sigint: before SIGINT: directory '$cdir', ${#nodes[@]} nodes (want 6): $(cat "$tmp/sigint.err")"
kill -INT "$runner"
wait "$runner"
rc=$?
[ "$rc" = 130 ] || { fail "sigint: exit $rc, want 130"; cat "$tmp/sigint.err"; }
gone=1
for _ in $(seq 50); do
  gone=1
  for p in "${nodes[@]}"; do
    # A zombie is gone too (its parent, the tool, has exited; init reaps it).
    if [ -e "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]; then gone=0; fi
  done
  [ "$gone" = 1 ] && break
  sleep 0.1
done
[ "$gone" = 1 ] || fail "sigint: nodes still running: $(for p in "${nodes[@]}"; do [ -e "/proc/$p" ] && tr '\0' ' ' <"/proc/$p/cmdline" && echo; done)"
[ -n "$cdir" ] && [ ! -e "$cdir" ] || fail "sigint: the cluster directory '$cdir' is left"
[ -z "$(ls "$tmp/sig")" ] || fail "sigint: left in TMPDIR: $(ls "$tmp/sig")"

# bus-fuzz: a node that dies is reported (here killed from outside, unless a
# message kills one first), the batch before it saved in the cluster_bus input
# format with the nodes' logs; exit 1.
mkdir -p "$tmp/crash"
"$respfuzz" cluster bus-fuzz --seed 3 --time 60 --batch 5 --corpus "$src/corpus/cluster_bus" \
  --crash-dir "$tmp/crash" >"$tmp/bus.out" 2>"$tmp/bus.err" &
runner=$!
for _ in $(seq 300); do
  grep -q "cluster ready" "$tmp/bus.err" 2>/dev/null && break
  sleep 0.1
done
port=$(grep -o 'starting 3 nodes on 127.0.0.1:[0-9]*' "$tmp/bus.err" | grep -o '[0-9]*$')
victim=$(redis-cli -p "$((port + 1))" info server 2>/dev/null | tr -d '\r' | grep '^process_id:' | cut -d: -f2)
sleep 1
[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
wait $runner
rc=$?
[ "$rc" = 1 ] || { fail "bus-fuzz: exit $rc, want 1"; cat "$tmp/bus.err" "$tmp/bus.out"; }
grep -q "^PROBLEM: shard-[0-2]-primary" "$tmp/bus.out" || fail "bus-fuzz: $(cat "$tmp/bus.out")"
saved=$(sed -n 's|^the batch before it: \(.*\)/$|\1|p' "$tmp/bus.out")
[ -d "$saved" ] && [ "$(ls "$saved"/*.bin | wc -l)" = 5 ] && [ "$(ls "$saved"/*.log | wc -l)" = 3 ] ||
  fail "bus-fuzz: saved batch '$saved': $(ls "$saved" 2>&1)"
for f in "$saved"/*.bin; do
  [ "$(head -c1 "$f" | od -An -tx1 | tr -d ' ')" = 00 ] || fail "bus-fuzz: $f lacks the flags byte"
done

[ "$fails" = 0 ] && echo "PASS" || { echo "$fails failures"; exit 1; }
