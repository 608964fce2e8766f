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
who=pulumi-engine
. "$here/go-build.sh"
mod="$here/engine"
version=$(go_module_version "$mod/go.mod" github.com/pulumi/pulumi/pkg/v3)
[ -n "$version" ] || { echo "pulumi-engine: no pkg/v3 version in $mod/go.mod" >&2; exit 4; }
cache=${CERBY_PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cerby-okta-universal-logout/pulumi-engine}
dir="$cache/v$version"

ready() { [ -x "$dir/pulumi" ] && [ -x "$dir/pulumi-resource-pulumi-nodejs" ] && "$dir/pulumi" version >/dev/null 2>&1; }

if ready; then echo "$dir"; exit 0; fi
[ "${1:-}" = "--cached" ] && exit 1

require_go "the Pulumi CLI v$version" \
  "Install the Pulumi CLI (https://www.pulumi.com/docs/install/) or Go 1.26+ (https://go.dev/dl/), then rerun."
# One build at a time per cache (parallel test runs, sandbox and tests started together).
lock_cache "$cache"
if ready; then echo "$dir"; exit 0; fi

work=$(mktemp -d "$cache/.build-v$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" "$work/"
# Tags and flags as Pulumi's release.
go_build "$work" "the Pulumi CLI v$version from Go modules into $dir (cold: about 6 min on 2 cores; once per machine)" \
  -tags osusergo,grpcnotrace -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
  -o "$work/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

plugin=$(cd "$root" && node -e 'console.log(require("path").join(require("path").dirname(require.resolve("@pulumi/pulumi/package.json")), "pulumi-resource-pulumi-nodejs"))')
install -m 0755 "$plugin" "$work/bin/pulumi-resource-pulumi-nodejs"
"$work/bin/pulumi" version >/dev/null
rm -rf "$dir"
mv "$work/bin" "$dir"
echo "pulumi-engine: $("$dir/pulumi" version) is in $dir" >&2
echo "$dir"
