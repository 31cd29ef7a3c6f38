#!/usr/bin/env bash
# Builds the test bed's real servers and tools from pinned Go modules:
# kube-apiserver + kubectl (k8s.io/kubernetes), etcd (go.etcd.io/etcd/server/v3), kustomize, flux-build (Flux's
# kustomize-controller rendering, for the Flux conformance cases), helm (the oracle for the Helm conformance cases
# and the release Secrets of the integration tests), kustomize-controller itself (the real controller of the Flux
# end-to-end test), helm-values-from (helm-controller's valuesFrom code, for the targetPath cases) and oci-registry (an
# OCI registry on loopback, for the remote chart cases); copies Flux's CRDs
# (kustomize, source and helm controllers) and Argo CD's (Application, ApplicationSet, AppProject) for the
# integration tests.
# Binaries are cached outside the clone, keyed by version, so a fresh clone on the same machine reuses them.
# Each binary is built in a scratch folder and moved into place only when complete, so a rerun after an
# interrupted build recovers. Prints the bin directory on its last line.
set -euo pipefail

K8S_VERSION=v1.35.4          # k8s.io/kubernetes; staging modules are published as v0.35.4
ETCD_VERSION=v3.6.16         # kube-apiserver 1.35 wants etcd >= 3.5
KUSTOMIZE_VERSION=v5.7.1     # sigs.k8s.io/kustomize/kustomize/v5
KYAML_VERSION=v0.20.1        # the sigs.k8s.io/kustomize/kyaml that kustomize v5.7.1 requires (its embedded OpenAPI)
FLUX_KUSTOMIZE_VERSION=v1.41.0 # github.com/fluxcd/pkg/kustomize: kustomize-controller's generator and postBuild (kustomize v5.8.1)
FLUX_KUSTOMIZE_CONTROLLER_VERSION=v1.7.3  # github.com/fluxcd/kustomize-controller (Flux v2.7): its Kustomization CRD
FLUX_SOURCE_CONTROLLER_VERSION=v1.7.3     # github.com/fluxcd/source-controller: GitRepository and the other sources' CRDs
HELM_VERSION=v4.3.2          # helm.sh/helm/v4: the same module the in-process engine (helm-wasm/) is built from
# github.com/fluxcd/helm-controller (Flux v2.7, api/v1.4.3): its HelmRelease CRD. It requires source-controller/api
# v1.7.2, as kustomize-controller v1.7.3 does: the same Flux release as the two above.
FLUX_HELM_CONTROLLER_VERSION=v1.4.3
# github.com/argoproj/argo-cd/v3: its manifests/crds (and assets/swagger.json, the API the Argo CD API tests replay).
# v3.5.8 is the newest the Go module proxy serves for Go 1.26 (v3.6.x requires go >= 1.27).
ARGOCD_VERSION=v3.5.8
# github.com/fluxcd/pkg/chartutil: the valuesFrom code helm-controller v1.4.3 runs (its go.mod requires v1.15.0,
# which brings helm.sh/helm/v3 v3.19.0's strvals parser), for helm-values-from.
FLUX_CHARTUTIL_VERSION=v1.15.0
GGCR_VERSION=v0.22.1         # github.com/google/go-containerregistry: its in-memory registry (pkg/registry) for oci-registry
# appset-oracle (test/testbed/appsetOracle): Argo CD v3.5.8's ApplicationSet template rendering, from the modules its
# go.mod pins (Argo CD's own packages do not build from the Go module proxy: docs/testbed.md).
APPSET_ORACLE_MODULES="github.com/Masterminds/sprig/v3@v3.3.0 github.com/valyala/fasttemplate@v1.2.2 github.com/gosimple/slug@v1.15.0 github.com/gosimple/unidecode@v1.0.1 sigs.k8s.io/yaml@v1.6.0"

cache_root="${GITOPS_DRIFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-drift}"
key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kustomize-${KUSTOMIZE_VERSION}"
bin_dir="$cache_root/testbed/$key/bin"
work_root="$cache_root/testbed/$key/work"
# `where` builds nothing and waits for no build: it prints the bin directory (test/testbed/bins.ts asks whether a
# binary is built).
if [ "${1:-}" = where ]; then echo "$bin_dir"; exit 0; fi
mkdir -p "$bin_dir" "$work_root"

log() { echo "[setup-testbed] $*" >&2; }

command -v go >/dev/null || { echo "setup-testbed: Go is required to build the test bed (go not on PATH)" >&2; exit 1; }

# One build at a time per cache (parallel CI jobs, a test run started during a build).
exec 9>"$cache_root/testbed/$key/.lock"
flock 9

