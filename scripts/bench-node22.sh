#!/usr/bin/env bash
# `npm run bench:node22 -- <bench options>`: the benchmark on the container images' runtime. The harness,
# its load generator and every server it starts (they are spawned with the harness's own binary) run
# under Node 22 from scripts/ensure-node22.sh instead of this machine's node. Builds first, as `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE22="$(bash scripts/ensure-node22.sh)"
npx tsc -b
exec "$NODE22" node_modules/tsx/dist/cli.mjs --conditions=source bench/cli.ts "$@"
