import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ISO 15118-2 message schema an EV session names (Get15118EVCertificateRequest.iso15118SchemaVersion). */
export const ISO15118_2_SCHEMA = 'urn:iso:15118:2:2013:MsgDef';

/** Base64 of bytes that start like an ISO 15118-2 EXI V2G_Message (EXI header 0x80 0x98); the CSMS does not parse it. */
function exi(bytes: number): string {
  return Buffer.concat([Buffer.from([0x80, 0x98, 0x02]), randomBytes(bytes)]).toString('base64');
}

/** The exchanges the test contract certificate pool knows: one request and its response per action, and two faults. */
export interface EvCertificateFixtures {
  readonly schema: string;
  readonly install: { readonly exiRequest: string; readonly exiResponse: string };
  readonly update: { readonly exiRequest: string; readonly exiResponse: string };
  /** The pool exits 1 ("no contract") on this request. */
  readonly refusedRequest: string;
  /** The pool answers 5,604 base64 characters (above the schema's 5,600) to this request. */
  readonly oversizedRequest: string;
}

/**
 * The test's contract certificate pool program (run as CSMS_CONTRACT_CERT_COMMAND with this Node.js): it appends every
 * request it reads to requests.jsonl, checks it against the fixtures (action, schema version, the exact exiRequest of
 * that action; any difference exits 2 naming it) and answers the fixed response: JSON for Install, bare base64 for
 * Update, so that both documented answer forms are used.
 */
const PROGRAM = `
import { appendFileSync, readFileSync } from 'node:fs';
const [fixturesFile, requestsFile] = process.argv.slice(2);
const f = JSON.parse(readFileSync(fixturesFile, 'utf8'));
let text = '';
for await (const chunk of process.stdin) text += chunk;
appendFileSync(requestsFile, text.trim() + '\\n');
const req = JSON.parse(text);
const fail = (code, message) => { process.stderr.write(message + '\\n'); process.exit(code); };
if (req.exiRequest === f.refusedRequest) fail(1, 'no contract for this EV');
if (req.exiRequest === f.oversizedRequest) { console.log(JSON.stringify({ exiResponse: 'A'.repeat(5604) })); process.exit(0); }
if (req.iso15118SchemaVersion !== f.schema) fail(2, 'unexpected schema version ' + req.iso15118SchemaVersion);
const known = req.action === 'Install' ? f.install : req.action === 'Update' ? f.update : undefined;
if (!known) fail(2, 'unexpected action ' + req.action);
if (req.exiRequest !== known.exiRequest) fail(2, 'the exiRequest was changed on its way');
if (req.action === 'Install') console.log(JSON.stringify({ exiResponse: known.exiResponse }));
else console.log(known.exiResponse);
`;

export interface EvCertificatePool {
  readonly fixtures: EvCertificateFixtures;
  /** The value of CSMS_CONTRACT_CERT_COMMAND that runs the pool. */
  readonly command: string;
  /** The requests the program read, oldest first. */
  requests(): Record<string, unknown>[];
  close(): void;
}

/** Writes the pool program and its fixtures to a temporary folder. */
export function createEvCertificatePool(): EvCertificatePool {
  const dir = mkdtempSync(join(tmpdir(), 'csms-ev-cert-pool-'));
  const fixtures: EvCertificateFixtures = {
    schema: ISO15118_2_SCHEMA,
    install: { exiRequest: exi(1200), exiResponse: exi(3000) },
    update: { exiRequest: exi(1500), exiResponse: exi(2800) },
    refusedRequest: exi(600),
    oversizedRequest: exi(600),
  };
  const program = join(dir, 'pool.mjs');
  const fixturesFile = join(dir, 'fixtures.json');
  const requestsFile = join(dir, 'requests.jsonl');
  writeFileSync(program, PROGRAM);
  writeFileSync(fixturesFile, JSON.stringify(fixtures));
  return {
    fixtures,
    command: [process.execPath, program, fixturesFile, requestsFile].join(' '),
    requests: () =>
      existsSync(requestsFile)
        ? readFileSync(requestsFile, 'utf8')
            .split('\n')
            .filter((line) => line.length > 0)
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
