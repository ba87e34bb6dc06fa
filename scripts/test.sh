#!/usr/bin/env bash
# The project's whole test suite, runnable on a fresh machine that has only Node.js:
# installs dependencies, makes sure PostgreSQL server binaries exist (the tests start their own private
# server from them), then runs lint, type checks, the generated-code drift check, the build and all tests
# (the unit tests of packages/, services/ and apps/ a second time under Node 22, the image's Node).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

if [ -z "${CSMS_TEST_PG_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  step "installing PostgreSQL server binaries (Debian package postgresql)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

step "lint + format"
npm run lint --silent
step "typecheck"
npm run typecheck --silent
step "generated code and conformance table are up to date"
npm run check:generated --silent
npm run check:conformance --silent
npm run check:helm --silent
npm run check:size --silent
step "build"
npm run build --silent
step "nats-server >= 2.11 (fetched from Debian sid into .test-runtime/ when missing)"
# Assigned before `export`: `export X="$(...)"` would hide the script's failure from `set -e`.
CSMS_NATS_SERVER="$(bash scripts/ensure-nats-server.sh)"
export CSMS_NATS_SERVER
"$CSMS_NATS_SERVER" --version
step "tests: unit, integration, scenarios"
# With a filter (`npm test -- <path>`), one of the two projects may have no matching file.
FILTERED=(); [ $# -gt 0 ] && FILTERED=(--passWithNoTests)
npx vitest run --project main "${FILTERED[@]}" "$@"
if [ $# -eq 0 ]; then
  # The container image runs Node 22; `node` here may be older: scripts/ensure-node22.sh installs node@22 from
  # npm once into .test-runtime/node22 (not on PATH, so every other step keeps this machine's node); it runs
  # the unit tests of packages/, services/ and apps/ (vitest's workers inherit its binary).
  step "tests: unit tests under Node 22 (node@22 from npm, cached in .test-runtime/node22)"
  NODE22="$(bash scripts/ensure-node22.sh)"
  echo "running with $NODE22 $("$NODE22" --version)"
  "$NODE22" node_modules/vitest/vitest.mjs run --project main packages services apps
fi
step "tests: distributed fail-over and benchmark profile (separate processes)"
npx vitest run --project cluster "${FILTERED[@]}" "$@"
