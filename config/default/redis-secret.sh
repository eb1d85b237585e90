#!/bin/sh
# Makes the Redis users' passwords for `kubectl apply -k config/default` (kustomize makes nothing random), once:
# config/default/redis-secret/{controller-password,router-password,redis.conf}, read by its secretGenerator.
# redis.conf holds only the passwords' SHA-256, with the ACL rules the chart writes (charts/klambda/templates/redis/secret.yaml).
# An existing folder is kept, so the passwords stay those Redis and the pods already have.
set -eu
dir="$(dirname "$0")/redis-secret"
[ -f "$dir/redis.conf" ] && { echo "$dir exists; keeping it"; exit 0; }
mkdir -p "$dir"
umask 077
controller=$(openssl rand -hex 24)
router=$(openssl rand -hex 24)
printf %s "$controller" > "$dir/controller-password"
printf %s "$router" > "$dir/router-password"
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
rules='~klambda:* &klambda:* +@all -@dangerous +info'
cat > "$dir/redis.conf" <<CONF
# rendered by config/default/redis-secret.sh; \`dir\` and \`port\` are given on the command line
appendonly yes
appendfsync everysec
protected-mode no
user default off
user klambda-controller reset on resetpass #$(sha "$controller") $rules +acl
user klambda-router reset on resetpass #$(sha "$router") $rules
CONF
echo "wrote $dir"
