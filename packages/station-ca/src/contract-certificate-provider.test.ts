/**
 * The contract certificate providers (M01/M02 backends) against real counterparts: a program the test writes to a
 * temporary folder and runs with this Node.js, and an HTTP server on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractCertificateRequest } from './contract-certificate-provider.js';
import { CommandContractCertificateProvider } from './contract-certificate-provider-command.js';
import { HttpContractCertificateProvider } from './contract-certificate-provider-http.js';

const EXI_RESPONSE = randomBytes(900).toString('base64');
const REQUEST: ContractCertificateRequest = {
  stationId: 'CS-PNC-1',
  iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef',
  action: 'Install',
  exiRequest: randomBytes(700).toString('base64'),
};
/** Generous: a loaded machine may take seconds to start Node.js; only the timeout cases wait for their bound. */
const SLOW_OK_MS = 30_000;

/** The test's backend program: what it does is its first argument. */
const PROGRAM = `
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const [mode, file, exi] = process.argv.slice(2);
const input = async () => { let s = ''; for await (const c of process.stdin) s += c; return s; };
switch (mode) {
  case 'json': {
    const text = await input();
    writeFileSync(file, JSON.stringify({ stdin: text, stationId: process.env.CSMS_STATION_ID, action: process.env.CSMS_CERTIFICATE_ACTION }));
    console.log(JSON.stringify({ exiResponse: exi }));
    break;
  }
  case 'bare': await input(); console.log(exi.replace(/(.{76})/g, '$1\\n')); break;
  case 'refuse': await input(); console.log(JSON.stringify({ status: 'Failed', reason: 'no contract for this EMAID' })); break;
  case 'exit': process.stderr.write('backend says no\\n'); process.exit(3);
  case 'hang': setInterval(() => {}, 1000); break;
  case 'orphan': spawn(process.execPath, ['-e', 'setTimeout(() => {}, 8000)'], { stdio: 'inherit' }); process.exit(0);
  case 'garbage': await input(); console.log('this is not base64!'); break;
  case 'flood': await input(); process.stdout.write('A'.repeat(100 * 1024)); break;
  case 'empty': await input(); break;
}
`;

let dir: string;
let programFile: string;
const commandProvider = (mode: string, timeoutMs = SLOW_OK_MS): CommandContractCertificateProvider =>
  new CommandContractCertificateProvider({
    command: [process.execPath, programFile, mode, join(dir, 'seen.json'), EXI_RESPONSE],
    timeoutMs,
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'contract-cert-provider-'));
  programFile = join(dir, 'backend.mjs');
  writeFileSync(programFile, PROGRAM);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CommandContractCertificateProvider', () => {
  it('passes the request as JSON on stdin and takes the JSON exiResponse', async () => {
    const answer = await commandProvider('json').provide(REQUEST);
    expect(answer).toEqual({ status: 'Accepted', exiResponse: EXI_RESPONSE });
    const seen = JSON.parse(readFileSync(join(dir, 'seen.json'), 'utf8')) as Record<string, string>;
    expect(JSON.parse(seen.stdin!)).toEqual(REQUEST);
    expect(seen).toMatchObject({ stationId: 'CS-PNC-1', action: 'Install' });
  });

  it('takes a bare base64 answer, line breaks and all', async () => {
    expect(await commandProvider('bare').provide({ ...REQUEST, action: 'Update' })).toEqual({
      status: 'Accepted',
      exiResponse: EXI_RESPONSE,
    });
  });

  it('reports the refusal the program prints', async () => {
    expect(await commandProvider('refuse').provide(REQUEST)).toEqual({
      status: 'Failed',
      code: 'BackendRefused',
      reason: expect.stringContaining('no contract for this EMAID') as string,
    });
  });

  it('a non-zero exit is BackendError with the exit code and standard error', async () => {
    const answer = await commandProvider('exit').provide(REQUEST);
    expect(answer).toMatchObject({ status: 'Failed', code: 'BackendError' });
    expect(answer.status === 'Failed' && answer.reason).toMatch(/exited with 3: backend says no/);
  });

  it('survives a program that exits without reading a large input (EPIPE)', async () => {
    const answer = await commandProvider('exit').provide({ ...REQUEST, exiRequest: 'A'.repeat(4 << 20) });
    expect(answer).toMatchObject({ status: 'Failed', code: 'BackendError' });
  });

  it('kills a program that does not answer in time: BackendTimeout', async () => {
    const answer = await commandProvider('hang', 1000).provide(REQUEST);
    expect(answer).toMatchObject({ status: 'Failed', code: 'BackendTimeout' });
  });

  it('does not wait for a process the program left holding its output', async () => {
    const started = Date.now();
    const answer = await commandProvider('orphan', 1500).provide(REQUEST);
    expect(answer).toMatchObject({ status: 'Failed', code: 'BackendTimeout' });
    // The orphan lives 8 s; the answer comes at the timeout.
    expect(Date.now() - started).toBeLessThan(7000);
  });

  it('garbage, an empty answer and an oversized one are InvalidResponse', async () => {
    for (const mode of ['garbage', 'empty', 'flood'])
      expect(await commandProvider(mode).provide(REQUEST), mode).toMatchObject({
        status: 'Failed',
        code: 'InvalidResponse',
      });
  });

  it('a program that cannot be started is BackendError', async () => {
    const provider = new CommandContractCertificateProvider({
      command: [join(dir, 'no-such-program')],
      timeoutMs: SLOW_OK_MS,
    });
    expect(await provider.provide(REQUEST)).toMatchObject({
      status: 'Failed',
      code: 'BackendError',
      reason: expect.stringContaining('ENOENT') as string,
    });
  });
});

