#!/usr/bin/env bash
# Builds the Rust test function in test/fixtures/rust-bootstrap (the lambda_runtime and aws_lambda_events crates from
# crates.io) into a `bootstrap` for a `provided` runtime, in a cache outside the repo keyed by the crates' versions and
# a hash of its sources; does nothing when it is already there. Cargo.lock pins every crate.
# Usage: hack/testbin/build-rust-bootstrap.sh   → prints the binary's path on its last line.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../../test/fixtures/rust-bootstrap" && pwd)"
LAMBDA_RUNTIME_VERSION=1.5.0
EVENTS_VERSION=1.2.1
grep -q "^lambda_runtime = { version = \"=${LAMBDA_RUNTIME_VERSION}\"" "$SRC/Cargo.toml" || {
  echo "build-rust-bootstrap: $SRC/Cargo.toml does not pin lambda_runtime ${LAMBDA_RUNTIME_VERSION}" >&2; exit 1; }
grep -q "^aws_lambda_events = { version = \"=${EVENTS_VERSION}\"" "$SRC/Cargo.toml" || {
  echo "build-rust-bootstrap: $SRC/Cargo.toml does not pin aws_lambda_events ${EVENTS_VERSION}" >&2; exit 1; }
hash=$(cat "$SRC/src/main.rs" "$SRC/Cargo.toml" "$SRC/Cargo.lock" | sha256sum | cut -c1-16)
CACHE="${KLAMBDA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klambda}"
OUT="$CACHE/rust-bootstrap-lambda_runtime-v${LAMBDA_RUNTIME_VERSION}-${hash}"
if [ -x "$OUT/bootstrap" ]; then
  echo "$OUT/bootstrap"; exit 0
fi
command -v cargo >/dev/null 2>&1 || export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null 2>&1 || { echo "build-rust-bootstrap: cargo not found (install Rust with rustup)" >&2; exit 1; }
mkdir -p "$OUT"
tmp=$(mktemp "$OUT/.bootstrap.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# the build's own folder outside the repo, kept between source changes so that a rebuild compiles the function only
CARGO_TARGET_DIR="$CACHE/rust-bootstrap-target" cargo build --locked --release --quiet --manifest-path "$SRC/Cargo.toml" >&2
cp "$CACHE/rust-bootstrap-target/release/bootstrap" "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$OUT/bootstrap"
echo "$OUT/bootstrap"
