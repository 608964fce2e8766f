#!/usr/bin/env bash
# Builds Pulumi YAML's language host (`pulumi-language-yaml`) from Go modules and installs it beside the cached Pulumi
# CLI (scripts/pulumi-engine.sh), where the CLI finds it without a warning. Prints that folder (stdout, one line);
# progress goes to stderr. Builds the CLI first when it is not cached yet.
#
#   scripts/yaml-host.sh            build what is missing, print the folder
#   scripts/yaml-host.sh --cached   print the folder only if the CLI and the host are already built (exit 1 otherwise)
#
# The version is pinned once, in scripts/yaml-host/go.mod: its own module, because pulumi-yaml pins an older Pulumi
# (v3.206.0) that does not compile against the engine's. A stamp file beside the binary records the version built, so
# changing the pin rebuilds. Exit codes: 0 ok, 1 not cached (--cached), 3 no Go, 4 build failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
who=yaml-host
. "$here/go-build.sh"
mod="$here/yaml-host"
version=$(go_module_version "$mod/go.mod" github.com/pulumi/pulumi-yaml)
[ -n "$version" ] || { echo "yaml-host: no pulumi-yaml version in $mod/go.mod" >&2; exit 4; }

# The engine's folder (its script's exit codes pass through: 1 not cached, 3 no Go, 4 build failed).
rc=0
dir=$(bash "$here/pulumi-engine.sh" ${1:+"$1"}) || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
bin="$dir/pulumi-language-yaml"
stamp="$dir/.pulumi-language-yaml.version"

ready() { [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; }

if ready; then echo "$dir"; exit 0; fi
[ "${1:-}" = "--cached" ] && exit 1

require_go "pulumi-language-yaml v$version" \
  "Install the Pulumi CLI (it ships the YAML host) or Go 1.26+ (https://go.dev/dl/), then rerun."
# The engine's lock: one build at a time per cache, and never while the engine's folder is being replaced.
lock_cache "$(dirname "$dir")"
if ready; then echo "$dir"; exit 0; fi

work=$(mktemp -d "$(dirname "$dir")/.build-yaml-v$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" "$work/"
# Flags as pulumi-yaml's release (.goreleaser.yml).
go_build "$work" "pulumi-language-yaml v$version from Go modules into $dir (cold: about 3 min on 2 cores; once per machine)" \
  -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$version" \
  -o "$work/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml

# The binary first, then the stamp: a half-installed host is never taken for a built one.
rm -f "$stamp"
mv "$work/pulumi-language-yaml" "$bin"
echo "$version" >"$stamp"
echo "$dir"
