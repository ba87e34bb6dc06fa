#!/usr/bin/env node
// The `csmsctl` command. A committed file rather than dist/main.js itself, so that `npm ci` links the bin
// on a fresh clone before anything is built (npm skips bins whose file is missing, and `npx csmsctl` would
// then ask the registry for a package of that name). It runs the built CLI.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('csmsctl: not built yet: run `npm start` or `npm run build` first\n');
  process.exit(3);
}
await import(main.href);
