#!/usr/bin/env bash
# Builds the SDK generator (scripts/engine/gen-sdk: Pulumi's own Python and Go code generators, from the engine's Go
# module and go.sum) into the engine's cache, and runs it. Progress goes to stderr.
#
#   scripts/gen-sdk.sh                                  build if needed, print the generator's path (stdout, one line)
#   scripts/gen-sdk.sh --cached                         print the path only if already built (exit 1 otherwise)
#   scripts/gen-sdk.sh <python|go> <schema.json> <dir>  build if needed, then write that language's SDK into <dir>
#
# Cached at <engine cache>/gen-sdk-v<pulumi version>/gen-sdk (the engine cache as in scripts/pulumi-engine.sh), apart
# from the CLI's folder: the generator is needed even where a stock `pulumi` is on PATH. It needs no CLI. A stamp
# beside it holds the hash of its source, go.mod and go.sum, so any change rebuilds it. The same build flags as the
# engine, so Go's build cache of the engine serves most of it. Exit codes: 0 ok, 1 not cached (--cached), 2 usage,
# 3 no Go, 4 build failed; when generating, the generator's own (1: bad schema or language).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mod="$here/engine"
version=$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/pulumi/pulumi/pkg/v3") { v = $(i + 1); sub(/^v/, "", v); print v; exit } }' "$mod/go.mod")
[ -n "$version" ] || { echo "gen-sdk: no pkg/v3 version in $mod/go.mod" >&2; exit 4; }
cache=${CERBY_PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cerby-okta-universal-logout/pulumi-engine}
dir="$cache/gen-sdk-v$version"
bin="$dir/gen-sdk"
stamp="$dir/.source.sha256"
source_hash=$(cat "$mod/gen-sdk/main.go" "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -d' ' -f1)

case $# in
  0) mode=build ;;
  1) [ "$1" = "--cached" ] || { echo "usage: $0 [--cached | <python|go> <schema.json> <dir>]" >&2; exit 2; }; mode=cached ;;
  3) mode=generate ;;
  *) echo "usage: $0 [--cached | <python|go> <schema.json> <dir>]" >&2; exit 2 ;;
esac

ready() { [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$source_hash" ]; }

build() {
  if ! command -v go >/dev/null 2>&1; then
    echo "gen-sdk: Go is not installed, so the SDK generator (Pulumi v$version's code generators) cannot be built here." >&2
    echo "  Install Go 1.26+ (https://go.dev/dl/), then rerun." >&2
    exit 3
  fi
  mkdir -p "$cache"
  # The engine's lock: Go builds one at a time per cache (they share Go's build cache and ~2 GB of memory at peak).
  exec 9>"$cache/.lock"
  flock 9
  ready && return 0
  mkdir -p "$dir"
  local work start ticker
  work=$(mktemp -d "$cache/.build-gen-sdk-v$version.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  start=$(date +%s)
  ( while sleep 30; do echo "gen-sdk: still building… $(($(date +%s) - start)) s" >&2; done ) &
  ticker=$!
  trap 'kill "$ticker" 2>/dev/null; rm -rf "$work"' EXIT
  echo "gen-sdk: building the SDK generator (Pulumi v$version's pkg/codegen) into $dir (cold: about 2 min on 2 cores, much less once the engine is built)…" >&2
  (
    cd "$mod"
    # -mod=readonly: go.sum (committed) pins every module. Tags and flags as the engine's build, to share its cache.
    CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w" \
      -o "$work/gen-sdk" ./gen-sdk
  ) >&2 || { echo "gen-sdk: go build failed (see above)" >&2; exit 4; }
  rm -f "$stamp"
  mv "$work/gen-sdk" "$bin"
  echo "$source_hash" >"$stamp"
  echo "gen-sdk: built in $(($(date +%s) - start)) s" >&2
  kill "$ticker" 2>/dev/null || true
  rm -rf "$work"
  trap - EXIT
  exec 9>&-
}

if ! ready; then
  [ "$mode" = cached ] && exit 1
  build
fi
[ "$mode" = generate ] || { echo "$bin"; exit 0; }
exec "$bin" "$@"