export CGO_ENABLED=0 GOFLAGS="-trimpath -mod=mod" GOTOOLCHAIN=local

staging_minor="v0.${K8S_VERSION#v1.}"
version_ldflags() {
  local major minor
  major=1; minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  local v="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor"
  v="$v -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=$major -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  echo "-s -w $v"
}

prepare_kube_module() {
  local dir="$work_root/kube"
  [ -f "$dir/.ready" ] && { echo "$dir"; return; }
  rm -rf "$dir"; mkdir -p "$dir"
  log "resolving k8s.io/kubernetes@$K8S_VERSION"
  local gomod
  gomod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module gitopsdrift.local/testbed/kube"
    echo
    echo "go 1.25"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    # k8s.io/kubernetes replaces its staging modules with ./staging/src/...: map each to its published version.
    grep -oE 'k8s.io/[a-z0-9.-]+ => ./staging/src/k8s.io/[a-z0-9.-]+' "$gomod" | awk -v v="$staging_minor" '{print "replace " $1 " => " $1 " " v}'
  } >"$dir/go.mod"
  (cd "$dir" && cat >tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
   go mod tidy >&2)
  touch "$dir/.ready"
  echo "$dir"
}

build_kube() { # name
  local name=$1
  [ -x "$bin_dir/$name" ] && return
  local dir; dir=$(prepare_kube_module)
  log "building $name $K8S_VERSION (first time only; several minutes)"
  (cd "$dir" && go build -ldflags "$(version_ldflags)" -o "$bin_dir/.$name.partial" "k8s.io/kubernetes/cmd/$name")
  mv -f "$bin_dir/.$name.partial" "$bin_dir/$name"
}

build_etcd() {
  [ -x "$bin_dir/etcd" ] && return
  local dir="$work_root/etcd"
  rm -rf "$dir"; mkdir -p "$dir"
  log "building etcd $ETCD_VERSION"
  cat >"$dir/main.go" <<'GO'
// Wrapper module: etcd's server main lives in go.etcd.io/etcd/server/v3/etcdmain.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$dir" && go mod init gitopsdrift.local/testbed/etcd >&2 && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2 && go mod tidy >&2 \
    && go build -ldflags "-s -w" -o "$bin_dir/.etcd.partial" .)
  mv -f "$bin_dir/.etcd.partial" "$bin_dir/etcd"
}

