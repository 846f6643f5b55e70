# Gatehouse identity provider: the compiled server (`npm run build`) on Node.js 26, the Active LTS.
#
#   docker build -t gatehouse .
#   docker run -p 3000:3000 -e GATEHOUSE_SECRET=... -v gatehouse-data:/data gatehouse
#   docker exec <container> node bin/gatehouse.js user list     # the CLI, compiled too
#
# Without DATABASE_URL the server uses embedded PGlite under DATA_DIR (/data, a volume).
# The build stage compiles the server, the CLI and the migrations (TypeScript → dist/)
# and the administration console (console/, React + Vite → console/dist/); its compilers
# are development dependencies the runtime image leaves out, with the TypeScript sources.
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
COPY migrations/ ./migrations/
COPY console/ ./console/
RUN npm run -s build && npm run -s build:console

FROM node:26-trixie-slim

WORKDIR /app

# Dependencies first, so this layer stays cached until package*.json changes.
# argon2 ships prebuilt linux-x64 glibc binaries (N-API): no compiler is needed in the image.
COPY package*.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# The application, owned by root and read-only for the runtime user.
COPY --from=build /app/dist/ ./dist/
COPY --from=build /app/console/dist/ ./console/dist/
COPY views/ ./views/
COPY public/ ./public/
COPY bin/ ./bin/
COPY certs/ ./certs/

# The data directory must exist, owned by `node`, before VOLUME: a fresh named
# volume mounted there takes over this ownership.
RUN mkdir -p /data && chown node:node /data

# In production the server needs SMTP_URL, or MAIL_OUTBOX=1 to keep mail in the dev outbox.
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
VOLUME /data

USER node
EXPOSE 3000

# The slim image has no curl: probe with Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# The compiled server, straight: no npm in between, so SIGTERM reaches it (graceful shutdown).
CMD ["node", "dist/src/main.js"]
