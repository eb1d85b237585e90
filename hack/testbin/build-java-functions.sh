#!/usr/bin/env bash
# Compiles the Java test functions in test/fixtures/java-functions with javac against aws-lambda-java-core (from
# hack/testbin/fetch-java-ric.sh), into a cache outside the repo keyed by a hash of their sources and of the javac
# version: classes/ (a classes folder as code) and functions.jar (a jar as code); does nothing when they are there.
# Usage: hack/testbin/build-java-functions.sh   → prints the folder's path on its last line.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(cd "$HERE/../../test/fixtures/java-functions" && pwd)"
RIC="$(bash "$HERE/fetch-java-ric.sh" | tail -n 1)"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
hash=$( (cd "$SRC" && find . -name '*.java' | sort | xargs cat; "$JAVAC" -version 2>&1) | sha256sum | cut -c1-16)
OUT="${KLAMBDA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klambda}/java-functions-${hash}"
if [ -f "$OUT/functions.jar" ]; then
  echo "$OUT"; exit 0
fi
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d "$(dirname "$OUT")/.java-functions.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# --release 17: the classes run on java17 and java21 alike
(cd "$SRC" && find . -name '*.java' | sort | xargs "$JAVAC" --release 17 -encoding UTF-8 -cp "$RIC/aws-lambda-java-core-1.4.0.jar" -d "$tmp/classes")
"${JAVA_HOME:+$JAVA_HOME/bin/}jar" --create --file "$tmp/functions.jar" -C "$tmp/classes" .
chmod -R a+rX "$tmp"
rm -rf "$OUT"
mv "$tmp" "$OUT"
trap - EXIT
echo "$OUT"
