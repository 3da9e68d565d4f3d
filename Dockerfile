# syntax=docker/dockerfile:1
# One image for the API, the worker and the migrations (operations.md "Deployment artefacts"):
#   docker run IMAGE api | worker | migrate
# Its steps are the ones `npm run cluster` runs on a machine without containers: the same built
# dist/ folders, the migrate command once, then API and worker processes behind nginx.
ARG NODE_VERSION=24

# ---- build: install everything, build the API, the worker and the settings page, drop dev dependencies
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# sqlite3 builds from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV TURBO_TELEMETRY_DISABLED=1 NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY . .
RUN npm ci
RUN npx turbo run build --filter=@tradetally/api --filter=@tradetally/worker --filter=@tradetally/web \
  && npm prune --omit=dev
# Only what runs: each needed workspace's package.json, dist/ and own node_modules (symlinks kept).
RUN mkdir -p /out/apps/web && cp -a package.json node_modules /out/ && cp -a apps/web/dist /out/apps/web/ \
  && for d in packages/contracts packages/database apps/api apps/worker; do \
       mkdir -p /out/$d && cp -a $d/package.json $d/dist /out/$d/ \
       && if [ -d $d/node_modules ]; then cp -a $d/node_modules /out/$d/; fi; \
     done

# ---- runtime: the built output and production dependencies only, as the unprivileged `node` user
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /out /app
COPY deploy/entrypoint.sh /usr/local/bin/tradetally
USER node
EXPOSE 3000
# Liveness only: a database outage must not get a healthy API restarted (it answers 503 and recovers).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/v1/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tradetally"]
CMD ["api"]
