# mattran-bot: one image for a single instance (SQLite in /data) or several behind one URL (REDIS_URL).
# tsx runs the TypeScript sources at run time and is a production dependency, so `npm ci --omit=dev` keeps it.

# Build stage: production dependencies only, with the tools sqlite3 needs when no prebuilt binary fits.
FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# Runtime stage: no compilers, a non-root user, state in the /data volume.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY data ./data
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz says the process serves HTTP; /readyz (index, store, channels) is for load balancers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself (not npm/npx) receives SIGTERM, so graceful shutdown runs; run with --init (or compose `init: true`) for a reaper.
CMD ["node", "--import", "tsx", "src/main.ts"]
