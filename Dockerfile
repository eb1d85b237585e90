# syntax=docker/dockerfile:1
# The klambda image: the controller and router (`klambda controller|router`) and the runtime agent of every function pod
# (node /opt/klambda/dist/agent/main.js). Build from the repository root: docker build -t klambda .
FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY scripts/copy-assets.mjs scripts/
COPY src/ src/
# dist/ with the Lua scripts and runtime bootstraps beside the code, then only the production dependencies
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
# The agent container adds only the KILL capability (to end its function's processes, another uid, on a timeout). A
# non-root container loses added capabilities at exec unless its first program carries them as file capabilities:
# this copy of setpriv does (cap_kill+ep) and hands KILL on as an ambient capability to node. Only the agent runs it.
# Versions are Debian bookworm's current ones: pinning a point release breaks the build when the mirror moves on.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && install -d /opt/klambda/bin \
 && cp /usr/bin/setpriv /opt/klambda/bin/setpriv \
 && setcap cap_kill=ep /opt/klambda/bin/setpriv \
 && apt-get purge -y libcap2-bin \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/klambda
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/dist/ dist/
ENV NODE_ENV=production
USER 10001:10001
ENTRYPOINT ["node", "/opt/klambda/dist/cli/main.js"]
CMD ["--help"]
