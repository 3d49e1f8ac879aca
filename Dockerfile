# No `# syntax=` line: BuildKit would pull its frontend image for it, and the built-in frontend
# understands everything below (COPY --chmod included), also where no registry is reachable.
# One image for every catcast binary. The first argument selects the binary:
#   docker run catcast:dev ingest|relay|aggregator|forecast-api|forecast-job|migrate|simulator|catcast
# Runs as the numeric non-root user 10001 and writes nothing outside /tmp, so it works with
# readOnlyRootFilesystem: true and an emptyDir mounted at /tmp (see cdk8s/).

ARG NODE_IMAGE=node:20.20-slim

# --- build: compile TypeScript (and the UI when the project has a build:ui script) ---
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# --if-present keeps the image buildable while the UI build does not exist yet; the mkdirs make
# the runtime COPYs below valid whichever optional outputs exist.
RUN npm run build --if-present \
 && npm run build:ui --if-present \
 && mkdir -p dist ui/dist pkg/ui/static migrations

# --- deps: production dependencies only, no install scripts (nothing native is needed at run time) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp
WORKDIR /app
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/package.json ./package.json
COPY --from=build --chown=0:0 /src/dist ./dist
COPY --from=build --chown=0:0 /src/ui/dist ./ui/dist
COPY --from=build --chown=0:0 /src/pkg/ui/static ./pkg/ui/static
COPY --from=build --chown=0:0 /src/migrations ./migrations
COPY --chown=0:0 --chmod=0555 scripts/k8s/entrypoint.sh /usr/local/bin/catcast-entrypoint
# Files stay root-owned and read-only for the app user: a compromised process cannot rewrite its code.
USER 10001:10001
EXPOSE 8081 8082 8083 8090
ENTRYPOINT ["/usr/local/bin/catcast-entrypoint"]
CMD ["--help"]
