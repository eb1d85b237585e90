#!/usr/bin/env bash
# Builds Jaeger (the all-in-one `jaeger` binary: OTLP receiver, in-memory storage, query API and UI) from Go modules
# into a cache outside the repo, keyed by version; does nothing when it is already there.
# Usage: hack/testbin/build-jaeger.sh   → prints the bin folder on its last line.
set -euo pipefail
JAEGER_VERSION="${JAEGER_VERSION:-1.75.0}"
BIN="${KLAMBDA_CACHE:-$HOME/.cache/klambda}/jaeger-v${JAEGER_VERSION}/bin"
if [ -x "$BIN/jaeger" ]; then
  echo "$BIN"; exit 0
fi
mkdir -p "$BIN"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=0
cd "$work"
go mod init klambda.dev/testbin/jaeger >/dev/null 2>&1
go mod edit -require="github.com/jaegertracing/jaeger@v${JAEGER_VERSION}"
gomod=$(go mod download -json "github.com/jaegertracing/jaeger@v${JAEGER_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
sed -n 's#^replace \(\S*\) => \(\S*\) \(v\S*\)$#\1=\2@\3#p' "$gomod" | while read -r r; do go mod edit -replace="$r"; done
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "github.com/jaegertracing/jaeger/cmd/jaeger"
)
GO
go mod tidy -e >/dev/null 2>&1 || true
go build -p 2 -trimpath -ldflags "-s -w" -o "$BIN/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
echo "$BIN"
