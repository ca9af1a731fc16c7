# harnesses.sh: sourced by scripts/ and the harness test scripts. The one
# place the shell side learns which harnesses exist, where each one's seeds,
# options, dictionary and binary are, and what its .options file says.
#
#   respfuzz_harness_names ROOT        every harness, one per line, sorted
#   respfuzz_harness_field BUILD NAME FIELD
#                                      a column of BUILD/harnesses.tsv, which
#                                      CMake writes at configure time: FIELD is
#                                      structured (yes/no), seeds, options,
#                                      dictionary, binary or regressions (the
#                                      seeds and regressions the binary
#                                      replays: encoded .bin files in BUILD
#                                      for structured harnesses)
#   respfuzz_read_options FILE [SECTION]
#                                      the KEY = VALUE lines of SECTION
#                                      (default libfuzzer) into the arrays
#                                      opt_keys and opt_vals; "dict" is left out
#                                      (the dictionary is passed on its own)

# A harness is a folder under harnesses/ with a CMakeLists.txt, other than
# common/ and models/: the same rule harnesses/CMakeLists.txt applies (the
# harness-list ctest checks the two agree).
respfuzz_harness_names() {
  local root=$1 f n
  for f in "$root"/harnesses/*/CMakeLists.txt; do
    [ -e "$f" ] || continue
    n=${f%/CMakeLists.txt}
    n=${n##*/}
    case $n in common | models) continue ;; esac
    printf '%s\n' "$n"
  done | LC_ALL=C sort
}

respfuzz_harness_field() {
  local build=$1 name=$2 field=$3 col
  case $field in
    structured) col=2 ;;
    seeds) col=3 ;;
    options) col=4 ;;
    dictionary) col=5 ;;
    binary) col=6 ;;
    regressions) col=7 ;;
    *)
      echo "respfuzz_harness_field: unknown field '$field'" >&2
      return 2
      ;;
  esac
  if [ ! -f "$build/harnesses.tsv" ]; then
    echo "respfuzz_harness_field: $build/harnesses.tsv is missing (configure the build first)" >&2
    return 2
  fi
  awk -F'\t' -v n="$name" -v c="$col" '$1 == n { print $c; found = 1; exit } END { exit !found }' \
    "$build/harnesses.tsv" || {
    echo "respfuzz_harness_field: no harness '$name' in $build/harnesses.tsv" >&2
    return 2
  }
}

respfuzz_read_options() {
  local file=$1 want=${2:-libfuzzer} section=libfuzzer line
  opt_keys=()
  opt_vals=()
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    line=${line%$'\r'}
    if [[ $line =~ ^[[:space:]]*\[([A-Za-z0-9_]+)\][[:space:]]*$ ]]; then
      section=${BASH_REMATCH[1]}
      continue
    fi
    [ "$section" = "$want" ] || continue
    [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=[[:space:]]*([^[:space:]]+) ]] || continue
    [ "${BASH_REMATCH[1]}" = dict ] && continue
    opt_keys+=("${BASH_REMATCH[1]}")
    opt_vals+=("${BASH_REMATCH[2]}")
  done <"$file"
}
