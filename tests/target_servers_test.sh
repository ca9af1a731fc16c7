#!/usr/bin/env bash
# tests/target_servers_test.sh: every server scripts/targets builds starts on a
# free loopback port, answers INFO server (through its own cli) with the
# version its pin names, and stops; the source targets hold the version their
# pin names. Builds what is missing (scripts/setup has built it on CI).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
. "$root/tests/checks.sh"
header_help "$@"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/respfuzz-target-servers.XXXXXX")

# What each target must be. A server: NAME PROGRAM then the INFO server
# lines it must answer with. A source tree: NAME then a file and the text it
# must hold.
servers=(
  "redis-8.0 redis redis_version:8.0.6"
  "valkey-9.1 valkey valkey_version:9.1.2 server_name:valkey"
)
sources=(
  "hiredis-1.2 hiredis.h #define HIREDIS_MINOR 2"
  "redis-7.0 src/version.h #define REDIS_VERSION \"7.0.15\""
)

# Every target scripts/targets knows is checked here.
listed=$("$root/scripts/targets" --list | awk '{ print $1 }' | sort | xargs)
checked=$(printf '%s\n' "${servers[@]}" "${sources[@]}" | awk '{ print $1 }' | sort | xargs)
if [ "$listed" = "$checked" ]; then
  ok "every target of scripts/targets --list is checked ($listed)"
else
  bad "scripts/targets --list names '$listed', this test checks '$checked'"
fi

for s in "${sources[@]}"; do
  read -r name file want <<<"$s"
  dir=$("$root/scripts/targets" --print-path "$name") || {
    bad "$name: scripts/targets --print-path failed"
    continue
  }
  if grep -qF "$want" "$dir/src/$file"; then
    ok "$name: $file has '$want'"
  else
    bad "$name: $dir/src/$file lacks '$want'"
  fi
done

for s in "${servers[@]}"; do
  read -r name program want <<<"$s"
  dir=$("$root/scripts/targets" --print-path "$name") || {
    bad "$name: scripts/targets --print-path failed"
    continue
  }
  # A subshell per server: redis_server.sh's start/stop and its EXIT trap.
  if (
    redis_server_bin="$dir/bin/$program-server" redis_cli_bin="$dir/bin/$program-cli"
    # shellcheck source=tests/redis_server.sh
    . "$root/tests/redis_server.sh"
    trap stop_server EXIT
    start_server
    info=$("$redis_cli_bin" -p "$port" info server | tr -d '\r')
    rc=0
    for line in $want; do
      grep -qx "$line" <<<"$info" || {
        echo "FAIL  $name: INFO server has no '$line' ($(grep -E '_version:|server_name:' <<<"$info" | xargs))" >&2
        rc=1
      }
    done
    [ "$(sed -n 's/^tcp_port://p' <<<"$info")" = "$port" ] || {
      echo "FAIL  $name: INFO server does not name port $port" >&2
      rc=1
    }
    stop_server
    if kill -0 "$(sed -n 's/^process_id://p' <<<"$info")" 2>/dev/null; then
      echo "FAIL  $name: still running after stop_server" >&2
      rc=1
    fi
    exit $rc
  ); then
    ok "$name: $program-server started on a free loopback port, answered INFO server with $want, stopped"
  else
    bad "$name: see above"
  fi
done

# tests/redis_server.sh refuses, one line and exit 2: an unknown target, a
# target not built, a server that does not start, and a program that is not
# the target's version (redis-8.0's programs where Debian's 7.0 should be).
# refused NAME WANT-TEXT [VAR=VALUE...] -- START-ARGS...
refused() {
  local name=$1 want=$2 out rc
  shift 2
  local env=()
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  out=$(env "${env[@]}" bash -c '
    set -uo pipefail
    tmp=$(mktemp -d); trap "rm -rf "\$tmp"" EXIT
    . "$0/tests/redis_server.sh"
    parse_target_args "$@"
    start_server
    stop_server' "$root" "$@" 2>&1)
  rc=$?
  if [ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -qF -- "$want" <<<"$out"; then
    ok "redis_server.sh refuses $name: $out"
  else
    bad "redis_server.sh, $name: exit $rc, want 2 and one line with '$want': $out"
  fi
}
refused "an unknown target" "unknown target 'redis-6.2' (known: redis-7.0, redis-8.0, valkey-9.1)" \
  -- --target redis-6.2
mkdir -p "$tmp/empty-cache" "$tmp/fake-usr-bin"
refused "a target not built" "valkey-9.1 is not built" RESPFUZZ_TARGETS_CACHE="$tmp/empty-cache" \
  -- --target valkey-9.1
redis80=$("$root/scripts/server-target" redis-8.0) &&
  ln -s "$redis80" "$tmp/fake-usr-bin/redis-server" &&
  ln -s "$("$root/scripts/server-target" --cli redis-8.0)" "$tmp/fake-usr-bin/redis-cli"
refused "another version" "is not redis-7.0: INFO server says redis_version:8.0.6, expected 7.0.15" \
  RESPFUZZ_SYSTEM_SERVER_DIR="$tmp/fake-usr-bin" -- --target redis-7.0
printf '#!/bin/sh\necho "Bad directive or wrong number of arguments" >&2\nexit 1\n' >"$tmp/refuses"
chmod +x "$tmp/refuses"
refused "a server that does not start" \
  "could not start $tmp/refuses on a free loopback port: Bad directive or wrong number of arguments" \
  redis_server_bin="$tmp/refuses" redis_cli_bin="$("$root/scripts/server-target" --cli)" --

rm -rf "$tmp"
summary
