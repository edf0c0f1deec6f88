# One image recipe for every service: `docker compose` picks a target per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV APOLLO_TELEMETRY_DISABLED=true
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/products/package.json subgraphs/products/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY router/package.json router/
RUN npm ci
COPY . .
# Prisma clients, resolver types and compiled output for every workspace.
RUN npx turbo run build
# Reads the Postgres and Redis passwords docker compose generated (PGPASSWORD_FILE,
# REDIS_PASSWORD_FILE), then runs the target's command.
ENTRYPOINT ["sh", "/app/docker/service-entrypoint.sh"]

# Creates the signing keys and demo passwords (once, into the volumes docker compose mounts
# there), migrates every database and creates the demo data that is missing.
FROM build AS setup
CMD ["npx", "tsx", "--conditions=@cartograph/source", "scripts/setup.ts", \
  "--keys-dir", "/run/secrets/keys", "--users-secrets-dir", "/run/secrets/users"]

# Every subgraph, named by its folder: docker compose passes SUBGRAPH as a build argument.
FROM build AS subgraph
ARG SUBGRAPH
ENV NODE_ENV=production
WORKDIR /app/subgraphs/${SUBGRAPH}
CMD ["node", "dist/index.js"]

FROM build AS router
ENV NODE_ENV=production
WORKDIR /app/router
CMD ["node", "dist/index.js"]
