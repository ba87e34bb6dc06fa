#!/usr/bin/env bash
# `npm start`: installs dependencies when needed, builds, and starts the CSMS in embedded mode
# (PGlite in ./data, in-memory bus, every service in one process). Settings: docs/configuration.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "csms: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
npx tsc -b >&2
exec node apps/csms/dist/main.js "$@"
