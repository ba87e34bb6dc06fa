#!/usr/bin/env bash
# Prints the path of a Node 22 binary on stdout and exits 0; progress and errors go to stderr.
#
# The container images run Node 22; this machine's `node` may be older (the project supports >= 20.6).
# The npm package node@22 ships the binary: it is installed once into <repo>/.test-runtime/node22 (not on
# PATH, so every other step keeps this machine's node). Used by `npm test` (the unit tests a second time
# under Node 22) and by `npm run bench:node22` (the benchmark on the images' runtime).
# Idempotent: once the cache holds a v22 binary, it only prints its path.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO/.test-runtime/node22"
NODE22="$DEST/node_modules/node/bin/node"

is_22() { "$NODE22" --version 2>/dev/null | grep -q '^v22\.'; }

if ! is_22; then
  printf 'ensure-node22: installing node@22 from npm into %s\n' "$DEST" >&2
  rm -rf "$DEST"
  if ! npm install --prefix "$DEST" --no-save --no-audit --no-fund node@22 >/dev/null || ! is_22; then
    printf 'ensure-node22: error: could not install Node 22 (npm install node@22 into %s)\n' "$DEST" >&2
    exit 1
  fi
fi
printf '%s\n' "$NODE22"
