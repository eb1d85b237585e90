#!/usr/bin/env bash
# The video pipeline in klambda's local mode: klambda dev on this folder (127.0.0.1:9000) and versitygw as the S3
# server (127.0.0.1:7070, objects in .klambda/versitygw), which posts its object events to klambda dev's webhook.
# Runs until Ctrl-C. Needs node 20+, redis-server, ffmpeg, and Go (once, to build versitygw into ~/.cache/klambda).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

command -v ffmpeg >/dev/null || { echo "ffmpeg is not on the PATH (Debian/Ubuntu: apt-get install -y ffmpeg)" >&2; exit 1; }
[ -f "$root/dist/cli/main.js" ] || (cd "$root" && npm run build)
# the functions' one dependency tree (the S3 and SNS clients), pinned by functions/package-lock.json
[ -d functions/node_modules ] || (cd functions && npm ci --omit=dev --no-audit --no-fund)
gw_bin="${KLAMBDA_VERSITYGW_BIN:-$(bash "$root/hack/testbin/build-versitygw.sh" | tail -n 1)}"

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait; }
trap stop EXIT INT TERM

node "$root/dist/cli/main.js" dev . --port 9000 &
pids+=($!)
until curl -sf http://127.0.0.1:9000/healthz >/dev/null; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "klambda dev exited" >&2; exit 1; }
  sleep 0.2
done

# versitygw posts a test event at start and refuses to start if klambda does not answer it: klambda first
gw_dir="$here/.klambda/versitygw"
mkdir -p "$gw_dir/buckets" "$gw_dir/iam"
ROOT_ACCESS_KEY_ID=videodemo ROOT_SECRET_ACCESS_KEY=videodemo-secret \
  "$gw_bin/versitygw" --port 127.0.0.1:7070 --region us-east-1 --iam-dir "$gw_dir/iam" --quiet \
  --event-webhook-url "http://127.0.0.1:9000/_klambda/s3-events/default/$(cat .klambda/s3-events-token)" \
  posix "$gw_dir/buckets" &
pids+=($!)
echo "versitygw on http://127.0.0.1:7070 (key videodemo); upload a clip with: $here/upload.sh"
wait -n "${pids[@]}"
