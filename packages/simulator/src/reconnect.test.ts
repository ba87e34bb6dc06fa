/**
 * The CSMS drops the stations' sockets (newest connection wins: a second socket with the same identity
 * replaces the simulator's) while they stream transaction messages; the stations reconnect without booting
 * again, retry what was in flight, and the database ends up with every acknowledged message exactly once.
 */
import { upsertIdToken } from '@csms/db';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../../../test/support/csms.js';
import { Simulator, defaultIdToken, stationIdentity, verifyLedger } from './index.js';

const STATIONS = 6;
const PREFIX = 'RECON';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms();
  for (let i = 0; i < STATIONS; i++) {
    await upsertIdToken(csms.database.db, {
      idToken: defaultIdToken(stationIdentity(PREFIX, i, STATIONS)),
      status: 'Accepted',
    });
  }
});
afterAll(() => csms.close());

/** Opens a socket as `identity` (replacing the simulator's), waits until it is open, then closes it. */
async function intrude(identity: string, protocol: string): Promise<void> {
  const ws = new WebSocket(`${csms.endpoint}/${identity}`, protocol, { perMessageDeflate: false });
  ws.on('error', () => {});
  await new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
  });
  await new Promise((r) => setTimeout(r, 30));
  ws.terminate();
}

describe('reconnection after the CSMS closes the socket', () => {
  it('reconnects without re-booting and never duplicates a retried transaction message', async () => {
    const simulator = new Simulator({
      url: csms.endpoint,
      stations: STATIONS,
      versionMix: 0.5,
      idPrefix: PREFIX,
      bootStorm: true,
      durationMs: 30_000,
      callTimeoutMs: 5_000,
      reconnectMinMs: 20,
      reconnectMaxMs: 100,
      transactionMessageRetryIntervalMs: 50,
      // Meter values every 20 ms: a replacement very likely catches a transaction message in flight.
      transaction: { meterValueIntervalMs: 20, meterValuesPerTransaction: 8, pauseBetweenMs: 20 },
    });
    await simulator.start();
    expect(await simulator.waitForBoot(10_000)).toBe(STATIONS);

    for (let round = 0; round < 8; round++) {
      await Promise.all(simulator.stations.map((s) => intrude(s.identity, s.version)));
      await new Promise((r) => setTimeout(r, 150));
    }
    // Back to normal for a moment, then the graceful stop delivers everything still queued.
    expect(await simulator.waitForBoot(5_000)).toBe(STATIONS);
    await new Promise((r) => setTimeout(r, 200));
    await simulator.stop();
    const stats = simulator.stats();

    expect(stats.connections.disconnects).toBeGreaterThan(0);
    expect(stats.connections.reconnects).toBeGreaterThan(0);
    // A reconnect is not a reboot: one BootNotification per station for the whole run.
    const boots = stats.actions
      .filter((a) => a.action === 'BootNotification')
      .reduce((n, a) => n + a.count, 0);
    expect(boots).toBe(STATIONS);
    expect(stats.messages.droppedTransactionMessages).toBe(0);

    const ledger = simulator.ledger();
    expect(ledger.length).toBeGreaterThan(0);
    for (const tx of ledger) {
      expect(tx).toMatchObject({
        startAcknowledged: true,
        stopAcknowledged: true,
        pendingMessages: 0,
        droppedMessages: 0,
      });
    }
    // exact: every stored meter value and transaction was acknowledged, and nothing is stored twice, even
    // for the messages that were in flight when a socket was replaced and were sent again.
    const verification = await verifyLedger(csms.database.db, ledger, { exact: true });
    expect(verification.problems).toEqual([]);
    expect(verification.transactions).toBe(ledger.length);

    const stationIds = simulator.stations.map((s) => s.identity);
    const meterRows = await csms.database.db
      .selectFrom('meter_values')
      .select('id')
      .where('station_id', 'in', stationIds)
      .where('transaction_ref', 'is not', null)
      .execute();
    expect(meterRows).toHaveLength(verification.meterValues);
    const events = await csms.database.db
      .selectFrom('transaction_events')
      .select('id')
      .where('station_id', 'in', stationIds)
      .execute();
    const v201Events = ledger
      .filter((tx) => tx.version === 'ocpp2.0.1')
      .reduce((n, tx) => n + tx.meterValues.length, 0);
    expect(events).toHaveLength(v201Events);
  });
});
