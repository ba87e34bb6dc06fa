import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandOutcome } from '@csms/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from '../../../test/support/pki.js';
import { connectApi, errorSummary, type ApiConnection } from './api-client.js';
import { ApiErrors } from './api-errors.js';
import { apiService, startApiServer, type ApiServer } from './api-server.js';
import { answerOf } from './command-outcome.js';
import type { ApiAuth } from './credentials.js';
import * as stationV1 from './gen/csms/station/v1/station.js';
import { HealthDefinition } from 'nice-grpc-server-health';
import { Status } from 'nice-grpc-common';

const logged: string[] = [];
const logger = { error: (_: unknown, msg: string) => void logged.push(msg), debug: () => undefined };

/** A StationService whose methods answer fixed things (only what these tests call; the rest UNIMPLEMENTED). */
const unimplemented = Object.fromEntries(
  Object.keys(stationV1.StationServiceDefinition.methods).map((name) => [
    name,
    () => {
      throw ApiErrors.unimplemented('TEST', `${name} is not part of this test`);
    },
  ]),
);
const service = apiService('csms.station.v1.StationService', stationV1.StationServiceDefinition, {
  ...unimplemented,
  listStations: () => Promise.resolve({ stations: [], nextPageToken: '' }),
  getStation: ({ id }: { id: string }) => {
    if (id === 'bad')
      throw ApiErrors.invalidArgument('invalid station id', [{ field: 'id', description: 'nope' }]);
    throw new Error('database password is hunter2'); // an unexpected failure must not leak
  },
} as unknown as Parameters<typeof apiService<typeof stationV1.StationServiceDefinition>>[2]);

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: Status }).code, message: String(error), ...errorSummary(error) };
  }
  throw new Error('expected a failure');
}

async function withServer(auth: ApiAuth, run: (port: number) => Promise<void>): Promise<void> {
  const server: ApiServer = await startApiServer({ host: '127.0.0.1', port: 0, auth, logger }, [service]);
  const connections: ApiConnection[] = [];
  try {
    await run(server.port);
  } finally {
    for (const c of connections) c.close();
    await server.stop();
  }
}

describe('API server credentials', () => {
  it('bearer token: refused without it or with a wrong one, accepted with it; health is open', async () => {
    await withServer({ kind: 'token', token: 's3cret-token' }, async (port) => {
      const address = `127.0.0.1:${port}`;
      for (const token of [undefined, 'wrong']) {
        const api = connectApi({ address, ...(token ? { token } : {}) });
        const denied = await failure(api.client(stationV1.StationServiceDefinition).listStations({}));
        expect(denied.code).toBe(Status.UNAUTHENTICATED);
        expect((await api.client(HealthDefinition).check({ service: '' })).status as number).toBe(1);
        api.close();
      }
      const api = connectApi({ address, token: 's3cret-token' });
      await expect(api.client(stationV1.StationServiceDefinition).listStations({})).resolves.toEqual({
        stations: [],
        nextPageToken: '',
      });
      api.close();
    });
  });

  describe('mutual TLS', () => {
    let dir: string;
    let pki: Pki;
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'csms-grpc-tls-'));
      pki = makePki(dir);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('accepts a client certificate from the CA and refuses none or a rogue one', async () => {
      const tls = {
        certFile: file('server.pem', pki.serverCert),
        keyFile: file('server-key.pem', pki.serverKey),
        caFile: file('ca.pem', pki.ca),
      };
      await withServer({ kind: 'mtls', tls }, async (port) => {
        const address = `localhost:${port}`;
        const good = connectApi({
          address,
          tls: {
            caFile: tls.caFile,
            certFile: file('c.pem', pki.clients.CP3!.cert),
            keyFile: file('c-key.pem', pki.clients.CP3!.key),
          },
        });
        await expect(good.client(stationV1.StationServiceDefinition).listStations({})).resolves.toBeDefined();
        good.close();
        const anonymous = connectApi({ address, tls: { caFile: tls.caFile } });
        const noCert = await failure(
          anonymous
            .client(stationV1.StationServiceDefinition)
            .listStations({}, { deadline: new Date(Date.now() + 3000) }),
        );
        expect(noCert.code).not.toBe(Status.OK);
        anonymous.close();
        const rogue = connectApi({
          address,
          tls: {
            caFile: tls.caFile,
            certFile: file('r.pem', pki.rogue.cert),
            keyFile: file('r-key.pem', pki.rogue.key),
          },
        });
        const refused = await failure(
          rogue
            .client(stationV1.StationServiceDefinition)
            .listStations({}, { deadline: new Date(Date.now() + 3000) }),
        );
        expect(refused.code).not.toBe(Status.OK);
        rogue.close();
      });
    });
  });
});

