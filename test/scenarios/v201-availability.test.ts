/**
 * OCPP 2.0.1 Part 6 §3.8 (G Availability), CSMS test cases: ChangeAvailability for the station, an EVSE or a
 * connector (with and without a transaction), the status notifications that follow, and lock failures.
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { availabilityEvent, booted201, notifyConnector, Tx201 } from '../support/octt-states.js';
import { addIdToken, at, connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms();
});
afterAll(() => csms.close());

const TWO_EVSES = [
  [1, 1],
  [2, 1],
] as const;

async function bootedStation(): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs, TWO_EVSES)).status).toBe('Accepted');
  return cs;
}

/** The operator changes availability; the station answers `status`. Asserts the request as the station got it. */
async function changeAvailability(
  cs: Station201,
  request: V201.ChangeAvailabilityRequest,
  status: V201.ChangeAvailabilityStatusEnumType,
): Promise<void> {
  cs.respond('ChangeAvailability', { status });
  const outcome = await csms.stations.v201(cs.id, 'ChangeAvailability', request);
  expect(cs.requests('ChangeAvailability').at(-1)).toEqual(request);
  expect(outcome).toEqual({ status: 'result', payload: { status } });
}

async function statuses(cs: Station201): Promise<string[]> {
  const rows = await csms.database.db
    .selectFrom('connectors')
    .select(['evse_id', 'connector_id', 'status'])
    .where('station_id', '=', cs.id)
    .orderBy('evse_id')
    .orderBy('connector_id')
    .execute();
  return rows.map((r) => `${r.evse_id}/${r.connector_id}:${r.status}`);
}

/** Reusable State Unavailable for EVSE 1 (G_03 main scenario, G_04 memory state). */
async function evseUnavailable(cs: Station201): Promise<void> {
  await changeAvailability(cs, { operationalStatus: 'Inoperative', evse: { id: 1 } }, 'Accepted');
  await notifyConnector(cs, 1, 1, 'Unavailable');
  expect(
    await cs.call('NotifyEvent', availabilityEvent('Unavailable', { name: 'EVSE', evse: { id: 1 } })),
  ).toEqual({});
}

describe('TC_G_03_CSMS: Change Availability EVSE - Operative to inoperative', () => {
  it('sends ChangeAvailabilityRequest Inoperative for the EVSE and records its connector Unavailable', async () => {
    const cs = await bootedStation();
    await evseUnavailable(cs);
    expect(await statuses(cs)).toEqual(['1/1:Unavailable', '2/1:Available']);
  });
});

describe('TC_G_04_CSMS: Change Availability EVSE - Inoperative to operative', () => {
  it('sends ChangeAvailabilityRequest Operative for the EVSE and records its connector Available', async () => {
    const cs = await bootedStation();
    await evseUnavailable(cs);
    await changeAvailability(cs, { operationalStatus: 'Operative', evse: { id: 1 } }, 'Accepted');
    await notifyConnector(cs, 1, 1, 'Available');
    expect(await statuses(cs)).toEqual(['1/1:Available', '2/1:Available']);
  });
});

describe('TC_G_05_CSMS: Change Availability Charging Station - Operative to inoperative', () => {
  it('sends ChangeAvailabilityRequest Inoperative without evse; all connectors become Unavailable', async () => {
    const cs = await bootedStation();
    await changeAvailability(cs, { operationalStatus: 'Inoperative' }, 'Accepted');
    for (const [evseId, connectorId] of TWO_EVSES)
      await notifyConnector(cs, evseId, connectorId, 'Unavailable');
    expect(await statuses(cs)).toEqual(['1/1:Unavailable', '2/1:Unavailable']);
  });
});

describe('TC_G_06_CSMS: Change Availability Charging Station - Inoperative to operative', () => {
  it('sends ChangeAvailabilityRequest Operative without evse; all connectors become Available', async () => {
    const cs = await bootedStation();
    await changeAvailability(cs, { operationalStatus: 'Inoperative' }, 'Accepted');
    for (const [evseId, connectorId] of TWO_EVSES)
      await notifyConnector(cs, evseId, connectorId, 'Unavailable');
    await changeAvailability(cs, { operationalStatus: 'Operative' }, 'Accepted');
    for (const [evseId, connectorId] of TWO_EVSES)
      await notifyConnector(cs, evseId, connectorId, 'Available');
    expect(await statuses(cs)).toEqual(['1/1:Available', '2/1:Available']);
  });
});

describe('TC_G_07_CSMS: Change Availability Connector - Operative to inoperative', () => {
  it('sends ChangeAvailabilityRequest Inoperative for the connector', async () => {
    const cs = await bootedStation();
    await changeAvailability(
      cs,
      { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } },
      'Accepted',
    );
    await notifyConnector(cs, 1, 1, 'Unavailable');
    expect(await statuses(cs)).toEqual(['1/1:Unavailable', '2/1:Available']);
  });
});

