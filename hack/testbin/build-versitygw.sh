#!/usr/bin/env bash
# Builds versitygw (the Apache-2.0 S3 gateway the chart runs as the code store) from Go modules into a cache outside
# the repo, keyed by version; does nothing when it is already there.
# Usage: hack/testbin/build-versitygw.sh   → prints the bin folder on its last line.
set -euo pipefail
VERSITYGW_VERSION="${VERSITYGW_VERSION:-1.8.0}"
BIN="${KLAMBDA_CACHE:-$HOME/.cache/klambda}/versitygw-v${VERSITYGW_VERSION}/bin"
if [ -x "$BIN/versitygw" ]; then
  echo "$BIN"; exit 0
fi
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$BIN"
# `go install pkg@version` builds the module at that version with its own go.sum; it refuses a module with replace
# directives (v1.8.0 has none), so a later version that adds some fails here instead of building something else.
ldflags="-s -w -X main.Version=v${VERSITYGW_VERSION}"
GOBIN="$BIN" CGO_ENABLED=0 go install -p 2 -trimpath -ldflags "$ldflags" \
  "github.com/versity/versitygw/cmd/versitygw@v${VERSITYGW_VERSION}"
echo "$BIN"
