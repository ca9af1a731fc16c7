#!/usr/bin/env bash
# replay.sh BINARY DIR... : runs every file under the given directories through
# a harness binary (replay main or libFuzzer: both print "Running: FILE" before
# each input, so a failure names its file). Missing or empty directories are
# fine: a harness may have no frozen regressions yet.
set -euo pipefail
bin=$1; shift
files=()
for d in "$@"; do
  [ -d "$d" ] || continue
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$d" -type f ! -name '*.txt' ! -name 'README*' -print0 | sort -z)
done
if [ ${#files[@]} -eq 0 ]; then
  echo "replay: no inputs for $(basename "$bin")"
  exit 0
fi
echo "replay: ${#files[@]} inputs through $(basename "$bin")"
# Batches keep the command line short for large corpora.
for ((i = 0; i < ${#files[@]}; i += 500)); do
  rc=0
  "$bin" "${files[@]:i:500}" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "replay: FAILED (exit $rc); the last "Running:" line names the failing input; rerun it alone: $bin FILE" >&2
    exit 1
  fi
done
echo "replay: all ${#files[@]} inputs passed"
