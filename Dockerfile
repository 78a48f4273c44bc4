# syntax=docker/dockerfile:1
# The easymo-dr worker (and the `dr` CLI, and `dr codec-server`) as a small, non-root image:
#   docker build -t easymo-dr .        (docker compose builds it for the `worker` service)
# Stage 1 installs the production dependencies, prebuilds the workflow bundle (so the worker
# starts polling at once) and compiles src/ to dist/src (the worker and the CLI run that JavaScript,
# not TypeScript through tsx); stage 2 is node:20-slim with those, the sources and the runbooks.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` runs `prepare` (scripts/build-cli.mjs), which has nothing to compile until src/ is copied.
COPY scripts/build-cli.mjs ./scripts/build-cli.mjs
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY scripts/bundle-workflows.ts ./scripts/bundle-workflows.ts
RUN node --import tsx scripts/bundle-workflows.ts /app/dist/workflow-bundle.js
# The worker and the `dr` CLI as JavaScript (dist/src): no tsx loader in the worker (about 60 MB of
# its peak RSS, BENCHMARKS.md), and no TypeScript compiled on each `dr` call.
RUN node scripts/build-cli.mjs

FROM node:20-slim
# pg_dump / pg_restore / psql for the postgres.* steps (DR_PG_BIN_DIR points elsewhere when the server
# is newer), tini to forward signals so a stop lets running steps finish or cancel cleanly.
RUN apt-get update \
  && apt-get install -y --no-install-recommends postgresql-client tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DR_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    DR_RUNBOOKS_DIR=/app/runbooks \
    DR_STATE_DIR=/var/lib/easymo-dr \
    DR_METRICS_PORT=9464 \
    DR_METRICS_HOST=0.0.0.0 \
    DR_LOG_FORMAT=json \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY scripts/build-cli.mjs ./scripts/build-cli.mjs
COPY src ./src
COPY runbooks ./runbooks
RUN mkdir -p /var/lib/easymo-dr && chown node:node /var/lib/easymo-dr
USER node
EXPOSE 9464 8888
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.DR_METRICS_PORT || 9464) + '/metrics').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# --max-semi-space-size=2 and MALLOC_ARENA_MAX=2: the worker's memory settings, as `npm start` runs
# it (scripts/lib/worker-command.ts; docs/production.md, "Worker memory").
CMD ["node", "--max-semi-space-size=2", "dist/src/worker.js"]
