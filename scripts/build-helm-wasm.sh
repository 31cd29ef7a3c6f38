#!/usr/bin/env bash
# Builds the in-process Helm engine: helm-wasm/ (our entry point) with the pinned helm.sh/helm/v4, compiled to
# WebAssembly (GOOS=js GOARCH=wasm), next to the wasm_exec.js of the Go that built it.
#
# helm-wasm/_overlay/ holds a few files that replace their originals in the vendored modules, so the engine does not
# link client-go's typed clients and API scheme (used only for `lookup` against a cluster and the default API version
# list) and compiles JSON Schema's meta-schemas on first use rather than at start-up. Each original's checksum is in
# helm-wasm/_overlay/SHA256SUMS: a Helm upgrade that changes one fails here until the overlay is redone.
#
# The result is cached in $GITOPS_DRIFT_CACHE/helm-wasm/<stamp>/ (stamp: the sources, this script and the Go
# version), so a fresh clone on the same machine reuses it. With --out DIR the files are also copied to DIR (the build
# puts them in dist/helm/). Prints the cache folder on its last line.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
self="$root/scripts/build-helm-wasm.sh"
src="$root/helm-wasm"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "build-helm-wasm: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { echo "[build-helm-wasm] $*" >&2; }
command -v go >/dev/null || { echo "build-helm-wasm: Go is required to build the Helm engine (go not on PATH)" >&2; exit 1; }

cache_root="${GITOPS_DRIFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-drift}"
stamp=$( (cd "$src" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name 'SHA256SUMS' \) | LC_ALL=C sort | xargs sha256sum; sha256sum "$self" | cut -d' ' -f1; go env GOVERSION) | sha256sum | cut -c1-16)
dir="$cache_root/helm-wasm/$stamp"
mkdir -p "$cache_root/helm-wasm"

publish() {
  [ -z "$out" ] && return
  mkdir -p "$out"
  cp -f "$dir/helm.wasm.gz" "$dir/wasm_exec.js" "$dir/VERSION" "$out/"
}

if [ ! -f "$dir/.ready" ]; then
  exec 9>"$cache_root/helm-wasm/.lock"
  flock 9
fi
if [ -f "$dir/.ready" ]; then
  publish
  echo "$dir"
  exit 0
fi

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
work="$dir.work"
rm -rf "$work" "$dir"
mkdir -p "$work"
log "building the Helm engine (first time for these sources; a few minutes)"
cp -R "$src/." "$work/"
rm -rf "$work/_overlay"
cd "$work"
go mod vendor
# The default API versions Helm's scheme lists, from unmodified Helm (native build), before the overlay goes in.
go run -mod=vendor ./cmd/known-versions >"$dir.known_versions.go"
(cd vendor && sha256sum --quiet -c "$src/_overlay/SHA256SUMS") ||
  { echo "build-helm-wasm: a file helm-wasm/_overlay/ replaces changed upstream (see helm-wasm/_overlay/SHA256SUMS)" >&2; exit 1; }
(cd "$src/_overlay" && find . -type f -name '*.go' | while read -r f; do cp "$f" "$work/vendor/$f"; done)
mv "$dir.known_versions.go" vendor/helm.sh/helm/v4/pkg/chart/common/known_versions.go
helm_version=$(go list -m -f '{{.Version}}' helm.sh/helm/v4)
client_go_version=$(go list -m -f '{{.Version}}' k8s.io/client-go)
GOOS=js GOARCH=wasm go build -mod=vendor \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$helm_version -X helm.sh/helm/v4/internal/version.clientGoVersion=$client_go_version" \
  -o helm.wasm .
gzip -9 -n -c helm.wasm >helm.wasm.gz
mkdir -p "$dir.tmp"
mv helm.wasm.gz "$dir.tmp/"
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$dir.tmp/"
echo "$helm_version" >"$dir.tmp/VERSION"
log "engine: $(stat -c %s helm.wasm) bytes, $(stat -c %s "$dir.tmp/helm.wasm.gz") gzipped (helm $helm_version)"
cd /
rm -rf "$work"
mv "$dir.tmp" "$dir"
touch "$dir/.ready"
publish
echo "$dir"
