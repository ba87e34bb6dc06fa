import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// src/ and dist/ are both three levels below the repository root.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where scripts/ensure-nats-server.sh caches the binary it fetched. */
const CACHED_BINARY = join(REPO_ROOT, '.test-runtime', 'nats', 'usr', 'sbin', 'nats-server');

/**
 * The nats-server binary to run: `$CSMS_NATS_SERVER`, else the copy scripts/ensure-nats-server.sh
 * cached in the repository. Throws with instructions when there is none.
 */
export function natsServerBinary(): string {
  const fromEnv = process.env.CSMS_NATS_SERVER;
  if (fromEnv) return fromEnv;
  if (isExecutable(CACHED_BINARY)) return CACHED_BINARY;
  throw new Error(
    'no nats-server >= 2.11 for the tests: run `bash scripts/ensure-nats-server.sh` (it downloads one into ' +
      '.test-runtime/) and set CSMS_NATS_SERVER to the path it prints, or run the tests through `bash scripts/test.sh`',
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
