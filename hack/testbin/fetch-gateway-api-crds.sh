#!/usr/bin/env bash
# Fetches the Gateway API's standard CRDs (config/crd/standard/*.yaml of the Go module sigs.k8s.io/gateway-api) into a
# cache outside the repo, keyed by version; does nothing when they are already there. The tests that expose Function
# URLs through HTTPRoutes install them on the control plane ($KLAMBDA_GATEWAY_API_CRDS).
# Usage: hack/testbin/fetch-gateway-api-crds.sh   → prints the CRD folder on its last line.
set -euo pipefail
GATEWAY_API_VERSION="${GATEWAY_API_VERSION:-1.6.3}"
DIR="${KLAMBDA_CACHE:-$HOME/.cache/klambda}/gateway-api-v${GATEWAY_API_VERSION}/crds"
if [ -f "$DIR/gateway.networking.k8s.io_httproutes.yaml" ]; then
  echo "$DIR"; exit 0
fi
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
# `go mod download` verifies the module against the checksum database and leaves it read-only in the module cache
mod=$(go mod download -json "sigs.k8s.io/gateway-api@v${GATEWAY_API_VERSION}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
mkdir -p "$DIR"
install -m 0644 "$mod"/config/crd/standard/*.yaml "$DIR/"
echo "$DIR"
