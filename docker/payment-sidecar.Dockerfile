# syntax=docker/dockerfile:1
# The TRON payout sidecar (`lucid-payout`, payment-sidecar/) as its own distroless image.
#
#   bash docker/build.sh                       # buildah, no Docker engine needed (see its --help)
#   docker build -f docker/payment-sidecar.Dockerfile -t lucid-payout .          # the same file with Docker
#
# The build context is the repository root; docker/payment-sidecar.Dockerfile.dockerignore lets in only the files
# below (Docker picks it up by name; docker/build.sh passes it to buildah with --ignorefile). node/ is not in the
# context, so nothing of the node workspace can reach the image.
#
# How TypeScript is run: the build stage bundles the sidecar with esbuild (the transpiler tsx uses, so the code that
# runs is what the tests run) into one ES module: its sources, the few protocols/ modules it imports and its
# dependencies. Not tsc + node_modules: ethers and tronweb install 46 MB (each ships CommonJS, ESM and browser
# copies) where the bundle is ~3 MB; not tsx at runtime: that ships tsx and esbuild's native binary and transpiles
# on every start. The final image holds no node_modules, no TypeScript and no build tool.

ARG BUILD_IMAGE=docker.io/library/node:22-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
# esbuild's version: docker/build.sh passes the one in package-lock.json
ARG ESBUILD_VERSION=0.28.2
# Only where the npm registry is reached through a TLS proxy with its own CA: the CA bundle's path, mounted
# read-only into the build (buildah build -v /etc/ssl/certs:/etc/ssl/certs:ro; docker/build.sh --ca-bundle).
ARG NODE_EXTRA_CA_CERTS
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /src

# 1. Only the sidecar's production dependencies (ethers, tronweb, @noble/ciphers, hash-wasm and what they need),
#    exactly as package-lock.json pins them; no install scripts run.
COPY package.json package-lock.json .npmrc ./
COPY payment-sidecar/package.json payment-sidecar/
RUN npm ci --workspace payment-sidecar --omit=dev --ignore-scripts --no-audit --no-fund
# 2. The bundler, outside the project's tree.
RUN npm install --prefix /tools --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "esbuild@${ESBUILD_VERSION}"

# 3. The sources the sidecar runs: its src/ and protocols/ (it imports the keystore AEAD and the batch encodings).
COPY protocols/ protocols/
COPY payment-sidecar/src/ payment-sidecar/src/
# The `require` banner: some CommonJS dependencies require Node built-ins, which an ES module bundle must get from
# createRequire. The optional native BLAKE3 (@napi-rs/blake-hash, loaded with createRequire in protocols/) is not
# bundled: protocols/session/blake3.ts falls back to hash-wasm, ample for a batch root.
RUN node /tools/node_modules/esbuild/bin/esbuild payment-sidecar/src/cli/main.ts \
      --bundle --platform=node --format=esm --target=node22 --legal-comments=external --log-level=warning \
      "--banner:js=import { createRequire as __lucidRequire } from 'node:module'; const require = __lucidRequire(import.meta.url);" \
      --outfile=/out/opt/lucid/payment-sidecar/dist/lucid-payout.mjs

# 4. The contract ABIs src/abi.ts reads at runtime (loadAbis: PayoutRouterV0, PayoutRouterKYC, ParamRegistry), at
#    /opt/lucid/contracts/build: that is the bundle's default contractsDir (../../contracts/build from dist/), and
#    what the image's configs set as "contractsDir". The committed artifacts, unchanged.
COPY contracts/build/PayoutRouterV0.json contracts/build/PayoutRouterKYC.json contracts/build/ParamRegistry.json /out/opt/lucid/contracts/build/
COPY docker/payment-sidecar-healthcheck.mjs /out/opt/lucid/payment-sidecar/healthcheck.mjs
# The data directory, 0700 and owned by the sidecar's user in the final stage (a new volume takes its owner and
# mode). Its parents are copied first, root-owned, so that the --chown below cannot reach /var or /var/lib.
RUN mkdir -p /data/parents/var/lib /data/lib && mkdir -m 0700 /data/lib/lucid-payout

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="lucid-payout" \
      org.opencontainers.image.description="Lucid's TRON payout sidecar: pays final payout batches in USDT-TRC20, exactly once" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/opt/lucid/ /opt/lucid/
COPY --from=build /data/parents/ /
COPY --from=build --chown=65532:65532 /data/lib/ /var/lib/
# The config (docs/payment-sidecar.md, "Container"): mount it here, or point LUCID_PAYOUT_CONFIG elsewhere.
ENV LUCID_PAYOUT_CONFIG=/etc/lucid-payout/config.json
# distroless's nonroot user
USER 65532:65532
# ledger.jsonl, keystore.json, api-token, PAUSED
VOLUME ["/var/lib/lucid-payout"]
# the HTTP API and /metrics (api.port; set api.host to 0.0.0.0 in the config to publish it)
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/nodejs/bin/node", "/opt/lucid/payment-sidecar/healthcheck.mjs"]
ENTRYPOINT ["/nodejs/bin/node", "/opt/lucid/payment-sidecar/dist/lucid-payout.mjs"]
CMD ["start"]
