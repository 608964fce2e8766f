#!/usr/bin/env bash
# Builds the Pulumi CLI from Go modules into a per-user cache and prints the folder that holds it (stdout, one line).
# Progress goes to stderr. Reuses the cached build when it is there, so a fresh clone builds nothing.
#
#   scripts/pulumi-engine.sh            build if needed, print the folder
#   scripts/pulumi-engine.sh --cached   print the folder only if already built (exit 1 otherwise); never builds
#
# The version is pinned once, in scripts/engine/go.mod. The cache is
#   ${CERBY_PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cerby-okta-universal-logout/pulumi-engine}/v<version>/
# holding `pulumi` and, beside it, the `pulumi-resource-pulumi-nodejs` script that @pulumi/pulumi ships (the CLI looks
# for bundled plugins next to its own executable). Exit codes: 0 ok, 1 not cached (--cached), 3 no Go, 4 build failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mod="$here/engine"
version=$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/pulumi/pulumi/pkg/v3") { v = $(i + 1); sub(/^v/, "", v); print v; exit } }' "$mod/go.mod")
[ -n "$version" ] || { echo "pulumi-engine: no pkg/v3 version in $mod/go.mod" >&2; exit 4; }
cache=${CERBY_PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cerby-okta-universal-logout/pulumi-engine}
dir="$cache/v$version"

ready() { [ -x "$dir/pulumi" ] && [ -x "$dir/pulumi-resource-pulumi-nodejs" ] && "$dir/pulumi" version >/dev/null 2>&1; }

if ready; then echo "$dir"; exit 0; fi
[ "${1:-}" = "--cached" ] && exit 1

if ! command -v go >/dev/null 2>&1; then
  echo "pulumi-engine: Go is not installed, so the Pulumi CLI v$version cannot be built here." >&2
  echo "  Install the Pulumi CLI (https://www.pulumi.com/docs/install/) or Go 1.26+ (https://go.dev/dl/), then rerun." >&2
  exit 3
fi

mkdir -p "$cache"
# One build at a time per cache (parallel test runs, sandbox and tests started together).
exec 9>"$cache/.lock"
flock 9
if ready; then echo "$dir"; exit 0; fi

work=$(mktemp -d "$cache/.build-v$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" "$work/"
start=$(date +%s)
# Progress: a line every 30 s while Go downloads and compiles (it prints nothing of its own meanwhile).
( while sleep 30; do echo "pulumi-engine: still building… $(($(date +%s) - start)) s" >&2; done ) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null; rm -rf "$work"' EXIT
echo "pulumi-engine: building the Pulumi CLI v$version from Go modules into $dir (cold: about 6 min on 2 cores; once per machine)…" >&2
(
  cd "$work"
  # -mod=readonly: go.sum (committed) pins every module; nothing is resolved anew. Tags and flags as Pulumi's release.
  CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$work/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
) >&2 || { echo "pulumi-engine: go build failed (see above)" >&2; exit 4; }

plugin=$(cd "$root" && node -e 'console.log(require("path").join(require("path").dirname(require.resolve("@pulumi/pulumi/package.json")), "pulumi-resource-pulumi-nodejs"))')
install -m 0755 "$plugin" "$work/bin/pulumi-resource-pulumi-nodejs"
"$work/bin/pulumi" version >/dev/null
rm -rf "$dir"
mv "$work/bin" "$dir"
echo "pulumi-engine: built $("$dir/pulumi" version) in $(($(date +%s) - start)) s" >&2
echo "$dir"
