import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation, callError, collectEvents, type StationEvent } from './testing.js';

describe('OCPP 2.0.1 reports, notifications, MeterValues and DataTransfer', () => {
  let h: WorkerHarness;
  let events: StationEvent[];
  beforeAll(async () => {
    h = await startWorkerHarness({ config: { dataTransferVendors: ['com.acme'], maxConnectorId: 4 } });
    events = await collectEvents(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const notifications = (stationId: string) =>
    h.database.db
      .selectFrom('station_notifications')
      .select(['action', 'payload'])
      .where('station_id', '=', stationId)
      .orderBy('id')
      .execute();
  const eventsOf = (stationId: string, type: string) =>
    events.filter((e) => e.stationId === stationId && e.type === type);

  it('stores every part of a multi-part NotifyReport once, even when retried (B07/B08)', async () => {
    const cs = await bootedStation(h, 'N-REPORT');
    const part = (seqNo: number, tbc: boolean, value: string) => ({
      requestId: 42,
      generatedAt: '2031-02-01T08:00:00.000Z',
      seqNo,
      tbc,
      reportData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          variableAttribute: [{ value }],
        },
      ],
    });
    expect(await cs.ok('NotifyReport', part(0, true, '300'))).toEqual({});
    expect(await cs.ok('NotifyReport', part(1, false, '600'))).toEqual({});
    expect(await cs.ok('NotifyReport', part(0, true, 'retried'))).toEqual({}); // retry of seqNo 0: no-op
    const rows = await h.database.db
      .selectFrom('device_reports')
      .select(['request_id', 'seq_no', 'tbc', 'generated_at', 'report_data'])
      .where('station_id', '=', 'N-REPORT')
      .orderBy('seq_no')
      .execute();
    expect(rows).toEqual([
      {
        request_id: 42,
        seq_no: 0,
        tbc: true,
        generated_at: new Date('2031-02-01T08:00:00.000Z'),
        report_data: part(0, true, '300').reportData,
      },
      {
        request_id: 42,
        seq_no: 1,
        tbc: false,
        generated_at: new Date('2031-02-01T08:00:00.000Z'),
        report_data: part(1, false, '600').reportData,
      },
    ]);
    await vi.waitFor(() =>
      expect(eventsOf('N-REPORT', 'report-part').map((e) => [e.requestId, e.seqNo, e.tbc])).toEqual([
        [42, 0, true],
        [42, 1, false],
      ]),
    );
  });

  it('stores NotifyEvent once per (generatedAt, seqNo) (N07.FR.03)', async () => {
    const cs = await bootedStation(h, 'N-EVENT');
    const eventData = [
      {
        eventId: 1,
        timestamp: '2031-02-01T08:00:00.000Z',
        trigger: 'Delta',
        actualValue: 'Occupied',
        eventNotificationType: 'HardWiredNotification',
        component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
        variable: { name: 'AvailabilityState' },
      },
    ];
    const msg = { generatedAt: '2031-02-01T08:00:01.000Z', seqNo: 0, tbc: false, eventData };
    expect(await cs.ok('NotifyEvent', msg)).toEqual({});
    expect(await cs.ok('NotifyEvent', msg)).toEqual({});
    expect(await cs.ok('NotifyEvent', { ...msg, seqNo: 1 })).toEqual({});
    const rows = await h.database.db
      .selectFrom('device_events')
      .select(['seq_no', 'generated_at', 'tbc', 'event_data'])
      .where('station_id', '=', 'N-EVENT')
      .orderBy('seq_no')
      .execute();
    expect(rows).toEqual([
      { seq_no: 0, generated_at: new Date('2031-02-01T08:00:01.000Z'), tbc: false, event_data: eventData },
      { seq_no: 1, generated_at: new Date('2031-02-01T08:00:01.000Z'), tbc: false, event_data: eventData },
    ]);
  });

  it('accepts and stores DataTransfer from a known vendor, answers UnknownVendorId otherwise (P02.FR.06)', async () => {
    const cs = await bootedStation(h, 'N-DT');
    const known = { vendorId: 'com.acme', messageId: 'Hello', data: { a: 1 } };
    expect(await cs.ok('DataTransfer', known)).toEqual({ status: 'Accepted' });
    expect(await cs.ok('DataTransfer', { vendorId: 'org.unknown', messageId: 'Hello' })).toEqual({
      status: 'UnknownVendorId',
    });
    expect(await notifications('N-DT')).toEqual([{ action: 'DataTransfer', payload: known }]);
  });

  it('stores a security event once, however often it is delivered (A04)', async () => {
    const cs = await bootedStation(h, 'N-SEC');
    const ev = { type: 'FirmwareUpdated', timestamp: '2031-02-01T09:00:00.000Z', techInfo: 'v2 installed' };
    expect(await cs.ok('SecurityEventNotification', ev)).toEqual({});
    expect(await cs.ok('SecurityEventNotification', ev)).toEqual({});
    expect(
      await cs.ok('SecurityEventNotification', { type: 'ResetOrReboot', timestamp: ev.timestamp }),
    ).toEqual({});
    const rows = await h.database.db
      .selectFrom('security_events')
      .select(['type', 'timestamp', 'tech_info'])
      .where('station_id', '=', 'N-SEC')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { type: 'FirmwareUpdated', timestamp: new Date(ev.timestamp), tech_info: 'v2 installed' },
      { type: 'ResetOrReboot', timestamp: new Date(ev.timestamp), tech_info: null },
    ]);
    await vi.waitFor(() =>
      expect(eventsOf('N-SEC', 'security-event').map((e) => e.eventType)).toEqual([
        'FirmwareUpdated',
        'ResetOrReboot',
      ]),
    );
  });

  it('logs firmware and log status notifications and publishes them', async () => {
    const cs = await bootedStation(h, 'N-STATUS');
    expect(await cs.ok('FirmwareStatusNotification', { status: 'Downloading', requestId: 3 })).toEqual({});
    expect(await cs.ok('LogStatusNotification', { status: 'Uploaded', requestId: 4 })).toEqual({});
    expect(await notifications('N-STATUS')).toEqual([
      { action: 'FirmwareStatusNotification', payload: { status: 'Downloading', requestId: 3 } },
      { action: 'LogStatusNotification', payload: { status: 'Uploaded', requestId: 4 } },
    ]);
    await vi.waitFor(() => {
      expect(eventsOf('N-STATUS', 'firmware-status')).toEqual([
        expect.objectContaining({ status: 'Downloading', requestId: 3 }),
      ]);
      expect(eventsOf('N-STATUS', 'log-status')).toEqual([
        expect.objectContaining({ status: 'Uploaded', requestId: 4 }),
      ]);
    });
  });

  it('stores MeterValues outside transactions once and refuses an absurd evseId (J01)', async () => {
    const cs = await bootedStation(h, 'N-METER');
    const meterValue = [
      { timestamp: '2031-02-01T10:00:00.000Z', sampledValue: [{ value: 123456, context: 'Sample.Clock' }] },
    ];
    expect(await cs.ok('MeterValues', { evseId: 0, meterValue })).toEqual({});
    expect(await cs.ok('MeterValues', { evseId: 0, meterValue })).toEqual({}); // retry
    const rows = await h.database.db
      .selectFrom('meter_values')
      .select(['transaction_ref', 'evse_id', 'connector_id', 'timestamp', 'sampled_values', 'source'])
      .where('station_id', '=', 'N-METER')
      .execute();
    expect(rows).toEqual([
      {
        transaction_ref: null,
        evse_id: 0,
        connector_id: null,
        timestamp: new Date('2031-02-01T10:00:00.000Z'),
        sampled_values: meterValue[0]!.sampledValue,
        source: 'MeterValues',
      },
    ]);
    const error = callError(await cs.call('MeterValues', { evseId: 5, meterValue }));
    expect(error).toMatchObject({
      code: 'PropertyConstraintViolation',
      details: { field: 'evseId', limit: 4 },
    });
  });

  it('logs the other notifications with an empty response', async () => {
    const cs = await bootedStation(h, 'N-OTHER');
    const messages: [string, Record<string, unknown>][] = [
      ['ReservationStatusUpdate', { reservationId: 9, reservationUpdateStatus: 'Expired' }],
      ['NotifyMonitoringReport', { requestId: 1, seqNo: 0, generatedAt: '2031-02-01T10:00:00.000Z' }],
      [
        'NotifyCustomerInformation',
        { data: 'none', seqNo: 0, generatedAt: '2031-02-01T10:00:00.000Z', requestId: 2 },
      ],
      ['NotifyDisplayMessages', { requestId: 3 }],
      ['NotifyChargingLimit', { chargingLimit: { chargingLimitSource: 'EMS' }, evseId: 1 }],
      ['ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 }],
      [
        'PublishFirmwareStatusNotification',
        { status: 'Published', location: ['https://lc/fw.bin'], requestId: 5 },
      ],
    ];
    for (const [action, payload] of messages) expect(await cs.ok(action, payload)).toEqual({});
    expect(await notifications('N-OTHER')).toEqual(
      messages.map(([action, payload]) => ({ action, payload })),
    );
    // The Local Controller's progress (L03) is published, with the URIs it serves the file at.
    await vi.waitFor(() =>
      expect(eventsOf('N-OTHER', 'publish-firmware-status')).toEqual([
        expect.objectContaining({ status: 'Published', location: ['https://lc/fw.bin'], requestId: 5 }),
      ]),
    );
    const error = callError(
      await cs.call('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 99 }),
    );
    expect(error.code).toBe('PropertyConstraintViolation');
  });

  it('answers the charging needs of an EV it cannot schedule (no transaction, no parameters) Rejected with a reason (K15)', async () => {
    const cs = await bootedStation(h, 'N-EV-NEEDS');
    const answer = await cs.ok<V201.NotifyEVChargingNeedsResponse>('NotifyEVChargingNeeds', {
      evseId: 1,
      chargingNeeds: { requestedEnergyTransfer: 'DC' },
    });
    expect(answer.status).toBe('Rejected');
    expect(answer.statusInfo?.reasonCode).toMatch(/^\w+$/);
  });
});
