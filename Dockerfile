# Gatehouse identity provider: runs the TypeScript sources directly with tsx (no build step).
#
#   docker build -t gatehouse .
#   docker run -p 3000:3000 -e GATEHOUSE_SECRET=... -v gatehouse-data:/data gatehouse
#
# Without DATABASE_URL the server uses embedded PGlite under DATA_DIR (/data, a volume).
# The administration console (console/, React + Vite) is built in a stage of its own:
# its build tools are development dependencies the runtime image leaves out.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package*.json ./
RUN npm ci --no-audit --no-fund
COPY console/ ./console/
COPY src/domain/ ./src/domain/
COPY src/policies/permissions.ts ./src/policies/permissions.ts
RUN npm run -s build:console

FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so this layer stays cached until package*.json changes.
# tsx is a regular dependency, so --omit=dev still installs it. argon2 ships
# prebuilt linux-x64 glibc binaries: no compiler is needed in the image.
COPY package*.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# The application, owned by root and read-only for the runtime user.
COPY tsconfig.json ./
COPY src/ ./src/
COPY views/ ./views/
COPY public/ ./public/
COPY migrations/ ./migrations/
COPY bin/ ./bin/
COPY certs/ ./certs/
COPY --from=console /app/console/dist/ ./console/dist/

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

CMD ["node", "--import", "tsx", "src/main.ts"]
