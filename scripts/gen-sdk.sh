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
who=gen-sdk
. "$here/go-build.sh"
mod="$here/engine"
version=$(go_module_version "$mod/go.mod" github.com/pulumi/pulumi/pkg/v3)
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
  require_go "the SDK generator (Pulumi v$version's code generators)" "Install Go 1.26+ (https://go.dev/dl/), then rerun."
  # The engine's lock: Go builds one at a time per cache (they share Go's build cache and ~2 GB of memory at peak).
  lock_cache "$cache"
  ready && return 0
  mkdir -p "$dir"
  local work
  work=$(mktemp -d "$cache/.build-gen-sdk-v$version.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # Tags and flags as the engine's build, to share its cache.
  go_build "$mod" "the SDK generator (Pulumi v$version's pkg/codegen) into $dir (cold: about 2 min on 2 cores, much less once the engine is built)" \
    -tags osusergo,grpcnotrace -ldflags "-s -w" -o "$work/gen-sdk" ./gen-sdk
  rm -f "$stamp"
  mv "$work/gen-sdk" "$bin"
  echo "$source_hash" >"$stamp"
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
