#!/usr/bin/env bash
# Builds the real Kubernetes control plane (kube-apiserver, kube-controller-manager, kube-scheduler), kubectl
# from the same Kubernetes version, and etcd from Go modules into a cache outside the repo, keyed by version; does nothing when they are already there.
# Usage: hack/testbin/build-control-plane.sh   → prints the bin folder on its last line.
set -euo pipefail
K8S_VERSION="${K8S_VERSION:-1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
CACHE="${KLAMBDA_CACHE:-$HOME/.cache/klambda}/k8s-v${K8S_VERSION}-etcd-v${ETCD_VERSION}"
BIN="$CACHE/bin"
if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] && [ -x "$BIN/kube-scheduler" ] && [ -x "$BIN/kubectl" ] && [ -x "$BIN/etcd" ]; then
  echo "$BIN"; exit 0
fi
mkdir -p "$BIN"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=0

build_kube() {
# kube-*: a module that requires k8s.io/kubernetes with a replace for each staging module (from its own go.mod).
mkdir -p "$work/kube" && cd "$work/kube"
go mod init klambda.dev/testbin/kube >/dev/null 2>&1
gomod=$(go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
minor="0.${K8S_VERSION#1.}"
for m in $(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod"); do
  go mod edit -replace="$m=$m@v$minor"
done
go mod edit -require="k8s.io/kubernetes@v${K8S_VERSION}"
godebug=$(sed -n 's/^godebug \(.*\)/\1/p' "$gomod")
[ -n "$godebug" ] && go mod edit -godebug="$godebug"
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod tidy -e >/dev/null 2>&1 || true
minor_only="${K8S_VERSION#1.}"; minor_only="${minor_only%%.*}"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor_only}"
targets=()
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  [ -x "$BIN/$cmd" ] || targets+=("k8s.io/kubernetes/cmd/$cmd")
done
go build -p 2 -trimpath -ldflags "$ldflags" -o "$BIN/" "${targets[@]}"
}

build_etcd() {

# etcd: its server module's main.
mkdir -p "$work/etcd" && cd "$work/etcd"
go mod init klambda.dev/testbin/etcd >/dev/null 2>&1
go mod edit -require="go.etcd.io/etcd/server/v3@v${ETCD_VERSION}"
printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
go mod tidy -e >/dev/null 2>&1 || true
go build -p 2 -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
}

[ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] && [ -x "$BIN/kube-scheduler" ] && [ -x "$BIN/kubectl" ] || build_kube
[ -x "$BIN/etcd" ] || build_etcd
echo "$BIN"