describe('HttpContractCertificateProvider', () => {
  let server: Server;
  let base: string;
  const received: { method?: string; type?: string; body: unknown }[] = [];

  const respond: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => json(res, 200, { exiResponse: EXI_RESPONSE }),
    '/refuse': (res) => json(res, 200, { status: 'Failed', reason: 'contract pool has nothing' }),
    '/error': (res) => json(res, 500, { error: 'boom' }),
    '/garbage': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'),
    '/not-base64': (res) => json(res, 200, { exiResponse: 'not base64 at all' }),
    '/huge': (res) => json(res, 200, { exiResponse: 'A'.repeat(200 * 1024) }),
    '/hang': () => undefined,
    '/stall': (res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"exiResp'),
    '/redirect': (res) => res.writeHead(302, { location: '/ok' }).end(),
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      void bodyOf(req).then((body) => {
        received.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
        (respond[req.url ?? ''] ?? ((r) => json(r, 404, {})))(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const httpProvider = (path: string, timeoutMs = SLOW_OK_MS): HttpContractCertificateProvider =>
    new HttpContractCertificateProvider({ url: `${base}${path}`, timeoutMs });

  it('POSTs the request as JSON and takes the exiResponse of a 2xx JSON answer', async () => {
    received.length = 0;
    expect(await httpProvider('/ok').provide(REQUEST)).toEqual({
      status: 'Accepted',
      exiResponse: EXI_RESPONSE,
    });
    expect(received).toEqual([{ method: 'POST', type: 'application/json', body: REQUEST }]);
  });

  it('reports the refusal the backend answers', async () => {
    expect(await httpProvider('/refuse').provide(REQUEST)).toMatchObject({
      status: 'Failed',
      code: 'BackendRefused',
      reason: expect.stringContaining('contract pool has nothing') as string,
    });
  });

  it('HTTP 500 and a redirect are BackendError', async () => {
    expect(await httpProvider('/error').provide(REQUEST)).toMatchObject({
      status: 'Failed',
      code: 'BackendError',
      reason: expect.stringContaining('HTTP 500') as string,
    });
    expect(await httpProvider('/redirect').provide(REQUEST)).toMatchObject({
      status: 'Failed',
      code: 'BackendError',
    });
  });

  it('a body that is not JSON, no base64, or larger than 64 KiB is InvalidResponse', async () => {
    for (const path of ['/garbage', '/not-base64', '/huge'])
      expect(await httpProvider(path).provide(REQUEST), path).toMatchObject({
        status: 'Failed',
        code: 'InvalidResponse',
      });
  });

  it('no answer, or a body that stalls, within the timeout is BackendTimeout', async () => {
    for (const path of ['/hang', '/stall'])
      expect(await httpProvider(path, 1000).provide(REQUEST), path).toMatchObject({
        status: 'Failed',
        code: 'BackendTimeout',
      });
  });

  it('a backend that cannot be reached is BackendError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const provider = new HttpContractCertificateProvider({
      url: `http://127.0.0.1:${port}/`,
      timeoutMs: SLOW_OK_MS,
    });
    expect(await provider.provide(REQUEST)).toMatchObject({
      status: 'Failed',
      code: 'BackendError',
      reason: expect.stringContaining('ECONNREFUSED') as string,
    });
  });
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}
