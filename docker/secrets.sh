#!/bin/sh
# The compose stack's `secrets` service. Every `docker compose up` runs it first: it generates
# the passwords of Postgres and Redis into their volumes the first time and keeps them after.
# So no password is written in the compose file, built into an image or shown by `docker
# inspect`, and nobody has to remember to set one.
# `secrets.sh host-env` also prints what `npm start` on the host needs to use them.
set -eu
umask 077

# 32 random bytes in hex: safe in URLs and in Redis's configuration without quoting.
generate() {
  [ -s "$1" ] && return 0
  head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$1.tmp"
  mv "$1.tmp" "$1"
}
generate "${POSTGRES_PASSWORD_FILE:?}"
generate "${REDIS_PASSWORD_FILE:?}"

case ${1:-} in
'') ;;
host-env)
  # Postgres and Redis are published on 127.0.0.1; node-postgres reads PGPASSWORD.
  printf 'PGPASSWORD=%s\nREDIS_URL=redis://:%s@127.0.0.1:6379\n' \
    "$(cat "$POSTGRES_PASSWORD_FILE")" "$(cat "$REDIS_PASSWORD_FILE")"
  ;;
*)
  echo "usage: secrets.sh [host-env]" >&2
  exit 64
  ;;
esac
