/**
 * The distributed topology with what real clients and stations do (one system, processes as in
 * production; needs the build, `npm run build`):
 * - integrators and csmsctl use the api address alone: it forwards every domain service (unary RPCs,
 *   errors with their details, server streams) to the service's own process;
 * - independent `ocpp-rpc` stations (strict mode, `callConcurrency` 4) send MeterValues directly followed
 *   by StopTransaction while one worker is killed with SIGKILL: every CALL is answered in order, none is
 *   refused, and everything acknowledged is in the database.
 */
import {
  authV1,
  connectApi,
  firmwareV1,
  smartChargingV1,
  Status,
  transactionV1,
  type ApiConnection,
} from '@csms/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistributedCsms, type DistributedCsms } from '../support/distributed-csms.js';
import { rejection } from '../support/grpc-rejection.js';
import { booted16, booted201, charging16 } from '../support/octt-states.js';
import { at, connect16, connect201, uniqueId, type Station16 } from '../support/scenario.js';

const STATIONS = 12;
const ROUNDS = 3;

let system: DistributedCsms;

beforeAll(async () => {
  system = await startDistributedCsms({ workers: 2 });
}, 120_000);
const connections: ApiConnection[] = [];
afterAll(async () => {
  connections.forEach((c) => c.close());
  await system?.close();
});

function connection(address: string): ApiConnection {
  const c = connectApi({ address, token: system.token });
  connections.push(c);
  return c;
}

const auth = () => connection(system.address('auth')).client(authV1.AuthServiceDefinition);

describe('distributed topology: one API address', () => {
  it('the api address forwards every domain service: unary, errors with details, streams', async () => {
    const api = connection(system.grpcAddress);
    const idToken = uniqueId('FWD');
    const authApi = api.client(authV1.AuthServiceDefinition);
    await authApi.createIdToken({ idToken, type: 'ISO14443' });
    const again = await rejection(authApi.createIdToken({ idToken, type: 'ISO14443' }));
    expect(again.code).toBe(Status.ALREADY_EXISTS);
    expect(again.reason).toBe('ALREADY_EXISTS');
    // Written through the api address, stored by the auth process.
    expect((await auth().getIdToken({ idToken })).token?.idToken).toBe(idToken);
    const bad = await rejection(api.client(firmwareV1.FirmwareServiceDefinition).getCampaign({ id: 'nope' }));
    expect([Status.NOT_FOUND, Status.INVALID_ARGUMENT]).toContain(bad.code);
    const unknown = await rejection(
      api.client(smartChargingV1.SmartChargingServiceDefinition).getChargingProfiles({ stationId: 'NOBODY' }),
    );
    expect(unknown.code).toBe(Status.NOT_FOUND);
    const page = await api
      .client(transactionV1.TransactionServiceDefinition)
      .listTransactions({ pageSize: 1 });
    expect(Array.isArray(page.transactions)).toBe(true);
    // A server stream through the forwarder: a station's transaction event arrives on it.
    const cs = await connect201(system);
    await booted201(cs);
    const stream = api
      .client(transactionV1.TransactionServiceDefinition)
      .streamTransactionEvents({ stationIds: [cs.id] }, { signal: AbortSignal.timeout(15_000) });
    const first = (async () => {
      for await (const message of stream) return message.event;
      return undefined;
    })();
    // The subscription is set up when the first message is requested; give it a moment before sending.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cs.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: uniqueId('TX') },
      evse: { id: 1, connectorId: 1 },
    });
    const event = await first;
    expect(event?.stationId).toBe(cs.id);
    await cs.close();
  });
});

interface Acknowledged {
  readonly stationId: string;
  readonly transactionId: number;
  readonly meterStop: number;
}

/** One charging session whose last MeterValues and StopTransaction are sent without waiting in between. */
async function session(cp: Station16, round: number): Promise<Acknowledged> {
  const idTag = `OVL-${round}`;
  const { transactionId } = await charging16(cp, idTag, 1, round * 1000);
  const meterStop = round * 1000 + 500;
  const meter = cp.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [
      {
        timestamp: at(),
        sampledValue: [{ value: String(meterStop - 1), measurand: 'Energy.Active.Import.Register' }],
      },
    ],
  });
  const stop = cp.call('StopTransaction', { transactionId, meterStop, timestamp: at(), idTag });
  await meter;
  await stop;
  await cp.call('StatusNotification', {
    connectorId: 1,
    status: 'Available',
    errorCode: 'NoError',
    timestamp: at(),
  });
  return { stationId: cp.id, transactionId, meterStop };
}

describe('distributed topology: overlapping station CALLs across a worker kill', () => {
  it('answers every overlapping CALL in order and loses none of them', async () => {
    const stations = await Promise.all(
      Array.from({ length: STATIONS }, () => connect16(system, { callConcurrency: 4 })),
    );
    for (const cp of stations) expect((await booted16(cp)).status).toBe('Accepted');
    const acknowledged: Acknowledged[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const running = stations.map((cp) => session(cp, round));
      if (round === 2) {
        // Mid-round: the owner of half the stations dies; the edge re-sends their CALLs to the next owner.
        system.cluster.workers()[0]!.signal('SIGKILL');
      }
      acknowledged.push(...(await Promise.all(running)));
    }
    for (const a of acknowledged) {
      const row = await system.database.db
        .selectFrom('transactions')
        .select(['state', 'meter_stop', 'id'])
        .where('station_id', '=', a.stationId)
        .where('transaction_id', '=', String(a.transactionId))
        .executeTakeFirstOrThrow();
      expect(row, `${a.stationId} ${a.transactionId}`).toMatchObject({
        state: 'ended',
        meter_stop: a.meterStop,
      });
      const readings = await system.database.db
        .selectFrom('meter_values')
        .select('id')
        .where('transaction_ref', '=', row.id)
        .execute();
      expect(readings.length, `meter values of ${a.stationId} ${a.transactionId}`).toBeGreaterThan(0);
    }
    expect(acknowledged).toHaveLength(STATIONS * ROUNDS);
    await Promise.all(stations.map((cp) => cp.close()));
  }, 180_000);
});
