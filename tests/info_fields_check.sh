#!/usr/bin/env bash
# info_fields_check.sh RESPFUZZ: INFO everything from `respfuzz serve` and
# from redis-server 7.0.15 (Debian's, each on a free loopback port): the
# same sections in the same order, and every field `respfuzz serve` reports
# is one redis-server reports in that section, in Redis's order (the values
# are each server's own; docs/fidelity.md, "INFO"). First it shows the
# check can fail: a field name Redis does not have must be reported. Both
# servers are stopped on every exit path.
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
serve_pid=""
trap 'stop_server; [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

start_server
redis_port=$port
redis-cli -p "$redis_port" info everything >"$tmp/theirs.txt" || { echo "FAIL: INFO on redis-server"; exit 1; }

serve_port=$(free_port)
"$cli" serve --bind 127.0.0.1 --port "$serve_port" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do redis-cli -p "$serve_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$serve_port" set k v >/dev/null
redis-cli -p "$serve_port" info everything >"$tmp/ours.txt" || { echo "FAIL: INFO on respfuzz serve"; exit 1; }

check() {
  python3 - "$1" "$2" <<'PY'
import sys
def parse(p):
    out = {}
    sec = None
    for line in open(p, encoding="latin-1"):
        line = line.rstrip("\r\n")
        if line.startswith("# "):
            sec = line[2:]
            out[sec] = []
        elif ":" in line and sec is not None:
            out[sec].append(line.split(":", 1)[0])
    return out
ours, theirs = parse(sys.argv[1]), parse(sys.argv[2])
bad = []
if list(ours) != list(theirs):
    bad.append(f"sections {list(ours)} != {list(theirs)}")
for sec, names in ours.items():
    if sec in ("Commandstats", "Errorstats", "Latencystats", "Keyspace"):  # per command, code, db
        continue
    known = theirs.get(sec, [])
    extra = [n for n in names if n not in known]
    if extra:
        bad.append(f"{sec}: not Redis's fields {extra}")
    elif [n for n in known if n in names] != names:
        bad.append(f"{sec}: fields not in Redis's order")
for b in bad:
    print("FAIL:", b)
print(f"{sum(map(len, ours.values()))} fields in {len(ours)} sections checked")
sys.exit(1 if bad else 0)
PY
}

# The check can fail: a planted field name is reported.
sed 's/^tcp_port:/tcp_portx:/' "$tmp/ours.txt" >"$tmp/planted.txt"
planted=$(check "$tmp/planted.txt" "$tmp/theirs.txt")
if [ $? -eq 1 ] && grep -q "not Redis's fields \['tcp_portx'\]" <<<"$planted"; then
  echo "ok: a field Redis does not have is reported"
else
  echo "FAIL: the planted field was not reported"; exit 1
fi
check "$tmp/ours.txt" "$tmp/theirs.txt" || exit 1
grep -q "^db0:keys=1,expires=0,avg_ttl=0" "$tmp/ours.txt" || { echo "FAIL: keyspace line"; exit 1; }
echo "ok: INFO everything of respfuzz serve has Redis's sections and field names"
