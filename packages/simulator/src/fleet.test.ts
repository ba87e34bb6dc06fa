/**
 * A mixed fleet against the real embedded CSMS: boot, status, heartbeats at the CSMS's interval,
 * transactions with meter values; then the ledger is compared with the database.
 */
import { upsertIdToken } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../../../test/support/csms.js';
import { Simulator, defaultIdToken, stationIdentity, verifyLedger } from './index.js';

const STATIONS = 20;
const PREFIX = 'FLEET';

let csms: TestCsms;

beforeAll(async () => {
  // A 1 s heartbeat interval in the BootNotification answer: the stations must use it (no override here).
  csms = await startTestCsms({ env: { CSMS_HEARTBEAT_INTERVAL: '1' } });
  for (let i = 0; i < STATIONS; i++) {
    await upsertIdToken(csms.database.db, {
      idToken: defaultIdToken(stationIdentity(PREFIX, i, STATIONS)),
      status: 'Accepted',
    });
  }
});
afterAll(() => csms.close());

describe('a fleet of 20 stations (half 1.6, half 2.0.1)', () => {
  it('boots, reports status, heartbeats and runs transactions whose ledger matches the database', async () => {
    const simulator = new Simulator({
      url: csms.endpoint,
      stations: STATIONS,
      versionMix: 0.5,
      idPrefix: PREFIX,
      bootStorm: true,
      durationMs: 4_000,
      callTimeoutMs: 5_000,
      transaction: { meterValueIntervalMs: 150, meterValuesPerTransaction: 3, pauseBetweenMs: 200 },
    });
    const stats = await simulator.run();

    expect(stats.stations).toMatchObject({
      total: 20,
      byVersion: { 'ocpp1.6': 10, 'ocpp2.0.1': 10 },
      peakConnected: 20,
      booted: 20,
      bootsNotAccepted: 0,
      connected: 0, // after the graceful stop
    });
    expect(stats.connections).toMatchObject({ attempts: 20, failures: 0, disconnects: 0, reconnects: 0 });
    expect(stats.callErrors).toEqual({});
    expect(stats.timeouts).toBe(0);
    expect(stats.messages).toMatchObject({
      droppedMessages: 0,
      droppedTransactionMessages: 0,
      lateResponses: 0,
    });
    expect(stats.messages.received).toBe(stats.messages.sent); // one answer per CALL, no CSMS CALLs here

    const row = (action: string, version: string) =>
      stats.actions.find((a) => a.action === action && a.version === version);
    expect(row('BootNotification', 'ocpp1.6')?.count).toBe(10);
    expect(row('BootNotification', 'ocpp2.0.1')?.count).toBe(10);
    // After boot: 1.6 connector 0 and connector 1, 2.0.1 EVSE 1; then more per transaction.
    expect(row('StatusNotification', 'ocpp1.6')?.count).toBeGreaterThanOrEqual(20);
    expect(row('StatusNotification', 'ocpp2.0.1')?.count).toBeGreaterThanOrEqual(10);
    expect(row('Heartbeat', 'ocpp1.6')?.count).toBeGreaterThan(0);
    expect(row('Heartbeat', 'ocpp2.0.1')?.count).toBeGreaterThan(0);
    expect(stats.authorize.count).toBe(
      (row('Authorize', 'ocpp1.6')?.count ?? 0) + (row('Authorize', 'ocpp2.0.1')?.count ?? 0),
    );
    for (const a of stats.actions) {
      expect(a.count).toBe(a.sent);
      expect(a.minMs).toBeLessThanOrEqual(a.p50Ms);
      expect(a.p50Ms).toBeLessThanOrEqual(a.p99Ms);
      expect(a.p99Ms).toBeLessThanOrEqual(a.maxMs);
    }

    // Every transaction ended cleanly within the stop grace: all acknowledged.
    const t = stats.transactions;
    expect(t.started).toBeGreaterThanOrEqual(20);
    expect(t).toMatchObject({
      startAcknowledged: t.started,
      stopped: t.started,
      stopAcknowledged: t.started,
    });
    expect(t.authorizeRejected).toBe(0);
    const ledger = simulator.ledger();
    expect(ledger).toHaveLength(t.started);
    for (const tx of ledger) {
      expect(tx).toMatchObject({
        startAcknowledged: true,
        stopAcknowledged: true,
        pendingMessages: 0,
        droppedMessages: 0,
      });
      expect(tx.startStatus).toBe('Accepted');
      expect(tx.transactionId).toBeDefined();
    }
    expect(new Set(ledger.map((tx) => tx.version))).toEqual(new Set(['ocpp1.6', 'ocpp2.0.1']));

    const verification = await verifyLedger(csms.database.db, ledger, { exact: true });
    expect(verification.problems).toEqual([]);
    expect(verification.transactions).toBe(ledger.length);
    expect(verification.meterValues).toBe(ledger.reduce((n, tx) => n + tx.meterValues.length, 0));

    // The database holds exactly the acknowledged transactions and meter values, nothing twice.
    const db = csms.database.db;
    const stationIds = simulator.stations.map((s) => s.identity);
    const txRows = await db
      .selectFrom('transactions')
      .select(['id', 'state'])
      .where('station_id', 'in', stationIds)
      .execute();
    expect(txRows).toHaveLength(ledger.length);
    expect(txRows.every((r) => r.state === 'ended')).toBe(true);
    const meterRows = await db
      .selectFrom('meter_values')
      .select('id')
      .where('station_id', 'in', stationIds)
      .where('transaction_ref', 'is not', null)
      .execute();
    expect(meterRows).toHaveLength(verification.meterValues);

    const stations = await db
      .selectFrom('stations')
      .select(['id', 'registration_status', 'last_heartbeat_at', 'ocpp_version'])
      .where('id', 'in', stationIds)
      .execute();
    expect(stations).toHaveLength(20);
    for (const s of stations) {
      expect(s.registration_status).toBe('Accepted');
      expect(s.last_heartbeat_at).not.toBeNull();
    }
    const connectors = await db
      .selectFrom('connectors')
      .select(['station_id', 'status'])
      .where('station_id', 'in', stationIds)
      .execute();
    // 1.6: connectors 0 and 1; 2.0.1: EVSE 1. All Available again after the last transaction.
    expect(connectors).toHaveLength(30);
    expect(connectors.every((c) => c.status === 'Available')).toBe(true);
  });
});
