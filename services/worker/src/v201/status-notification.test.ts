import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation, callError, collectEvents, type StationEvent } from './testing.js';

describe('OCPP 2.0.1 StatusNotification', () => {
  let h: WorkerHarness;
  let events: StationEvent[];
  beforeAll(async () => {
    h = await startWorkerHarness({ config: { maxConnectorId: 8 } });
    events = await collectEvents(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const connectors = (stationId: string) =>
    h.database.db
      .selectFrom('connectors')
      .select(['evse_id', 'connector_id', 'status', 'status_at'])
      .where('station_id', '=', stationId)
      .orderBy('evse_id')
      .orderBy('connector_id')
      .execute();

  it('stores the connector status and publishes status-changed (G01)', async () => {
    const cs = await bootedStation(h, 'S-1');
    const res = await cs.ok('StatusNotification', {
      timestamp: '2031-01-01T10:00:00.000Z',
      connectorStatus: 'Occupied',
      evseId: 2,
      connectorId: 1,
    });
    expect(res).toEqual({});
    expect(await connectors('S-1')).toEqual([
      { evse_id: 2, connector_id: 1, status: 'Occupied', status_at: new Date('2031-01-01T10:00:00.000Z') },
    ]);
    await vi.waitFor(() =>
      expect(events.filter((e) => e.stationId === 'S-1' && e.type === 'status-changed')).toEqual([
        expect.objectContaining({
          evseId: 2,
          connectorId: 1,
          status: 'Occupied',
          timestamp: '2031-01-01T10:00:00.000Z',
        }),
      ]),
    );
  });

  it('does not let an older notification overwrite a newer one', async () => {
    const cs = await bootedStation(h, 'S-2');
    await cs.ok('StatusNotification', {
      timestamp: '2031-01-01T10:00:00.000Z',
      connectorStatus: 'Occupied',
      evseId: 1,
      connectorId: 1,
    });
    // Delivered late: taken before the stored one.
    expect(
      await cs.ok('StatusNotification', {
        timestamp: '2031-01-01T09:59:00.000Z',
        connectorStatus: 'Available',
        evseId: 1,
        connectorId: 1,
      }),
    ).toEqual({});
    // A newer one on another connector, as a marker for the events published so far.
    await cs.ok('StatusNotification', {
      timestamp: '2031-01-01T10:01:00.000Z',
      connectorStatus: 'Faulted',
      evseId: 1,
      connectorId: 2,
    });
    expect(await connectors('S-2')).toEqual([
      { evse_id: 1, connector_id: 1, status: 'Occupied', status_at: new Date('2031-01-01T10:00:00.000Z') },
      { evse_id: 1, connector_id: 2, status: 'Faulted', status_at: new Date('2031-01-01T10:01:00.000Z') },
    ]);
    await vi.waitFor(() =>
      expect(
        events
          .filter((e) => e.stationId === 'S-2' && e.type === 'status-changed')
          .map((e) => [e.connectorId, e.status]),
      ).toEqual([
        [1, 'Occupied'],
        [2, 'Faulted'],
      ]),
    );
    // A newer status does overwrite.
    await cs.ok('StatusNotification', {
      timestamp: '2031-01-01T10:02:00.000Z',
      connectorStatus: 'Available',
      evseId: 1,
      connectorId: 1,
    });
    expect((await connectors('S-2'))[0]).toMatchObject({ status: 'Available' });
  });

  it('refuses absurd EVSE / connector ids with PropertyConstraintViolation and stores nothing', async () => {
    const cs = await bootedStation(h, 'S-3');
    const at = '2031-01-01T10:00:00.000Z';
    const tooHighEvse = callError(
      await cs.call('StatusNotification', {
        timestamp: at,
        connectorStatus: 'Available',
        evseId: 9,
        connectorId: 1,
      }),
    );
    expect(tooHighEvse).toMatchObject({
      code: 'PropertyConstraintViolation',
      details: { field: 'evseId', limit: 8 },
    });
    const hugeConnector = callError(
      await cs.call('StatusNotification', {
        timestamp: at,
        connectorStatus: 'Available',
        evseId: 1,
        connectorId: 2_000_000_000,
      }),
    );
    expect(hugeConnector).toMatchObject({
      code: 'PropertyConstraintViolation',
      details: { field: 'connectorId' },
    });
    const negative = callError(
      await cs.call('StatusNotification', {
        timestamp: at,
        connectorStatus: 'Available',
        evseId: -1,
        connectorId: 1,
      }),
    );
    expect(negative).toMatchObject({ code: 'PropertyConstraintViolation', details: { field: 'evseId' } });
    expect(await connectors('S-3')).toEqual([]);
    // The limit itself is fine.
    await cs.ok('StatusNotification', {
      timestamp: at,
      connectorStatus: 'Available',
      evseId: 8,
      connectorId: 8,
    });
    expect(await connectors('S-3')).toHaveLength(1);
  });
});
