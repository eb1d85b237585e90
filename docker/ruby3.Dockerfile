# syntax=docker/dockerfile:1
# klambda's ruby3 runtime image: the function container of a ruby3 function, its code mounted at /var/task. Debian 12's
# Ruby (3.1), the Ruby the local mode runs on a Debian 12 machine.
# Build from the repository root: docker build -f docker/ruby3.Dockerfile -t klambda-ruby3 .
FROM debian:bookworm-slim@sha256:7b140f374b289a7c2befc338f42ebe6441b7ea838a042bbd5acbfca6ec875818
# Versions are Debian bookworm's current ones: pinning a point release breaks the build when the mirror moves on.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ruby ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY src/agent/runtimes/ruby/ /var/runtime/
# a broken bootstrap fails the build, not every function's init
RUN ruby -c /var/runtime/bootstrap.rb
ENV LANG=C.UTF-8
WORKDIR /var/task
USER 10002:10002
ENTRYPOINT ["ruby", "/var/runtime/bootstrap.rb"]
