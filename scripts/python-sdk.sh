#!/usr/bin/env bash
# Creates a Python virtual environment holding Pulumi's Python SDK from PyPI (scripts/python-sdk/requirements.txt:
# every package pinned with hashes) in the engine's cache, once per machine and Python version, and prints its folder
# (stdout, one line; its interpreter is <folder>/bin/python). Progress goes to stderr.
#
#   scripts/python-sdk.sh            create if needed, print the folder
#   scripts/python-sdk.sh --cached   print the folder only if already created (exit 1 otherwise)
#
# The folder is <engine cache>/python-sdk-<pulumi version>-py<X.Y>/ (the engine cache as in scripts/pulumi-engine.sh);
# a stamp in it holds the hash of requirements.txt, so changing the pins recreates it. The interpreter is python3 on PATH
# (3.10+, as the SDK requires). Exit codes: 0 ok, 1 not cached (--cached), 3 no usable Python, 4 install failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
reqs="$here/python-sdk/requirements.txt"
sdk=$(awk -F'[= ]+' '$1 == "pulumi" { print $2; exit }' "$reqs")
[ -n "$sdk" ] || { echo "python-sdk: no pulumi pin in $reqs" >&2; exit 4; }
python=python3
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2]) if sys.version_info >= (3, 10) else sys.exit(1)' 2>/dev/null) || {
  echo "python-sdk: no Python 3.10+ ($python), which Pulumi's Python SDK v$sdk requires." >&2
  echo "  Install Python 3.10+ with its venv module (Debian/Ubuntu: python3-venv), then rerun." >&2
  exit 3
}
cache=${CERBY_PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cerby-okta-universal-logout/pulumi-engine}
dir="$cache/python-sdk-$sdk-py$pyver"
stamp="$dir/.requirements.sha256"
reqs_hash=$(sha256sum "$reqs" | cut -d' ' -f1)

ready() { [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$reqs_hash" ]; }

if ready; then echo "$dir"; exit 0; fi
[ "${1:-}" = "--cached" ] && exit 1

mkdir -p "$cache"
# A lock of its own: pip does not wait for the Go builds.
exec 9>"$cache/.lock-python"
flock 9
if ready; then echo "$dir"; exit 0; fi

start=$(date +%s)
echo "python-sdk: creating $dir with Pulumi's Python SDK v$sdk from PyPI (about 20 s; once per machine)…" >&2
# A virtual environment cannot be moved once made, so it is made in place; the stamp, written last, marks it whole.
rm -rf "$dir"
{
  "$python" -m venv "$dir" &&
    "$dir/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
      --require-hashes --only-binary=:all: -r "$reqs"
} >&2 || {
  echo "python-sdk: could not create the environment (see above; python3-venv missing, or PyPI unreachable?)" >&2
  rm -rf "$dir"
  exit 4
}
echo "$reqs_hash" >"$stamp"
echo "python-sdk: created in $(($(date +%s) - start)) s (pulumi $("$dir/bin/python" -c 'import importlib.metadata as m; print(m.version("pulumi"))'))" >&2
echo "$dir"
