# syntax=docker/dockerfile:1
# klambda's provided runtime image: the function container of a `provided` function, whose code (mounted at /var/task)
# brings its own executable bootstrap. Nothing is built, so one stage: Debian with TLS roots and curl for shell bootstraps.
# A Go bootstrap (aws-lambda-go, CGO_ENABLED=0: static) and a Rust one (lambda_runtime: glibc and libgcc_s, both in
# Debian 12) run here as built.
# Build from the repository root: docker build -f docker/provided.Dockerfile -t klambda-provided .
FROM debian:bookworm-slim@sha256:7b140f374b289a7c2befc338f42ebe6441b7ea838a042bbd5acbfca6ec875818
# Versions are Debian bookworm's current ones: pinning a point release breaks the build when the mirror moves on.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /var/task
USER 10002:10002
ENTRYPOINT ["/var/task/bootstrap"]
