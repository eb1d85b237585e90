#!/usr/bin/env bash
# Builds Prometheus and promtool from Go modules into a cache outside the repo, keyed by version; does nothing
# when they are already there. The web UI's assets are not embedded (the tests use the HTTP API only).
# Usage: hack/testbin/build-prometheus.sh   → prints the bin folder on its last line.
set -euo pipefail
PROM_VERSION="${PROM_VERSION:-0.316.0}"
BIN="${KLAMBDA_CACHE:-$HOME/.cache/klambda}/prometheus-v${PROM_VERSION}/bin"
if [ -x "$BIN/prometheus" ] && [ -x "$BIN/promtool" ]; then
  echo "$BIN"; exit 0
fi
mkdir -p "$BIN"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=0
cd "$work"
go mod init klambda.dev/testbin/prometheus >/dev/null 2>&1
go mod edit -require="github.com/prometheus/prometheus@v${PROM_VERSION}"
# The module's own replace directives do not apply to a dependent module: copy them.
gomod=$(go mod download -json "github.com/prometheus/prometheus@v${PROM_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
sed -n 's#^replace \(\S*\) => \(\S*\) \(v\S*\)$#\1=\2@\3#p' "$gomod" | while read -r r; do go mod edit -replace="$r"; done
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
GO
go mod tidy -e >/dev/null 2>&1 || true
# the module version v0.MMM.P is Prometheus M.MM.P (v0.316.0: 3.16.0)
mm=${PROM_VERSION#0.}; mm=${mm%%.*}; patch=${PROM_VERSION##*.}
ldflags="-s -w -X github.com/prometheus/common/version.Version=$((mm / 100)).$((mm % 100)).${patch} -X github.com/prometheus/common/version.Branch=HEAD"
go build -p 2 -trimpath -ldflags "$ldflags" -o "$BIN/" github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
echo "$BIN"
