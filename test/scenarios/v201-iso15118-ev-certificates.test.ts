/**
 * ISO 15118 contract certificate installation and update for the EV (2.0.1 M01 / M02, Get15118EVCertificate): the
 * station forwards the EV's EXI request, the CSMS passes it to the contract certificate backend and the backend's EXI
 * response back. Real backends: a program the CSMS runs (CSMS_CONTRACT_CERT_COMMAND) and an HTTP server on loopback
 * (CSMS_CONTRACT_CERT_URL); independent stations (ocpp-rpc, strict mode).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import {
  createEvCertificatePool,
  ISO15118_2_SCHEMA,
  type EvCertificatePool,
} from '../support/ev-certificate-provider.js';
import { booted201 } from '../support/octt-states.js';
import { connect201, type Station201 } from '../support/scenario.js';

let pool: EvCertificatePool;
let csms: TestCsms;

beforeAll(async () => {
  pool = createEvCertificatePool();
  // Above the default (4 s): starting Node.js for each request may take seconds on a loaded test machine.
  csms = await startTestCsms({
    env: { CSMS_CONTRACT_CERT_COMMAND: pool.command, CSMS_CONTRACT_CERT_TIMEOUT: '8' },
  });
}, 60_000);
afterAll(async () => {
  await csms?.close();
  pool?.close();
});

async function booted(system: TestCsms = csms): Promise<Station201> {
  const cs = await connect201(system);
  await booted201(cs);
  return cs;
}

describe('TC_M_26_CSMS: Certificate Installation EV - Success', () => {
  it('passes the CertificateInstallationReq to the pool unchanged and answers Accepted with its response', async () => {
    const cs = await booted();
    const { install } = pool.fixtures;
    const answer = await cs.call('Get15118EVCertificate', {
      iso15118SchemaVersion: ISO15118_2_SCHEMA,
      action: 'Install',
      exiRequest: install.exiRequest,
    });
    expect(answer).toEqual({ status: 'Accepted', exiResponse: install.exiResponse });
    expect(pool.requests()).toContainEqual({
      stationId: cs.id,
      iso15118SchemaVersion: ISO15118_2_SCHEMA,
      action: 'Install',
      exiRequest: install.exiRequest,
    });
    await cs.close();
  });
});

describe('TC_M_28_CSMS: Certificate Update EV - Success', () => {
  it('passes the CertificateUpdateReq to the pool unchanged and answers Accepted with its response', async () => {
    const cs = await booted();
    const { update } = pool.fixtures;
    const answer = await cs.call('Get15118EVCertificate', {
      iso15118SchemaVersion: ISO15118_2_SCHEMA,
      action: 'Update',
      exiRequest: update.exiRequest,
    });
    expect(answer).toEqual({ status: 'Accepted', exiResponse: update.exiResponse });
    expect(pool.requests()).toContainEqual({
      stationId: cs.id,
      iso15118SchemaVersion: ISO15118_2_SCHEMA,
      action: 'Update',
      exiRequest: update.exiRequest,
    });
    await cs.close();
  });
});

describe('Get15118EVCertificate without a certificate to pass on (M01 / M02)', () => {
  it('answers Failed when the pool program refuses (non-zero exit)', async () => {
    const cs = await booted();
    const answer = await cs.call('Get15118EVCertificate', {
      iso15118SchemaVersion: ISO15118_2_SCHEMA,
      action: 'Install',
      exiRequest: pool.fixtures.refusedRequest,
    });
    expect(answer).toMatchObject({
      status: 'Failed',
      exiResponse: '',
      statusInfo: { reasonCode: 'BackendError' },
    });
    await cs.close();
  });

  it('answers Failed when the response exceeds the 5,600 characters of exiResponse', async () => {
    const cs = await booted();
    const answer = await cs.call('Get15118EVCertificate', {
      iso15118SchemaVersion: ISO15118_2_SCHEMA,
      action: 'Install',
      exiRequest: pool.fixtures.oversizedRequest,
    });
    expect(answer).toMatchObject({
      status: 'Failed',
      exiResponse: '',
      statusInfo: { reasonCode: 'ResponseTooLarge' },
    });
    await cs.close();
  });

  it('answers Failed (NotConfigured), not NotSupported, when no backend is configured', async () => {
    const bare = await startTestCsms();
    try {
      const cs = await booted(bare);
      const answer = await cs.call('Get15118EVCertificate', {
        iso15118SchemaVersion: ISO15118_2_SCHEMA,
        action: 'Install',
        exiRequest: pool.fixtures.install.exiRequest,
      });
      expect(answer).toEqual({
        status: 'Failed',
        exiResponse: '',
        statusInfo: {
          reasonCode: 'NotConfigured',
          additionalInfo: 'this CSMS has no contract certificate backend',
        },
      });
    } finally {
      await bare.close();
    }
  }, 60_000);
});

describe('Get15118EVCertificate through an HTTP backend (CSMS_CONTRACT_CERT_URL)', () => {
  let server: Server;
  let viaHttp: TestCsms;
  const posted: unknown[] = [];

  beforeAll(async () => {
    const { update } = pool.fixtures;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        posted.push(JSON.parse(body));
        const ok = req.url === '/pnc/certificates';
        res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { exiResponse: update.exiResponse } : {}));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    viaHttp = await startTestCsms({
      env: { CSMS_CONTRACT_CERT_URL: `http://127.0.0.1:${port}/pnc/certificates` },
    });
  }, 60_000);
  afterAll(async () => {
    await viaHttp?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('POSTs the request as JSON and answers Accepted with the exiResponse of the backend', async () => {
    const cs = await booted(viaHttp);
    const { update } = pool.fixtures;
    const request = {
      iso15118SchemaVersion: ISO15118_2_SCHEMA,
      action: 'Update',
      exiRequest: update.exiRequest,
    } as const;
    const answer = await cs.call('Get15118EVCertificate', request);
    expect(answer).toEqual({ status: 'Accepted', exiResponse: update.exiResponse });
    expect(posted).toEqual([{ stationId: cs.id, ...request }]);
    await cs.close();
  });
});
