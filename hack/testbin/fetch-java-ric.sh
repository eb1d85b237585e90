#!/usr/bin/env bash
# Fetches the jars of AWS's Java runtime (aws-lambda-java-runtime-interface-client and its runtime dependencies) from
# Maven Central, each checked against the SHA-256 pinned below, into a cache outside the repo keyed by the client's
# version, with the client's JNI library for this machine unpacked beside them; does nothing when it is already there.
# The java17/java21 runtimes of the local mode (and the process node's runtime images) run from that folder; the
# runtime images download the same pinned files (docker/java17.Dockerfile).
# Usage: hack/testbin/fetch-java-ric.sh   → prints the folder's path on its last line.
set -euo pipefail
RIC_VERSION=2.10.1
REPO="${KLAMBDA_MAVEN_REPO:-https://repo1.maven.org/maven2}"
# path under the repository, SHA-256 (from the client's pom: aws-lambda-java-core 1.4.0, aws-lambda-java-serialization
# 1.2.0, utils-lite 2.34.0; utils-lite's only compile dependency is annotations, not needed at run time)
JARS=(
  "com/amazonaws/aws-lambda-java-runtime-interface-client/${RIC_VERSION}/aws-lambda-java-runtime-interface-client-${RIC_VERSION}.jar b0dd01f45b7258da0e32ade0bff950b12d0cf279ccebf416ad8c3795af21f1db"
  "com/amazonaws/aws-lambda-java-core/1.4.0/aws-lambda-java-core-1.4.0.jar 575c24393cc1ad645e83e618956eabd89ffe8cc09efae2cb62bc6589154d68ed"
  "com/amazonaws/aws-lambda-java-serialization/1.2.0/aws-lambda-java-serialization-1.2.0.jar 1513c1f945a3213f916a4b2de1760c97b51d84d110f82bbbcf9cfac53d5651e7"
  "software/amazon/awssdk/utils-lite/2.34.0/utils-lite-2.34.0.jar efaf784f07ae526f0b5c89d71ef21cf16636131c47d44616e3df9bedc3f4f89a"
)
OUT="${KLAMBDA_JAVA_RIC_DIR:-${KLAMBDA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klambda}/java-ric-${RIC_VERSION}}"
if [ -f "$OUT/.complete" ]; then
  echo "$OUT"; exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch_64 ;;
  *) echo "fetch-java-ric: no JNI library of the runtime client for $(uname -m)" >&2; exit 1 ;;
esac
libc=linux
if ldd --version 2>&1 | grep -qi musl; then libc=linux_musl; fi
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d "$(dirname "$OUT")/.java-ric.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for entry in "${JARS[@]}"; do
  path=${entry% *} sum=${entry#* }
  file="$tmp/$(basename "$path")"
  curl -fsSL --retry 3 -o "$file" "$REPO/$path"
  echo "$sum  $file" | sha256sum -c --quiet - || { echo "fetch-java-ric: $path does not have its pinned SHA-256" >&2; exit 1; }
done
# the client would copy it to a fixed /tmp/.libaws-lambda-jni.so at each start (shared by every function of the
# machine); the runtime loads this read-only copy instead (-Dcom.amazonaws.…NativeClient.JNI)
unzip -p "$tmp/aws-lambda-java-runtime-interface-client-${RIC_VERSION}.jar" "jni/libaws-lambda-jni.${libc}-${arch}.so" > "$tmp/libaws-lambda-jni.so"
chmod 0644 "$tmp"/*
chmod 0755 "$tmp"
touch "$tmp/.complete"
rm -rf "$OUT"
mv "$tmp" "$OUT"
trap - EXIT
echo "$OUT"
