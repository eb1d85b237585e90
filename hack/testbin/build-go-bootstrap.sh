#!/usr/bin/env bash
# Builds the Go test function in test/fixtures/go-bootstrap (github.com/aws/aws-lambda-go) into a `bootstrap` for a
# `provided` runtime, in a cache outside the repo keyed by the library's version and a hash of its sources; does
# nothing when it is already there.
# Usage: hack/testbin/build-go-bootstrap.sh   → prints the binary's path on its last line.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../../test/fixtures/go-bootstrap" && pwd)"
LAMBDA_GO_VERSION=1.55.1
grep -q "github.com/aws/aws-lambda-go v${LAMBDA_GO_VERSION}\$" "$SRC/go.mod" || {
  echo "build-go-bootstrap: $SRC/go.mod does not require github.com/aws/aws-lambda-go v${LAMBDA_GO_VERSION}" >&2; exit 1; }
hash=$(cat "$SRC/main.go" "$SRC/go.mod" "$SRC/go.sum" | sha256sum | cut -c1-16)
OUT="${KLAMBDA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klambda}/go-bootstrap-aws-lambda-go-v${LAMBDA_GO_VERSION}-${hash}"
if [ -x "$OUT/bootstrap" ]; then
  echo "$OUT/bootstrap"; exit 0
fi
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$OUT"
tmp=$(mktemp "$OUT/.bootstrap.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cd "$SRC"
# lambda.norpc: the Runtime API loop only, without the legacy go1.x RPC server; go.sum pins every module.
CGO_ENABLED=0 GOOS=linux go build -mod=readonly -buildvcs=false -trimpath -tags lambda.norpc -ldflags "-s -w" -o "$tmp" .
chmod 0755 "$tmp"
mv -f "$tmp" "$OUT/bootstrap"
echo "$OUT/bootstrap"
