#!/usr/bin/env bash
# bench/serve_scale.sh: `respfuzz serve` under scale (connections, keyspace,
# value size, memory per key), side by side with redis-server in one run.
# Not a test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
me=serve_scale

usage() {
  cat <<'EOF'
usage: bench/serve_scale.sh [options]

Starts redis-server (--save '' --appendonly no) and `respfuzz serve` on free
127.0.0.1 ports and measures both in the same run:

  keyspace   SET and GET with KEY_VALUE-byte values, for each -c in
             CONNECTIONS x each -r in KEYSPACES
  values     SET and GET for each -d in VALUE_SIZES x each -c in CONNECTIONS,
             at -r VALUE_KEYSPACE
  memory     fresh servers per cell: fill N keys of BYTES-byte values the same
             way in both, then (RSS after - RSS before) / N

Before each keyspace/value group both servers are emptied (FLUSHALL) and
filled with every key of the group (key:000000000000 .. as redis-benchmark
names them, values of 'x'), so GETs hit and SETs overwrite. Each cell runs
  redis-benchmark -h 127.0.0.1 -p PORT -t TEST -n REQUESTS -c C -r K -d D -P PIPELINE --csv
against each server ROUNDS times, alternating which goes first, and reports
the medians of requests/s, p50 and p99 latency, and each server's CPU time
per request (all its threads, /proc/PID/task/*/schedstat, read around each
run; steadier than requests/s on a shared machine). Goals: respfuzz at least
0.9x redis-server's requests/s, and at most 1.5x its memory per key.

  --parts LIST          any of keyspace,values,memory (default all three)
  --connections LIST    -c values (default 1,50,1000)
  --keyspaces LIST      -r values of the keyspace part (default 1000,100000,1000000)
  --key-value BYTES     -d of the keyspace part (default 1024)
  --value-sizes LIST    -d values of the values part (default 1024,10240,102400)
  --value-keyspace N    -r of the values part (default 10000: 10,000 x 100 KB
                        is about 1 GiB per server)
  --memory LIST         N:BYTES cells of the memory part (default
                        1000:1024,100000:1024,1000000:1024,1000000:100,1000000:10,10000:10240,10000:102400)
  --tests LIST          set,get or one of them (default set,get)
  -n N                  requests per redis-benchmark run (default 100000;
                        at least the largest -c)
  -P N                  pipeline depth (default 1: no pipelining)
  --rounds N            runs per server and cell; medians (default 3)
  --timeout SECONDS     limit for each redis-benchmark run and each fill
                        (default 600); a run past it fails the script
  --markdown FILE       also write the tables as Markdown to FILE
  --pin                 pin the servers to CPU 1 and redis-benchmark and the
                        fills to CPU 0 (taskset)
  --target NAME         the real server: redis-7.0 (default, Debian's
                        redis-server), redis-8.0 or valkey-9.1
                        (scripts/server-target); redis-benchmark stays Debian's
  --bin PATH            the respfuzz binary (default: build/release/tools/respfuzz,
                        built with the release preset first)
  -h, --help            this text

Connections need descriptors: the script raises its soft `ulimit -n` (it
fails if the hard limit is too low) and starts redis-server with a maxclients
above the largest -c. Both servers are stopped on exit, on error and on
Ctrl-C. The memory the servers need is about 1.3 x keys x bytes each, both at
once: check it fits before raising --keyspaces or --value-keyspace.
EOF
}

die() {
  echo "$me: $*" >&2
  exit 2
}

parts=keyspace,values,memory
connections=1,50,1000
keyspaces=1000,100000,1000000
key_value=1024
value_sizes=1024,10240,102400
value_keyspace=10000
memory=1000:1024,100000:1024,1000000:1024,1000000:100,1000000:10,10000:10240,10000:102400
tests=set,get
requests=100000
pipeline=1
rounds=3
target=redis-7.0
run_timeout=600
markdown=
pin=0
bin=
argv_text="bench/serve_scale.sh${*:+ $*}"
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --parts | --connections | --keyspaces | --key-value | --value-sizes | --value-keyspace | \
      --memory | --tests | -n | -P | --rounds | --timeout | --markdown | --bin | --target)
      [ $# -ge 2 ] || die "$1 needs a value (see --help)"
      case $1 in
        --parts) parts=$2 ;;
        --connections) connections=$2 ;;
        --keyspaces) keyspaces=$2 ;;
        --key-value) key_value=$2 ;;
        --value-sizes) value_sizes=$2 ;;
        --value-keyspace) value_keyspace=$2 ;;
        --memory) memory=$2 ;;
        --tests) tests=$2 ;;
        -n) requests=$2 ;;
        -P) pipeline=$2 ;;
        --rounds) rounds=$2 ;;
        --timeout) run_timeout=$2 ;;
        --markdown) markdown=$2 ;;
        --bin) bin=$2 ;;
        --target) target=$2 ;;
      esac
      shift
      ;;
    --pin) pin=1 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

# Counts are positive decimals without leading zeros, at most 9 digits (no
# overflow in shell arithmetic, and nothing a machine could hold beyond it).
is_count() { [[ $1 =~ ^[1-9][0-9]{0,8}$ ]]; }
check_list() { # NAME LIST
  local v
  [[ $2 =~ ^[^,]+(,[^,]+)*$ ]] || die "$1 '$2' is not a comma-separated list"
  IFS=, read -r -a _items <<<"$2"
  for v in "${_items[@]}"; do is_count "$v" || die "$1: '$v' is not a positive integer"; done
}
check_list --connections "$connections"
check_list --keyspaces "$keyspaces"
check_list --value-sizes "$value_sizes"
for pair in "-n:$requests" "-P:$pipeline" "--rounds:$rounds" "--timeout:$run_timeout" \
  "--key-value:$key_value" "--value-keyspace:$value_keyspace"; do
  is_count "${pair#*:}" || die "${pair%%:*}: '${pair#*:}' is not a positive integer"
done
[[ $parts =~ ^(keyspace|values|memory)(,(keyspace|values|memory))*$ ]] ||
  die "--parts '$parts': a list of keyspace, values, memory"
[[ $tests =~ ^(set|get)(,(set|get))*$ ]] || die "--tests '$tests': set, get or set,get"
[[ $memory =~ ^[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*$ ]] ||
  die "--memory '$memory' is not a list of N:BYTES"
IFS=, read -r -a memory_cells <<<"$memory"
for cell in "${memory_cells[@]}"; do
  is_count "${cell%%:*}" && is_count "${cell#*:}" || die "--memory: '$cell' needs positive N and BYTES"
done
IFS=, read -r -a conn_list <<<"$connections"
IFS=, read -r -a keyspace_list <<<"$keyspaces"
IFS=, read -r -a size_list <<<"$value_sizes"
IFS=, read -r -a test_list <<<"$tests"
max_conn=0
for c in "${conn_list[@]}"; do [ "$c" -gt "$max_conn" ] && max_conn=$c; done
[ "$requests" -ge "$max_conn" ] || die "-n $requests is below the largest -c ($max_conn)"
has_part() { [[ ,$parts, == *,$1,* ]]; }
if [ -n "$markdown" ]; then
  md_dir=$(dirname -- "$markdown")
  [ -d "$md_dir" ] && [ -w "$md_dir" ] || die "--markdown: cannot write in '$md_dir'"
fi
for tool in redis-benchmark redis-cli python3 timeout; do
  command -v "$tool" >/dev/null ||
    die "$tool not found (scripts/setup installs redis-server, redis-tools and python3)"
done
if [ "$pin" -eq 1 ]; then
  command -v taskset >/dev/null || die "--pin needs taskset (util-linux)"
  [ "$(nproc)" -ge 2 ] || die "--pin needs 2 CPUs"
fi

# Descriptors: each server holds max_conn client sockets, redis-benchmark as
# many. redis-server wants maxclients + 32 descriptors (its reserve).
maxclients=$((max_conn + 64))
[ "$maxclients" -lt 10000 ] && maxclients=10000 # redis-server's default, as respfuzz's
need_fds=$((maxclients + 32 + 64))
hard=$(ulimit -Hn)
soft=$(ulimit -Sn)
if [ "$soft" != unlimited ] && [ "$soft" -lt "$need_fds" ]; then
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need_fds" ]; then
    # Fewer descriptors: enough for the connections, with redis-server's
    # maxclients lowered to fit.
    need_fds=$((max_conn + 64 + 32 + 64))
    [ "$hard" -ge "$need_fds" ] ||
      die "-c $max_conn needs 'ulimit -n' of at least $need_fds, and the hard limit is $hard"
    maxclients=$((hard - 32 - 64))
    need_fds=$hard
  fi
  ulimit -Sn "$need_fds" || die "cannot raise 'ulimit -n' to $need_fds"
fi

if [ -z "$bin" ]; then
  echo "building respfuzz (release preset)..." >&2
  (cd "$root" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target respfuzz -j2 >/dev/null) ||
    die "the release build of respfuzz failed"
  bin=$root/build/release/tools/respfuzz
fi
[ -x "$bin" ] || die "$bin is not an executable"

server_cpu=()
bench_cpu=()
if [ "$pin" -eq 1 ]; then
  server_cpu=(taskset -c 1)
  bench_cpu=(taskset -c 0)
fi

tmp=$(mktemp -d)
. "$root/bench/servers.sh"
cleanup() {
  stop_servers
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "$me: interrupted" >&2; exit 130' INT TERM

# Resident set size of a process, in bytes.
rss_bytes() {
  awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}

# fill PORT N BYTES: FLUSHALL, then SET key:%012d (i < N) to BYTES x 'x', the
# keys redis-benchmark's -r N picks from, through redis-cli --pipe.
fill() {
  redis-cli -p "$1" FLUSHALL >/dev/null || fail "FLUSHALL on port $1 failed"
  local out=$tmp/fill.out rc=0
  "${bench_cpu[@]}" timeout "$run_timeout" python3 "$tmp/fill.py" "$2" "$3" |
    "${bench_cpu[@]}" timeout "$run_timeout" redis-cli -h 127.0.0.1 -p "$1" --pipe >"$out" 2>&1 ||
    rc=$?
  if [ "$rc" -ne 0 ] || ! grep -q "^errors: 0, replies: $2\$" "$out"; then
    fail "filling $2 keys of $3 bytes on port $1 failed (exit $rc): $(tail -1 "$out")"
  fi
  local size
  size=$(redis-cli -p "$1" DBSIZE)
  [ "$size" = "$2" ] || fail "port $1 holds $size keys after the fill, not $2"
}

# bench NAME PORT PID PART TEST C K D ROUND: one redis-benchmark run; appends
# "PART TEST C K D NAME ROUND rps p50 p99 cpu-ns-per-request" to $tmp/runs.
bench() {
  local name=$1 port=$2 pid=$3 part=$4 test=$5 c=$6 k=$7 d=$8 round=$9
  local out=$tmp/bench.out err=$tmp/bench.err rc=0 before after
  before=$(cpu_ns "$pid")
  "${bench_cpu[@]}" timeout "$run_timeout" redis-benchmark -h 127.0.0.1 -p "$port" -t "$test" \
    -n "$requests" -c "$c" -r "$k" -d "$d" -P "$pipeline" --csv >"$out" 2>"$err" || rc=$?
  after=$(cpu_ns "$pid")
  [ "$rc" -ne 124 ] || fail "$name -t $test -c $c -r $k -d $d: past --timeout $run_timeout s"
  if [ "$rc" -ne 0 ] || grep -qiE 'error|warning' "$err" "$out"; then
    fail "$name -t $test -c $c -r $k -d $d (exit $rc): $(cat "$err" "$out" |
      grep -iE 'error|warning' | head -1)"
  fi
  # "SET","rps","avg","min","p50","p95","p99","max"
  local line
  line=$(awk -F'"' -v t="${test^^}" '$2 == t { print $4, $10, $14 }' "$out")
  [ -n "$line" ] || fail "$name -t $test: no CSV line for ${test^^} in redis-benchmark's output"
  echo "$part $test $c $k $d $name $round $line $(((after - before) / requests))" >>"$tmp/runs"
}

# One group: fill both servers with K keys of D bytes, then every connection
# count and test, ROUNDS times each, alternating which server goes first.
group() {
  local part=$1 k=$2 d=$3 c t r
  echo "$part: filling $k keys of $d bytes in both servers..." >&2
  fill "$redis_port" "$k" "$d"
  fill "$respfuzz_port" "$k" "$d"
  local filled="$(rss_bytes "$redis_pid") $(rss_bytes "$respfuzz_pid")"
  for c in "${conn_list[@]}"; do
    for t in "${test_list[@]}"; do
      for r in $(seq "$rounds"); do
        if [ $((r % 2)) -eq 1 ]; then
          bench redis "$redis_port" "$redis_pid" "$part" "$t" "$c" "$k" "$d" "$r"
          bench respfuzz "$respfuzz_port" "$respfuzz_pid" "$part" "$t" "$c" "$k" "$d" "$r"
        else
          bench respfuzz "$respfuzz_port" "$respfuzz_pid" "$part" "$t" "$c" "$k" "$d" "$r"
          bench redis "$redis_port" "$redis_pid" "$part" "$t" "$c" "$k" "$d" "$r"
        fi
      done
      echo "$part: -r $k -d $d -c $c -t $t done" >&2
    done
  done
  # What the connections' buffers add on top of the keys.
  echo "$part $k $d $filled $(rss_bytes "$redis_pid") $(rss_bytes "$respfuzz_pid")" >>"$tmp/groups"
}

# The fill's request stream: N pipelined SETs (argv N BYTES).
cat >"$tmp/fill.py" <<'EOF'
import sys

n, d = int(sys.argv[1]), int(sys.argv[2])
tail = b"\r\n$%d\r\n" % d + b"x" * d + b"\r\n"
out = sys.stdout.buffer
batch = []
for i in range(n):
    batch.append(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d" % i + tail)
    if len(batch) == 1024:
        out.write(b"".join(batch))
        batch.clear()
out.write(b"".join(batch))
EOF

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load before: $load_before (1/5/15 min), $(nproc) CPUs" >&2
: >"$tmp/runs"
: >"$tmp/memory"
: >"$tmp/groups"

if has_part keyspace || has_part values; then
  start_servers --maxclients "$maxclients"
  if has_part keyspace; then
    for k in "${keyspace_list[@]}"; do group keyspace "$k" "$key_value"; done
  fi
  if has_part values; then
    for d in "${size_list[@]}"; do group values "$value_keyspace" "$d"; done
  fi
  stop_servers
fi

if has_part memory; then
  for cell in "${memory_cells[@]}"; do
    n=${cell%%:*}
    d=${cell#*:}
    start_servers --maxclients "$maxclients"
    sleep 0.5
    rb=$(rss_bytes "$redis_pid")
    fb=$(rss_bytes "$respfuzz_pid")
    echo "memory: filling $n keys of $d bytes in fresh servers..." >&2
    fill "$redis_port" "$n" "$d"
    fill "$respfuzz_port" "$n" "$d"
    sleep 1 # the fill client's buffers are released
    ra=$(rss_bytes "$redis_pid")
    fa=$(rss_bytes "$respfuzz_pid")
    echo "$n $d $rb $ra $fb $fa" >>"$tmp/memory"
    stop_servers
  done
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load after: $load_after" >&2

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit (with uncommitted changes)"
fi

# The tables: plain text (FORMAT=text) or Markdown (FORMAT=md).
report() {
  awk -v fmt="$1" -v rounds="$rounds" -v reqs="$requests" -v pipeline="$pipeline" '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function human(n) {
      if (n >= 1000000 && n % 1000000 == 0) return (n / 1000000) "M"
      if (n >= 1000 && n % 1000 == 0) return (n / 1000) "k"
      return n
    }
    function bytes(n) {
      if (n >= 1024 && n % 1024 == 0) return (n / 1024) " KB"
      return n " B"
    }
    function row(cells, widths,   i, s, n, fld, w) {
      n = split(cells, fld, "|")
      if (fmt == "md") {
        s = "|"
        for (i = 1; i <= n; i++) s = s " " fld[i] " |"
        print s
      } else {
        s = ""
        split(widths, w, " ")
        for (i = 1; i <= n; i++) s = s sprintf(i <= 4 ? "%-" w[i] "s " : "%" w[i] "s ", fld[i])
        print s
      }
    }
    FILENAME ~ /runs$/ {
      key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4 SUBSEP $5
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      rps[key, $6] = rps[key, $6] " " $8
      p50[key, $6] = p50[key, $6] " " $9
      p99[key, $6] = p99[key, $6] " " $10
      cpu[key, $6] = cpu[key, $6] " " $11
      next
    }
    FILENAME ~ /memory$/ { mem[++m] = $0; next }
    FILENAME ~ /groups$/ { grp[++g] = $0 }
    END {
      widths = "9 4 5 6 10 10 6 13 13 13 5"
      for (part = 1; part <= 2; part++) {
        name = part == 1 ? "keyspace" : "values"
        any = 0
        for (i = 1; i <= n; i++) { split(order[i], k, SUBSEP); if (k[1] == name) any = 1 }
        if (!any) continue
        print ""
        if (fmt == "md") {
          print (name == "keyspace" ? "**Connections x keyspace**" : "**Value size x connections**") \
            sprintf(" (redis-benchmark -n %d -P %d --csv, median of %d rounds; latency in ms; CPU: each server'"'"'s CPU time per request)", reqs, pipeline, rounds)
          print ""
          row("test|-c|-r|-d|redis-server req/s|respfuzz req/s|ratio|p50 redis / respfuzz|p99 redis / respfuzz|CPU ns/req redis / respfuzz|goal")
          row("---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---")
        } else {
          printf "%s (redis-benchmark -n %d -P %d, median of %d rounds; latency ms)\n", name, reqs, pipeline, rounds
          row("test|-c|-r|-d|redis req/s|respfuzz|ratio|p50 r/f|p99 r/f|CPU ns r/f|goal", widths)
        }
        for (i = 1; i <= n; i++) {
          key = order[i]
          split(key, k, SUBSEP)
          if (k[1] != name) continue
          r = median(rps[key, "redis"]); f = median(rps[key, "respfuzz"])
          ratio = r > 0 ? f / r : 0
          goal = ratio >= 0.9 ? "met" : "MISS"
          if (ratio < 0.9) misses++
          row(sprintf("%s|%d|%s|%s|%.0f|%.0f|%.2fx|%.3f / %.3f|%.3f / %.3f|%.0f / %.0f|%s", toupper(k[2]), k[3], human(k[4]), bytes(k[5]),
                      r, f, ratio, median(p50[key, "redis"]), median(p50[key, "respfuzz"]),
                      median(p99[key, "redis"]), median(p99[key, "respfuzz"]),
                      median(cpu[key, "redis"]), median(cpu[key, "respfuzz"]), goal), widths)
        }
      }
      if (g > 0) {
        print ""
        widths = "9 5 6 15 15"
        if (fmt == "md") {
          print "**Server RSS per group** (MiB, after the fill / after every run of the group; no goal: what the connections'"'"' buffers add)"
          print ""
          row("part|-r|-d|redis-server|respfuzz")
          row("---|---:|---:|---:|---:")
        } else {
          print "server RSS per group (MiB, after the fill / after the runs)"
          row("part|-r|-d|redis|respfuzz", widths)
        }
        for (i = 1; i <= g; i++) {
          split(grp[i], v, " ")
          row(sprintf("%s|%s|%s|%.0f / %.0f|%.0f / %.0f", v[1], human(v[2]), bytes(v[3]), v[4] / 1048576,
                      v[6] / 1048576, v[5] / 1048576, v[7] / 1048576), widths)
        }
      }
      if (m > 0) {
        print ""
        widths = "9 8 10 10 6 12 12 5"
        if (fmt == "md") {
          print "**Memory per key** (fresh servers, RSS after the fill - RSS before, / keys)"
          print ""
          row("keys|value|redis-server B/key|respfuzz B/key|ratio|redis-server MiB per 1M keys|respfuzz MiB per 1M keys|goal")
          row("---:|---:|---:|---:|---:|---:|---:|---")
        } else {
          print "memory per key (fresh servers, (RSS after fill - RSS before) / keys)"
          row("keys|value|redis B/key|respfuzz B/key|ratio|redis MiB/1M|respfuzz MiB/1M|goal", widths)
        }
        for (i = 1; i <= m; i++) {
          split(mem[i], v, " ")
          r = (v[4] - v[3]) / v[1]; f = (v[6] - v[5]) / v[1]
          ratio = r > 0 ? f / r : 0
          goal = ratio <= 1.5 ? "met" : "MISS"
          if (ratio > 1.5) misses++
          row(sprintf("%s|%s|%.1f|%.1f|%.2fx|%.1f|%.1f|%s", human(v[1]), bytes(v[2]), r, f, ratio,
                      r * 1e6 / 1048576, f * 1e6 / 1048576, goal), widths)
        }
      }
      print ""
      printf "%d cell(s) miss the goal (>= 0.9x requests/s, <= 1.5x memory per key)\n", misses
    }' "$tmp/runs" "$tmp/memory" "$tmp/groups"
}

echo
report text
if [ -n "$markdown" ]; then
  {
    echo "- Date: $(date -u +%Y-%m-%d). Commit: \`$commit\`."
    echo "- Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average $load_before before, $load_after after (1/5/15 min)."
    echo "- $server_label: $("$redis_server_bin" --version | sed -n 's/.*v=\([^ ]*\).*malloc=\([^ ]*\).*/\1 (\2)/p'), maxclients $maxclients; respfuzz: \`$bin\`."
    echo "- Command: \`$argv_text\`."
    report md
  } >"$tmp/table.md"
  mv "$tmp/table.md" "$markdown"
  echo "wrote $markdown" >&2
fi