build_kustomize() {
  [ -x "$bin_dir/kustomize" ] && return
  local dir="$work_root/kustomize"
  rm -rf "$dir"; mkdir -p "$dir"
  log "building kustomize $KUSTOMIZE_VERSION"
  (cd "$dir" && GOFLAGS=-trimpath GOBIN="$dir" go install -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION")
  mv -f "$dir/kustomize" "$bin_dir/kustomize"
}

# Dumps kustomize's embedded OpenAPI schema (test/testbed/kustomizeSchema): only for regenerating the list-type table.
build_kustomize_schema() {
  [ -x "$bin_dir/kustomize-schema" ] && return
  local dir="$work_root/kustomize-schema"
  rm -rf "$dir"; mkdir -p "$dir"
  log "building kustomize-schema (kyaml $KYAML_VERSION)"
  cp "$(dirname "$0")/../test/testbed/kustomizeSchema/main.go" "$dir/main.go"
  (cd "$dir" && go mod init gitopsdrift.local/testbed/kustomizeschema >&2 && go get "sigs.k8s.io/kustomize/kyaml@$KYAML_VERSION" >&2 && go mod tidy >&2 \
    && go build -ldflags "-s -w" -o "$bin_dir/.kustomize-schema.partial" .)
  mv -f "$bin_dir/.kustomize-schema.partial" "$bin_dir/kustomize-schema"
}

# A small Go program of ours (test/testbed/<folder>/main.go) over pinned modules, built in a scratch module. Rebuilt
# when the pinned modules or main.go change: the stamp beside the binary holds STAMP_PREFIX and main.go's hash.
build_go_program() { # name source-folder module-name stamp-prefix module@version...
  local name=$1 source="$(dirname "$0")/../test/testbed/$2/main.go" module=$3 stamp_prefix=$4
  shift 4
  local stamp="$bin_dir/.$name.version" want_stamp
  want_stamp="$stamp_prefix $(sha256sum "$source" | cut -c1-16)"
  [ -x "$bin_dir/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_stamp" ] && return
  local dir="$work_root/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  log "building $name ($*)"
  cp "$source" "$dir/main.go"
  (cd "$dir" && go mod init "gitopsdrift.local/testbed/$module" >&2 && go get "$@" >&2 && go mod tidy >&2 \
    && go build -ldflags "-s -w" -o "$bin_dir/.$name.partial" .)
  mv -f "$bin_dir/.$name.partial" "$bin_dir/$name"
  echo "$want_stamp" >"$stamp"
}

# flux-build (test/testbed/fluxBuild): a folder rendered by the code kustomize-controller runs, for the Flux
# conformance cases; ~4 minutes the first time.
build_flux_build() {
  build_go_program flux-build fluxBuild fluxbuild "$FLUX_KUSTOMIZE_VERSION" "github.com/fluxcd/pkg/kustomize@$FLUX_KUSTOMIZE_VERSION"
}

# helm-values-from (test/testbed/helmValuesFrom): a HelmRelease's values and valuesFrom merged by the code
# helm-controller runs, for the valuesFrom conformance cases.
build_helm_values_from() {
  build_go_program helm-values-from helmValuesFrom helmvaluesfrom "$FLUX_CHARTUTIL_VERSION" \
    "github.com/fluxcd/pkg/chartutil@$FLUX_CHARTUTIL_VERSION"
}

# helm, as Helm's Makefile builds it (its version stamped in, so `.Capabilities.HelmVersion` and `helm version` say
# v4.3.2). Rebuilt when the pinned version changes (the stamp beside it).
build_helm() {
  local stamp="$bin_dir/.helm.version"
  [ -x "$bin_dir/helm" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$HELM_VERSION" ] && return
  local dir="$work_root/helm"
  rm -rf "$dir"; mkdir -p "$dir"
  log "building helm $HELM_VERSION"
  (cd "$dir" && GOBIN="$dir" go install -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@$HELM_VERSION")
  mv -f "$dir/helm" "$bin_dir/helm"
  echo "$HELM_VERSION" >"$stamp"
}

# kustomize-controller itself, for the one end-to-end test with the real controller (test/integration/flux/
# fluxController.test.ts). `go install` refuses a module with replace directives, so its module zip is copied and built
# in place. The zip leaves out ./api (a module of its own), so that replace points at the published api module of the
# same version, which go.mod already requires. Rebuilt when the pinned version changes (the stamp beside it). The
# first build takes about 6 CPU-minutes (10.5 min wall on 2 loaded cores, 148 modules to download; docs/testbed.md).
build_kustomize_controller() {
  local stamp="$bin_dir/.kustomize-controller.version"
  [ -x "$bin_dir/kustomize-controller" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$FLUX_KUSTOMIZE_CONTROLLER_VERSION" ] && return
  local dir="$work_root/kustomize-controller" module_dir
  rm -rf "$dir"; mkdir -p "$dir"
  log "building kustomize-controller $FLUX_KUSTOMIZE_CONTROLLER_VERSION (first time only; several minutes)"
  module_dir=$(cd "$work_root" && go mod download -json "github.com/fluxcd/kustomize-controller@$FLUX_KUSTOMIZE_CONTROLLER_VERSION" \
    | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$module_dir" ] || { echo "setup-testbed: go mod download github.com/fluxcd/kustomize-controller failed" >&2; exit 1; }
  cp -r "$module_dir/." "$dir/src"
  chmod -R u+w "$dir/src"
  (cd "$dir/src" \
    && go mod edit -replace "github.com/fluxcd/kustomize-controller/api=github.com/fluxcd/kustomize-controller/api@$FLUX_KUSTOMIZE_CONTROLLER_VERSION" \
    && go mod download "github.com/fluxcd/kustomize-controller/api@$FLUX_KUSTOMIZE_CONTROLLER_VERSION" >&2 \
    && go build -ldflags "-s -w" -o "$bin_dir/.kustomize-controller.partial" .)
  mv -f "$bin_dir/.kustomize-controller.partial" "$bin_dir/kustomize-controller"
  echo "$FLUX_KUSTOMIZE_CONTROLLER_VERSION" >"$stamp"
}

# oci-registry (test/testbed/ociRegistry): go-containerregistry's in-memory OCI registry on loopback, for the
# remote-chart tests (charts pushed by the real `helm push`); under a minute with Go's module cache warm.
build_oci_registry() {
  build_go_program oci-registry ociRegistry ociregistry "$GGCR_VERSION" "github.com/google/go-containerregistry@$GGCR_VERSION"
}

# s3-server (test/testbed/s3Server): gofakes3's in-memory S3-compatible server on loopback, for the Flux `Bucket`
# chart-source tests, with an optional SigV4 check by the AWS SDK's signer (the one gofakes3's go.mod requires);
# 17 s with its modules to download, 3 s warm.
build_s3_server() {
  local version=v1.2.0 # github.com/johannesboyne/gofakes3
  build_go_program s3-server s3Server s3server "$version" "github.com/johannesboyne/gofakes3@$version"
  rm -rf "$work_root/s3-server"
}

# appset-oracle (test/testbed/appsetOracle): text/template with Argo CD's function map and fasttemplate, for the
# ApplicationSet template conformance cases; seconds with Go's module cache warm.
build_appset_oracle() {
  # shellcheck disable=SC2086 # one module@version a word
  build_go_program appset-oracle appsetOracle appsetoracle \
    "$ARGOCD_VERSION $(echo "$APPSET_ORACLE_MODULES" | sha256sum | cut -c1-8)" $APPSET_ORACLE_MODULES
}

# Flux's CRDs, copied from the controllers' module zips (config/crd/bases): nothing to build. Prints their folder.
flux_crd_dir="$cache_root/testbed/flux-crds_kustomize-${FLUX_KUSTOMIZE_CONTROLLER_VERSION}_source-${FLUX_SOURCE_CONTROLLER_VERSION}_helm-${FLUX_HELM_CONTROLLER_VERSION}"
copy_flux_crds() {
  [ -f "$flux_crd_dir/.ready" ] && return
  rm -rf "$flux_crd_dir"; mkdir -p "$flux_crd_dir"
  local module dir
  for module in "kustomize-controller@$FLUX_KUSTOMIZE_CONTROLLER_VERSION" "source-controller@$FLUX_SOURCE_CONTROLLER_VERSION" \
    "helm-controller@$FLUX_HELM_CONTROLLER_VERSION"; do
    log "fetching github.com/fluxcd/$module (its CRDs)"
    dir=$(cd "$work_root" && go mod download -json "github.com/fluxcd/$module" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    [ -n "$dir" ] || { echo "setup-testbed: go mod download github.com/fluxcd/$module failed" >&2; exit 1; }
    cp "$dir"/config/crd/bases/*.yaml "$flux_crd_dir/"
  done
  chmod u+w "$flux_crd_dir"/*.yaml
  touch "$flux_crd_dir/.ready"
}

# Argo CD's CRDs (manifests/crds, into crds/) and its API's published schema (assets/swagger.json, which the Argo CD API
# tests check their replayed answers against), copied from its module zip: nothing to build, under a second once the
# module is in Go's module cache (about 15 s to fetch it the first time). Prints the CRDs' folder.
argocd_dir="$cache_root/testbed/argocd_${ARGOCD_VERSION}"
copy_argocd_crds() {
  [ -f "$argocd_dir/.ready" ] && return
  rm -rf "$argocd_dir"; mkdir -p "$argocd_dir/crds"
  local dir
  log "fetching github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION (its CRDs and API schema)"
  dir=$(cd "$work_root" && go mod download -json "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -n "$dir" ] || { echo "setup-testbed: go mod download github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION failed" >&2; exit 1; }
  cp "$dir"/manifests/crds/*-crd.yaml "$argocd_dir/crds/"
  cp "$dir"/assets/swagger.json "$argocd_dir/"
  chmod -R u+w "$argocd_dir"
  touch "$argocd_dir/.ready"
}

want="${*:-etcd kustomize kube-apiserver kubectl flux-build helm helm-values-from kustomize-controller oci-registry appset-oracle s3-server}"
for target in $want; do
  case "$target" in
    etcd) build_etcd ;;
    kustomize) build_kustomize ;;
    kustomize-schema) build_kustomize_schema ;;
    flux-build) build_flux_build ;;
    helm) build_helm ;;
    helm-values-from) build_helm_values_from ;;
    kustomize-controller) build_kustomize_controller ;;
    oci-registry) build_oci_registry ;;
    appset-oracle) build_appset_oracle ;;
    s3-server) build_s3_server ;;
    kube-apiserver|kubectl) build_kube "$target" ;;
    flux-crds) copy_flux_crds ;;
    argocd-crds) copy_argocd_crds ;;
    *) echo "setup-testbed: unknown target $target" >&2; exit 1 ;;
  esac
done
rm -rf "$work_root/etcd" "$work_root/kustomize" "$work_root/kustomize-schema" "$work_root/flux-build" "$work_root/helm" \
  "$work_root/helm-values-from" "$work_root/kustomize-controller" "$work_root/oci-registry" "$work_root/appset-oracle"
log "ready: $bin_dir"
case "$want" in
  flux-crds) echo "$flux_crd_dir" ;;
  argocd-crds) echo "$argocd_dir/crds" ;;
  *) echo "$bin_dir" ;;
esac
