#!/usr/bin/env bash
# tests/campaign/sarif_schema.sh [--fetch]: prints the path of a SARIF 2.1.0
# JSON schema to validate the report's --sarif logs against, checked against
# its pinned SHA-256: $RESPFUZZ_SARIF_SCHEMA when set; else the official OASIS
# schema (2.1.0 errata 01) when it is in ${XDG_CACHE_HOME:-~/.cache}/respfuzz/;
# else the SARIF 2.1.0-rtm.5 schema as Microsoft publishes it on the npm
# registry (in @microsoft/sarif-matcher-utils 1.0.0-beta.0), in the same
# cache. --fetch first downloads what is missing: the OASIS file (one
# request, 20 s at most; docs.oasis-open.org is out of reach from some
# machines), then the npm tarball, pinned by SHA-256 (scripts/setup does
# this). rtm.5 is the last draft before the OASIS standard; the fixtures'
# logs are valid under both. Neither file is part of the repository.
# Exit status: 0 found; 1 missing or not a pinned file (one line on stderr);
# 2 bad usage.
set -euo pipefail
url=https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json
sha256=c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e
cache=${XDG_CACHE_HOME:-$HOME/.cache}/respfuzz/sarif-schema-2.1.0.json
npm_url=https://registry.npmjs.org/@microsoft/sarif-matcher-utils/-/sarif-matcher-utils-1.0.0-beta.0.tgz
npm_tgz_sha256=2dba0dc3f886e8fe7ee89c31ebfea1a86916f520caf4b0df3ba40e3091edcfda
npm_member=package/lib/schemas/sarif-2.1.0-rtm.5.json
npm_sha256=2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8
npm_cache=${XDG_CACHE_HOME:-$HOME/.cache}/respfuzz/sarif-2.1.0-rtm.5.json

fetch=0
case ${1:-} in
  "") ;;
  --fetch) fetch=1 ;;
  -h | --help)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "sarif_schema.sh: unknown argument '$1' (see --help)" >&2
    exit 2
    ;;
esac

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch_oasis / fetch_npm: download into the cache through a temporary file;
# a failed or different download leaves nothing behind.
fetch_oasis() {
  local tmp
  tmp=$(mktemp "$cache.XXXXXX")
  if curl -fsS --connect-timeout 5 --max-time 20 -o "$tmp" "$url" 2>/dev/null &&
    [ "$(sha_of "$tmp")" = "$sha256" ]; then
    mv "$tmp" "$cache"
  else
    rm -f "$tmp"
    return 1
  fi
}
fetch_npm() {
  local tmp
  tmp=$(mktemp -d "$npm_cache.XXXXXX")
  if curl -fsS --connect-timeout 5 --max-time 60 -o "$tmp/p.tgz" "$npm_url" 2>/dev/null &&
    [ "$(sha_of "$tmp/p.tgz")" = "$npm_tgz_sha256" ] &&
    tar -xzf "$tmp/p.tgz" -C "$tmp" "$npm_member" 2>/dev/null &&
    [ "$(sha_of "$tmp/$npm_member")" = "$npm_sha256" ]; then
    mv "$tmp/$npm_member" "$npm_cache"
    rm -rf "$tmp"
  else
    rm -rf "$tmp"
    return 1
  fi
}

if [ -n "${RESPFUZZ_SARIF_SCHEMA:-}" ]; then
  path=$RESPFUZZ_SARIF_SCHEMA
  if [ ! -f "$path" ]; then
    echo "sarif_schema.sh: RESPFUZZ_SARIF_SCHEMA names no file: $path" >&2
    exit 1
  fi
  s=$(sha_of "$path")
  if [ "$s" != "$sha256" ] && [ "$s" != "$npm_sha256" ]; then
    echo "sarif_schema.sh: $path is neither pinned SARIF 2.1.0 schema (SHA-256 differs)" >&2
    exit 1
  fi
  echo "$path"
  exit 0
fi

mkdir -p "$(dirname "$cache")"
if [ "$fetch" -eq 1 ]; then
  [ -f "$cache" ] || fetch_oasis || true
  [ -f "$cache" ] || [ -f "$npm_cache" ] || fetch_npm || {
    echo "sarif_schema.sh: could not download $url nor $npm_url (or not the pinned files)" >&2
    exit 1
  }
fi
for candidate in "$cache:$sha256" "$npm_cache:$npm_sha256"; do
  f=${candidate%:*}
  want=${candidate##*:}
  [ -f "$f" ] || continue
  if [ "$(sha_of "$f")" != "$want" ]; then
    echo "sarif_schema.sh: $f is not the pinned file (SHA-256 differs)" >&2
    exit 1
  fi
  echo "$f"
  exit 0
done
echo "sarif_schema.sh: no SARIF 2.1.0 schema in $(dirname "$cache") (--fetch downloads one)" >&2
exit 1
