#!/usr/bin/env bash
# tests/campaign/sarif_schema.sh [--fetch]: prints the path of the official
# SARIF 2.1.0 JSON schema (OASIS, errata 01), checked against its pinned
# SHA-256: $RESPFUZZ_SARIF_SCHEMA when set, else the copy in
# ${XDG_CACHE_HOME:-~/.cache}/respfuzz/. --fetch first downloads that copy
# from OASIS when it is missing (one request, 20 s at most; scripts/setup
# does this). The file is not part of the repository.
# Exit status: 0 found; 1 missing or not the pinned file (one line on stderr);
# 2 bad usage.
set -euo pipefail
url=https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json
sha256=c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e
cache=${XDG_CACHE_HOME:-$HOME/.cache}/respfuzz/sarif-schema-2.1.0.json

fetch=0
case ${1:-} in
  "") ;;
  --fetch) fetch=1 ;;
  -h | --help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "sarif_schema.sh: unknown argument '$1' (see --help)" >&2
    exit 2
    ;;
esac

path=${RESPFUZZ_SARIF_SCHEMA:-$cache}
if [ ! -f "$path" ] && [ "$fetch" -eq 1 ] && [ -z "${RESPFUZZ_SARIF_SCHEMA:-}" ]; then
  mkdir -p "$(dirname "$cache")"
  tmp=$(mktemp "$cache.XXXXXX")
  if curl -fsS --connect-timeout 5 --max-time 20 -o "$tmp" "$url" 2>/dev/null &&
    [ "$(sha256sum "$tmp" | cut -d' ' -f1)" = "$sha256" ]; then
    mv "$tmp" "$cache"
  else
    rm -f "$tmp"
    echo "sarif_schema.sh: could not download $url (or it is not the pinned file)" >&2
    exit 1
  fi
fi
if [ ! -f "$path" ]; then
  echo "sarif_schema.sh: no SARIF 2.1.0 schema at $path (--fetch downloads it from $url)" >&2
  exit 1
fi
if [ "$(sha256sum "$path" | cut -d' ' -f1)" != "$sha256" ]; then
  echo "sarif_schema.sh: $path is not the OASIS SARIF 2.1.0 errata 01 schema (SHA-256 differs)" >&2
  exit 1
fi
echo "$path"
