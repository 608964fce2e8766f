# Shared by the scripts that build Go programs from pinned Go modules into the per-user cache (pulumi-engine.sh,
# yaml-host.sh, gen-sdk.sh): sourced, not run. Each function names its caller (`$who`) in what it prints.
#   go_module_version <go.mod> <module path>   the version a go.mod requires (without the "v"), or nothing
#   require_go <what> <advice>                 exits 3 with a message when Go is not installed
#   lock_cache <cache folder>                  one build at a time per cache (flock on fd 9); they share Go's caches
#   go_build <folder> <description> <args…>    `go build -trimpath` there, read-only modules (go.sum pins every one),
#                                              with a progress line every 30 s; exits 4 when it fails
# Set `who` (the script's name) before calling them.

go_module_version() {
  awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) { v = $(i + 1); sub(/^v/, "", v); print v; exit } }' "$1"
}

require_go() {
  command -v go >/dev/null 2>&1 && return 0
  echo "$who: Go is not installed, so $1 cannot be built here." >&2
  echo "  $2" >&2
  exit 3
}

lock_cache() {
  mkdir -p "$1"
  exec 9>"$1/.lock"
  flock 9
}

go_build() {
  local folder=$1 description=$2 start ticker rc=0
  shift 2
  start=$(date +%s)
  echo "$who: building $description…" >&2
  # Progress: Go prints nothing of its own while it downloads and compiles.
  (while sleep 30; do echo "$who: still building… $(($(date +%s) - start)) s" >&2; done) &
  ticker=$!
  (cd "$folder" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath "$@") >&2 || rc=$?
  kill "$ticker" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    echo "$who: go build failed (see above)" >&2
    exit 4
  fi
  echo "$who: built in $(($(date +%s) - start)) s" >&2
}
