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
mod="$here/yaml-host"
version=$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/pulumi/pulumi-yaml") { v = $(i + 1); sub(/^v/, "", v); print v; exit } }' "$mod/go.mod")
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

if ! command -v go >/dev/null 2>&1; then
  echo "yaml-host: Go is not installed, so pulumi-language-yaml v$version cannot be built here." >&2
  echo "  Install the Pulumi CLI (it ships the YAML host) or Go 1.26+ (https://go.dev/dl/), then rerun." >&2
  exit 3
fi

# The engine's lock: one build at a time per cache, and never while the engine's folder is being replaced.
cache=$(dirname "$dir")
exec 9>"$cache/.lock"
flock 9
if ready; then echo "$dir"; exit 0; fi

work=$(mktemp -d "$cache/.build-yaml-v$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" "$work/"
start=$(date +%s)
( while sleep 30; do echo "yaml-host: still building… $(($(date +%s) - start)) s" >&2; done ) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null; rm -rf "$work"' EXIT
echo "yaml-host: building pulumi-language-yaml v$version from Go modules into $dir (cold: about 3 min on 2 cores; once per machine)…" >&2
(
  cd "$work"
  # -mod=readonly: go.sum (committed) pins every module. Flags as pulumi-yaml's release (.goreleaser.yml).
  CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$version" \
    -o "$work/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
) >&2 || { echo "yaml-host: go build failed (see above)" >&2; exit 4; }

# The binary first, then the stamp: a half-installed host is never taken for a built one.
rm -f "$stamp"
mv "$work/pulumi-language-yaml" "$bin"
echo "$version" >"$stamp"
echo "yaml-host: built pulumi-language-yaml v$version in $(($(date +%s) - start)) s" >&2
echo "$dir"
