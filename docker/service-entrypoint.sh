#!/bin/sh
# Entry point of every Cartograph image. docker compose hands the generated Postgres and Redis
# passwords over as files; give each to its client the way the client takes it: node-postgres
# (so Prisma's adapter and CLI too) reads PGPASSWORD, ioredis reads the password inside REDIS_URL.
set -eu
if [ -n "${PGPASSWORD_FILE:-}" ]; then
  PGPASSWORD=$(cat "$PGPASSWORD_FILE")
  export PGPASSWORD
fi
if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
  url=${REDIS_URL:?REDIS_PASSWORD_FILE needs REDIS_URL}
  REDIS_URL="redis://:$(cat "$REDIS_PASSWORD_FILE")@${url#redis://}"
  export REDIS_URL
fi
exec "$@"