describe('API server errors', () => {
  it('sends rich details, and hides an unexpected failure behind INTERNAL (logged)', async () => {
    await withServer({ kind: 'none' }, async (port) => {
      const api = connectApi({ address: `127.0.0.1:${port}` });
      const client = api.client(stationV1.StationServiceDefinition);
      const invalid = await failure(client.getStation({ id: 'bad' }));
      expect(invalid).toMatchObject({
        code: Status.INVALID_ARGUMENT,
        reason: 'INVALID_ARGUMENT',
        violations: [{ field: 'id', description: 'nope' }],
      });
      const internal = await failure(client.getStation({ id: 'other' }));
      expect(internal.code).toBe(Status.INTERNAL);
      expect(internal.message).not.toContain('hunter2');
      expect(logged).toContain('gRPC handler failed');
      api.close();
    });
  });
});

describe('answerOf: command outcomes as API answers', () => {
  const cases: [CommandOutcome, Status | 'result' | 'queued', string?][] = [
    [{ status: 'result', payload: { status: 'Accepted' } }, 'result'],
    [{ status: 'queued', commandId: '7', expiresAt: '2030-01-01T00:00:00.000Z' }, 'queued'],
    [
      { status: 'invalid-request', code: 'FormatViolation', description: 'x' },
      Status.INVALID_ARGUMENT,
      'INVALID_ARGUMENT',
    ],
    [
      { status: 'call-error', code: 'NotImplemented', description: 'x', details: {} },
      Status.FAILED_PRECONDITION,
      'STATION_CALL_ERROR',
    ],
    [
      { status: 'invalid-response', payload: {}, code: 'FormatViolation', description: 'x' },
      Status.FAILED_PRECONDITION,
      'STATION_INVALID_RESPONSE',
    ],
    [{ status: 'offline' }, Status.UNAVAILABLE, 'STATION_OFFLINE'],
    [{ status: 'disconnected' }, Status.UNAVAILABLE, 'STATION_DISCONNECTED'],
    [
      { status: 'refused', reason: 'station-rejected', description: 'x' },
      Status.FAILED_PRECONDITION,
      'STATION_REJECTED',
    ],
    [
      { status: 'refused', reason: 'station-pending', description: 'x' },
      Status.FAILED_PRECONDITION,
      'STATION_PENDING',
    ],
    [{ status: 'refused', reason: 'queue-full', description: 'x' }, Status.RESOURCE_EXHAUSTED, 'QUEUE_FULL'],
    [{ status: 'timeout' }, Status.DEADLINE_EXCEEDED, 'STATION_TIMEOUT'],
    [{ status: 'not-supported', description: 'x' }, Status.UNIMPLEMENTED, 'ACTION_NOT_SUPPORTED'],
  ];
  it.each(cases)('%j → %s %s', (outcome, expected, reason) => {
    if (expected === 'result' || expected === 'queued') {
      expect(answerOf('CP1', 'Reset', outcome).kind).toBe(expected);
      return;
    }
    try {
      answerOf('CP1', 'Reset', outcome);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: Status }).code).toBe(expected);
      expect(JSON.stringify((error as { details?: unknown; extra?: unknown }).extra ?? error)).toContain(
        reason!,
      );
    }
  });
});
