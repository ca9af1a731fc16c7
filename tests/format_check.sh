#!/usr/bin/env bash
# format_check.sh SOURCE_DIR: every tracked C++ source is as clang-format
# (.clang-format: Google style, 100 columns) writes it. Fix with
#   clang-format -i $(git ls-files '*.cc' '*.h')
set -uo pipefail
src=$1
command -v clang-format >/dev/null || { echo "FAIL: clang-format not found (scripts/setup installs it)"; exit 1; }
cd "$src" || exit 1
mapfile -t files < <(git ls-files '*.cc' '*.h')
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done
echo "$((${#files[@]} - bad)) formatted, $bad not ($(clang-format --version))"
[ "$bad" -eq 0 ]
