#!/bin/sh
# Starts Redis through the image's own entrypoint (which drops to the redis user), requiring the
# password the `secrets` service generated. The password goes in on standard input, as
# configuration, so that it is on no command line (which every user of the host can list) and in
# no environment. Arguments are passed on to redis-server.
set -eu
password=$(cat "${REDIS_PASSWORD_FILE:?}")
exec docker-entrypoint.sh redis-server - "$@" <<CONF
requirepass $password
CONF
