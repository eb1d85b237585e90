# syntax=docker/dockerfile:1
# klambda's nodejs20 runtime image: the function container of a nodejs20 function, its code mounted at /var/task.
# Build from the repository root: docker build -f docker/nodejs20.Dockerfile -t klambda-nodejs20 .
FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS check
COPY src/agent/runtimes/nodejs/ /var/runtime/
COPY docker/runtimes/nodejs20/bootstrap /var/runtime/bootstrap
# a broken bootstrap fails the build, not every function's init
RUN node --check /var/runtime/bootstrap.mjs && node --check /var/runtime/runtime-api-client.mjs && sh -n /var/runtime/bootstrap

FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
COPY --from=check /var/runtime/ /var/runtime/
WORKDIR /var/task
USER 10002:10002
ENTRYPOINT ["/var/runtime/bootstrap"]