describe('TC_G_08_CSMS: Change Availability Connector - Inoperative to operative', () => {
  it('sends ChangeAvailabilityRequest Operative for the connector', async () => {
    const cs = await bootedStation();
    await changeAvailability(
      cs,
      { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } },
      'Accepted',
    );
    await notifyConnector(cs, 1, 1, 'Unavailable');
    await changeAvailability(
      cs,
      { operationalStatus: 'Operative', evse: { id: 1, connectorId: 1 } },
      'Accepted',
    );
    await notifyConnector(cs, 1, 1, 'Available');
    expect(await statuses(cs)).toEqual(['1/1:Available', '2/1:Available']);
  });
});

/** A booted station with EVSE 1 in EnergyTransferStarted. */
async function chargingStation(): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await bootedStation();
  const tx = new Tx201(cs, {
    idToken: { idToken: await addIdToken(csms, 'G', { type: 'ISO14443' }), type: 'ISO14443' },
  });
  await tx.energyTransferStarted();
  return { cs, tx };
}

/** StopAuthorized → EVConnectedPostSession → EVDisconnected, all answered. */
async function finish(tx: Tx201): Promise<void> {
  expect(await tx.stopAuthorized()).toEqual({ idTokenInfo: { status: 'Accepted' } });
  expect(await tx.evConnectedPostSession()).toEqual({});
  expect(await tx.evDisconnected()).toEqual({});
}

describe('TC_G_11_CSMS: Change Availability EVSE - With ongoing transaction', () => {
  it('handles Scheduled; after the transaction the EVSE reports Unavailable', async () => {
    const { cs, tx } = await chargingStation();
    await changeAvailability(cs, { operationalStatus: 'Inoperative', evse: { id: 1 } }, 'Scheduled');
    await finish(tx);
    await expect(
      cs.call('StatusNotification', {
        timestamp: at(),
        connectorStatus: 'Unavailable',
        evseId: 1,
        connectorId: 1,
      }),
    ).resolves.toEqual({});
    expect(await statuses(cs)).toEqual(['1/1:Unavailable', '2/1:Available']);
  });
});

describe('TC_G_14_CSMS: Change Availability Charging Station - With ongoing transaction', () => {
  it('handles Scheduled; idle connectors go Unavailable at once, the charging one after its transaction', async () => {
    const { cs, tx } = await chargingStation();
    await changeAvailability(cs, { operationalStatus: 'Inoperative' }, 'Scheduled');
    await expect(
      cs.call('StatusNotification', {
        timestamp: at(),
        connectorStatus: 'Unavailable',
        evseId: 2,
        connectorId: 1,
      }),
    ).resolves.toEqual({});
    expect(await statuses(cs)).toEqual(['1/1:Occupied', '2/1:Unavailable']);
    await finish(tx);
    await expect(
      cs.call('StatusNotification', {
        timestamp: at(),
        connectorStatus: 'Unavailable',
        evseId: 1,
        connectorId: 1,
      }),
    ).resolves.toEqual({});
    expect(await statuses(cs)).toEqual(['1/1:Unavailable', '2/1:Unavailable']);
  });
});

describe('TC_G_17_CSMS: Change Availability Connector - With ongoing transaction', () => {
  it('handles Scheduled; after the transaction the connector reports Unavailable', async () => {
    const { cs, tx } = await chargingStation();
    await changeAvailability(
      cs,
      { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } },
      'Scheduled',
    );
    await finish(tx);
    await expect(
      cs.call('StatusNotification', {
        timestamp: at(),
        connectorStatus: 'Unavailable',
        evseId: 1,
        connectorId: 1,
      }),
    ).resolves.toEqual({});
    expect(await statuses(cs)).toEqual(['1/1:Unavailable', '2/1:Available']);
  });
});

describe('TC_G_20_CSMS: Connector status Notification - Lock Failure', () => {
  it('answers and stores a NotifyEvent ConnectorPlugRetentionLock Problem = true', async () => {
    const cs = await bootedStation();
    const request: V201.NotifyEventRequest = {
      generatedAt: at(),
      seqNo: 0,
      eventData: [
        {
          eventId: 7,
          timestamp: at(),
          trigger: 'Delta',
          actualValue: 'true',
          component: { name: 'ConnectorPlugRetentionLock', evse: { id: 1, connectorId: 1 } },
          variable: { name: 'Problem' },
          eventNotificationType: 'HardWiredNotification',
        },
      ],
    };
    expect(await cs.call('NotifyEvent', request)).toEqual({});
    const rows = await csms.database.db
      .selectFrom('device_events')
      .select(['seq_no', 'event_data'])
      .where('station_id', '=', cs.id)
      .where('generated_at', '=', new Date(request.generatedAt))
      .execute();
    expect(rows).toEqual([{ seq_no: 0, event_data: request.eventData }]);
  });
});
