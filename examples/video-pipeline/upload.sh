#!/usr/bin/env bash
# Uploads a clip through upload's Function URL and shows what the pipeline did with it: the renditions, and each
# notification (by the topic and by the rule). Usage: upload.sh [VIDEO.mp4] (default: a 2 s testsrc clip).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
api="${KLAMBDA_URL:-http://127.0.0.1:9000}"
clip="${1:-}"
if [ -z "$clip" ]; then
  clip="${TMPDIR:-/tmp}/klambda-video-pipeline-clip.mp4"
  "$here/make-clip.sh" "$clip" 2 >/dev/null
fi
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const f=new Function("v","return "+process.argv[1]);console.log(f(v))})' "$1"; }

# the URL's id, served under the router's /lambda-url/<url-id>/ (no DNS needed); GetFunctionUrlConfig signed by the
# AWS CLI when AWS_ACCESS_KEY_ID is set (a cluster's router wants an access key), else plain curl (klambda dev)
if [ -n "${AWS_ACCESS_KEY_ID:-}" ]; then
  function_url="$(aws lambda get-function-url-config --endpoint-url "$api" --function-name upload --query FunctionUrl --output text)"
else
  function_url="$(curl -sf "$api/2021-10-31/functions/upload/url" | json 'v.FunctionUrl')"
fi
url_id="$(echo "\"$function_url\"" | json 'new URL(v).hostname.split(".")[0]')"
url="$api/lambda-url/$url_id"
answer="$(curl -sf -X POST --data-binary @"$clip" -H 'Content-Type: video/mp4' "$url/")"
echo "uploaded: $answer"
status="$url$(echo "$answer" | json 'v.status')"
for _ in $(seq 1 240); do
  now="$(curl -sf "$status")"
  if [ "$(echo "$now" | json 'v.done')" = true ]; then
    if [ "$(echo "$now" | json 'v.failed !== undefined')" = true ]; then
      echo "transcode could not read it: $(echo "$now" | json 'v.failed')" >&2
      exit 1
    fi
    echo "$now" | json 'v.renditions.map((r) => `rendition    ${r.key} (${r.size} bytes)`).join("\n")'
    echo "$now" | json 'v.notifications.map((n) => `notification ${n}`).join("\n")'
    exit 0
  fi
  sleep 0.5
done
echo "not done after 2 minutes: $now" >&2
exit 1
