#!/bin/sh
# Makes the code store's keys for `kubectl apply -k config/default` (kustomize makes nothing random), once:
# config/default/code-store-secret/{accessKeyId,secretAccessKey,readerAccessKeyId,readerSecretAccessKey,users.json},
# read by its secretGenerator. users.json is versitygw's internal IAM file with the reader, as the chart renders it
# (charts/klambda/templates/code-store/secret.yaml). An existing folder is kept, so the keys stay those the pods have.
set -eu
dir="$(dirname "$0")/code-store-secret"
[ -f "$dir/users.json" ] && { echo "$dir exists; keeping it"; exit 0; }
mkdir -p "$dir"
umask 077
alnum() { LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$1"; }
writer=$(alnum 20); writer_secret=$(alnum 40)
reader=$(alnum 20); reader_secret=$(alnum 40)
printf %s "$writer" > "$dir/accessKeyId"
printf %s "$writer_secret" > "$dir/secretAccessKey"
printf %s "$reader" > "$dir/readerAccessKeyId"
printf %s "$reader_secret" > "$dir/readerSecretAccessKey"
printf '{"accessAccounts":{"%s":{"access":"%s","groupID":0,"projectID":0,"role":"user","secret":"%s","userID":0}}}' \
  "$reader" "$reader" "$reader_secret" > "$dir/users.json"
echo "wrote $dir"
