/**
 * Durable queued commands (`whenOffline: 'queue'`): a command for an offline station that the CSMS saw
 * before is kept in `queued_commands` with an expiry, validated and bounded per station. Delivery:
 * queued-command-delivery.test.ts; fencing: queued-commands-fencing.test.ts.
 */
import { findQueuedCommand, upsertStation } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepted, commandId, GET_VARIABLES, queuedCommandTools, sleep } from './testing/queued-commands.js';
import { startWorkerHarness, type WorkerHarness } from './testing/worker-harness.js';

const QUEUE_LIMIT = 3;

let h: WorkerHarness;
beforeAll(async () => {
  h = await startWorkerHarness({ config: { queuedCommandLimit: QUEUE_LIMIT } });
});
afterAll(() => h.close());
const { seenOffline, command, queue, rows } = queuedCommandTools(() => h);

describe('queueing a command for an offline station', () => {
  it('keeps it as a queued row and answers queued with its id and expiry', async () => {
    const id = 'QC-QUEUE';
    await seenOffline(id, 'ocpp2.0.1');
    const before = Date.now();
    const outcome = await queue(id, 'GetVariables', GET_VARIABLES('HeartbeatInterval'), {
      queueTtlMs: 60_000,
      timeoutMs: 4_000,
    });
    const after = Date.now();
    expect(outcome.status).toBe('queued');
    const row = await findQueuedCommand(h.database.db, commandId(outcome));
    expect(row).toMatchObject({
      id: commandId(outcome),
      station_id: id,
      action: 'GetVariables',
      payload: GET_VARIABLES('HeartbeatInterval'),
      ocpp_version: 'ocpp2.0.1',
      timeout_ms: 4_000,
      status: 'queued',
      outcome: null,
    });
    expect(outcome).toEqual({
      status: 'queued',
      commandId: row?.id,
      expiresAt: row?.expires_at.toISOString(),
    });
    const expiresAt = row?.expires_at.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 60_000 - 5);
    expect(expiresAt).toBeLessThanOrEqual(after + 60_000 + 5);
  });

  it('answers offline for a station never seen, queueing nothing', async () => {
    // Unknown everywhere, and registered but never connected: no OCPP version to validate against.
    expect(await queue('QC-NEVER', 'ClearCache', {})).toEqual({ status: 'offline' });
    await upsertStation(h.database.db, { id: 'QC-REGISTERED', securityProfile: 0 });
    expect(await queue('QC-REGISTERED', 'ClearCache', {})).toEqual({ status: 'offline' });
    expect(await rows('QC-NEVER')).toEqual([]);
    expect(await rows('QC-REGISTERED')).toEqual([]);
  });

  it('still answers offline at once without whenOffline or with reject (the default)', async () => {
    const id = 'QC-REJECT';
    await seenOffline(id, 'ocpp2.0.1');
    expect(await command(id, 'ClearCache', {})).toEqual({ status: 'offline' });
    expect(await command(id, 'ClearCache', {}, { whenOffline: 'reject' })).toEqual({ status: 'offline' });
    expect(await rows(id)).toEqual([]);
    // Nothing was kept: a reconnected station gets nothing.
    const station = await h.connect(id, 'ocpp2.0.1', { answer: accepted });
    await station.ok('Heartbeat', {});
    await sleep(100);
    expect(station.received).toEqual([]);
  });

  it('validates first: an invalid payload is refused for the last known version and not queued', async () => {
    const id = 'QC-INVALID';
    await seenOffline(id, 'ocpp1.6');
    expect(await queue(id, 'Reset', { type: 'Immediate' })).toMatchObject({
      status: 'invalid-request',
      code: 'PropertyConstraintViolation',
    });
    expect(await queue(id, 'GetVariables', GET_VARIABLES('X'))).toEqual({
      status: 'not-supported',
      description: 'GetVariables is not an OCPP ocpp1.6 action',
    });
    expect(await rows(id)).toEqual([]);
  });

  it('refuses (does not queue) for a Rejected station (B03.FR.03)', async () => {
    const id = 'QC-REJECTED';
    await seenOffline(id, 'ocpp2.0.1', 'Rejected');
    expect(await queue(id, 'ClearCache', {})).toEqual({
      status: 'refused',
      reason: 'station-rejected',
      description: 'the station was Rejected at its last BootNotification (OCPP 2.0.1 B03.FR.03)',
    });
    expect(await rows(id)).toEqual([]);
  });

  it('bounds the queue per station: beyond the limit it answers refused queue-full', async () => {
    const id = 'QC-FULL';
    await seenOffline(id, 'ocpp2.0.1');
    const outcomes = await Promise.all(
      Array.from({ length: QUEUE_LIMIT + 2 }, (_, i) => queue(id, 'GetVariables', GET_VARIABLES(`V${i}`))),
    );
    expect(outcomes.filter((o) => o.status === 'queued')).toHaveLength(QUEUE_LIMIT);
    expect(outcomes.filter((o) => o.status !== 'queued')).toEqual([
      {
        status: 'refused',
        reason: 'queue-full',
        description: `too many commands queued for this offline station (${QUEUE_LIMIT})`,
      },
      {
        status: 'refused',
        reason: 'queue-full',
        description: `too many commands queued for this offline station (${QUEUE_LIMIT})`,
      },
    ]);
    expect((await rows(id)).map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('sends at once, not queued, when the station is connected', async () => {
    const id = 'QC-ONLINE';
    await seenOffline(id, 'ocpp2.0.1');
    const station = await h.connect(id, 'ocpp2.0.1', { answer: accepted });
    expect(await queue(id, 'ClearCache', {})).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(station.received.map((c) => c.action)).toEqual(['ClearCache']);
    expect(await rows(id)).toEqual([]);
  });
});
