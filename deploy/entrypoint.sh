#!/bin/sh
# The image's command: `api`, `worker` or `migrate` (anything else runs as given). `exec` makes
# Node PID 1, so SIGTERM from `docker stop` reaches its graceful stop directly.
set -e
cd "${TT_HOME:-/app}"
case "${1:-api}" in
  api) shift; exec node apps/api/dist/main.js "$@" ;;
  worker) shift; exec node apps/worker/dist/main.js "$@" ;;
  migrate) shift; exec node packages/database/dist/migrate.js "$@" ;;
  *) exec "$@" ;;
esac
