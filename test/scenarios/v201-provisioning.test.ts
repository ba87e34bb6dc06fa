/**
 * OCPP 2.0.1 Part 6 §3.3 (B Provisioning), CSMS test cases: boot (Accepted / Pending / Rejected), variables,
 * base reports, resets, network profiles and the WebSocket subprotocol.
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201, MODEL, notifyConnector, Tx201, VENDOR } from '../support/octt-states.js';
import { RawStation, rawUpgrade } from '../support/raw-station.js';
import { addIdToken, at, connect201, type Station201 } from '../support/scenario.js';

const HEARTBEAT = 120;
const RETRY = 15;

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({
    env: { CSMS_HEARTBEAT_INTERVAL: String(HEARTBEAT), CSMS_BOOT_RETRY_INTERVAL: String(RETRY) },
  });
});
afterAll(() => csms.close());

async function stationRow(id: string) {
  return csms.database.db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function connectorRows(id: string) {
  return csms.database.db
    .selectFrom('connectors')
    .select(['evse_id', 'connector_id', 'status'])
    .where('station_id', '=', id)
    .orderBy('evse_id')
    .orderBy('connector_id')
    .execute();
}

/** A connected station whose next BootNotification is answered with `policy`. */
async function stationWithPolicy(policy: 'Pending' | 'Rejected'): Promise<Station201> {
  const cs = await connect201(csms);
  expect(await csms.setBootPolicy(cs.id, policy)).toBe(true);
  return cs;
}

function expectIsoNow(value: string): void {
  expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  expect(Math.abs(Date.parse(value) - Date.now())).toBeLessThan(60_000);
}

describe('TC_B_01_CSMS: Cold Boot Charging Station - Accepted', () => {
  it('executes Reusable State Booted: BootNotification Accepted, connector status answered and stored', async () => {
    const cs = await connect201(csms);
    const boot = await booted201(cs, [
      [1, 1],
      [2, 1],
    ]);
    expect(boot.status).toBe('Accepted');
    expect(boot.interval).toBe(HEARTBEAT);
    expectIsoNow(boot.currentTime);

    const row = await stationRow(cs.id);
    expect(row).toMatchObject({
      registration_status: 'Accepted',
      ocpp_version: 'ocpp2.0.1',
      vendor: VENDOR,
      model: MODEL,
    });
    expect(await connectorRows(cs.id)).toEqual([
      { evse_id: 1, connector_id: 1, status: 'Available' },
      { evse_id: 2, connector_id: 1, status: 'Available' },
    ]);
  });
});

describe('TC_B_02_CSMS: Cold Boot Charging Station - Pending', () => {
  it('answers Pending with the retry interval, may configure the station meanwhile, then Accepted', async () => {
    const cs = await stationWithPolicy('Pending');
    // Step 1-2: Pending.
    const first = await cs.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(first).toEqual({ status: 'Pending', interval: RETRY, currentTime: expect.any(String) as string });
    expect((await stationRow(cs.id)).registration_status).toBe('Pending');

    // During the interval the CSMS may set variables (B05) on the Pending station.
    cs.respond('SetVariables', ({ setVariableData }) => ({
      setVariableResult: setVariableData.map((d) => ({
        attributeStatus: 'Accepted' as const,
        component: d.component,
        variable: d.variable,
      })),
    }));
    const set = await csms.stations.v201(cs.id, 'SetVariables', {
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeValue: '120',
        },
      ],
    });
    expect(set.status).toBe('result');

    // The operator accepts the station; its next BootNotification (step 3) is Accepted.
    expect(await csms.setBootPolicy(cs.id, 'Accepted')).toBe(true);
    const second = await cs.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(second).toEqual({
      status: 'Accepted',
      interval: HEARTBEAT,
      currentTime: expect.any(String) as string,
    });
    // Step 5-6: the connector state is answered.
    await notifyConnector(cs, 1, 1, 'Available');
    expect(await connectorRows(cs.id)).toEqual([{ evse_id: 1, connector_id: 1, status: 'Available' }]);
  });
});

describe('TC_B_30_CSMS: Cold Boot Charging Station - Pending/Rejected - SecurityError', () => {
  for (const policy of ['Pending', 'Rejected'] as const) {
    it(`answers CALLERROR SecurityError to StatusNotification and NotifyEvent while ${policy}`, async () => {
      const cs = await stationWithPolicy(policy);
      const boot = await cs.call('BootNotification', {
        reason: 'PowerUp',
        chargingStation: { model: MODEL, vendorName: VENDOR },
      });
      expect(boot.status).toBe(policy);
      expect(boot.interval).toBe(RETRY);

      await expect(
        cs.call('StatusNotification', {
          timestamp: at(),
          connectorStatus: 'Available',
          evseId: 1,
          connectorId: 1,
        }),
      ).rejects.toMatchObject({ rpcErrorCode: 'SecurityError' });
      await expect(
        cs.call('NotifyEvent', {
          generatedAt: at(),
          seqNo: 0,
          eventData: [
            {
              eventId: 1,
              timestamp: at(),
              trigger: 'Delta',
              actualValue: 'Available',
              component: { name: 'Connector' },
              variable: { name: 'AvailabilityState' },
              eventNotificationType: 'HardWiredNotification',
            },
          ],
        }),
      ).rejects.toMatchObject({ rpcErrorCode: 'SecurityError' });
      // Nothing of the refused messages was stored.
      expect(await connectorRows(cs.id)).toEqual([]);
    });
  }
});

describe('TC_B_31_CSMS: Cold Boot Charging Station - Pending/Rejected - TriggerMessage', () => {
  it('triggers a BootNotification before the interval expires and accepts it', async () => {
    const cs = await stationWithPolicy('Pending');
    cs.respond('TriggerMessage', { status: 'Accepted' });
    const boot = await cs.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(boot.status).toBe('Pending');

    // Step 3: the CSMS (operator) accepts the station and triggers a new BootNotification.
    expect(await csms.setBootPolicy(cs.id, 'Accepted')).toBe(true);
    const trigger = await csms.stations.v201(cs.id, 'TriggerMessage', {
      requestedMessage: 'BootNotification',
    });
    expect(cs.requests('TriggerMessage')).toEqual([{ requestedMessage: 'BootNotification' }]);
    expect(trigger).toEqual({ status: 'result', payload: { status: 'Accepted' } });

    // Step 5-6: the triggered BootNotification is Accepted.
    const second = await cs.call('BootNotification', {
      reason: 'Triggered',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(second.status).toBe('Accepted');
    expect(second.interval).toBe(HEARTBEAT);
    await notifyConnector(cs, 1, 1, 'Available');
    expect((await stationRow(cs.id)).registration_status).toBe('Accepted');
  });
});

/** A booted station answering GetVariables with a value per requested variable. */
async function variablesStation(values: Record<string, string>): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  cs.respond('GetVariables', ({ getVariableData }) => ({
    getVariableResult: getVariableData.map((d) => ({
      attributeStatus: 'Accepted' as const,
      attributeValue: values[`${d.component.name}.${d.variable.name}`] ?? '',
      component: d.component,
      variable: d.variable,
    })),
  }));
  return cs;
}

describe('TC_B_06_CSMS: Get Variables - single value', () => {
  it('sends GetVariablesRequest for OCPPCommCtrlr.OfflineThreshold and returns the value read', async () => {
    const cs = await variablesStation({ 'OCPPCommCtrlr.OfflineThreshold': '300' });
    const request: V201.GetVariablesRequest = {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' } }],
    };
    const outcome = await csms.stations.v201(cs.id, 'GetVariables', request);
    expect(cs.requests('GetVariables')).toEqual([request]);
    expect(outcome).toEqual({
      status: 'result',
      payload: {
        getVariableResult: [
          {
            attributeStatus: 'Accepted',
            attributeValue: '300',
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'OfflineThreshold' },
          },
        ],
      },
    });
  });
});

describe('TC_B_07_CSMS: Get Variables - multiple values', () => {
  it('sends one GetVariablesRequest for OfflineThreshold and AuthorizeRemoteStart', async () => {
    const cs = await variablesStation({
      'OCPPCommCtrlr.OfflineThreshold': '300',
      'AuthCtrlr.AuthorizeRemoteStart': 'false',
    });
    const request: V201.GetVariablesRequest = {
      getVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
          attributeType: 'Actual',
        },
        {
          component: { name: 'AuthCtrlr' },
          variable: { name: 'AuthorizeRemoteStart' },
          attributeType: 'Actual',
        },
      ],
    };
    const outcome = await csms.stations.v201(cs.id, 'GetVariables', request);
    expect(cs.requests('GetVariables')).toEqual([request]);
    expect(outcome.status).toBe('result');
    if (outcome.status !== 'result') return;
    expect(outcome.payload.getVariableResult.map((r) => r.attributeValue)).toEqual(['300', 'false']);
  });
});

/** A booted station accepting every SetVariables entry. */
async function settableStation(): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  cs.respond('SetVariables', ({ setVariableData }) => ({
    setVariableResult: setVariableData.map((d) => ({
      attributeStatus: 'Accepted' as const,
      component: d.component,
      variable: d.variable,
    })),
  }));
  return cs;
}

describe('TC_B_09_CSMS: Set Variables - single value', () => {
  it('sends SetVariablesRequest OCPPCommCtrlr.OfflineThreshold = "123"', async () => {
    const cs = await settableStation();
    const request: V201.SetVariablesRequest = {
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
          attributeValue: '123',
        },
      ],
    };
    const outcome = await csms.stations.v201(cs.id, 'SetVariables', request);
    expect(cs.requests('SetVariables')).toEqual([request]);
    expect(outcome).toEqual({
      status: 'result',
      payload: {
        setVariableResult: [
          {
            attributeStatus: 'Accepted',
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'OfflineThreshold' },
          },
        ],
      },
    });
  });
});

describe('TC_B_10_CSMS: Set Variables - multiple values', () => {
  it('sends one SetVariablesRequest with OfflineThreshold "123" and AuthorizeRemoteStart "false"', async () => {
    const cs = await settableStation();
    const request: V201.SetVariablesRequest = {
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'OfflineThreshold' },
          attributeValue: '123',
        },
        {
          component: { name: 'AuthCtrlr' },
          variable: { name: 'AuthorizeRemoteStart' },
          attributeValue: 'false',
          attributeType: 'Actual',
        },
      ],
    };
    const outcome = await csms.stations.v201(cs.id, 'SetVariables', request);
    expect(cs.requests('SetVariables')).toEqual([request]);
    expect(outcome.status).toBe('result');
    if (outcome.status !== 'result') return;
    expect(outcome.payload.setVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'Accepted']);
  });
});

/** Runs GetBaseReport for `reportBase`, then the station reports in two NotifyReport parts. */
async function baseReport(reportBase: V201.ReportBaseEnumType, requestId: number): Promise<void> {
  const cs = await connect201(csms);
  await booted201(cs);
  cs.respond('GetBaseReport', { status: 'Accepted' });
  const outcome = await csms.stations.v201(cs.id, 'GetBaseReport', { requestId, reportBase });
  expect(cs.requests('GetBaseReport')).toEqual([{ requestId, reportBase }]);
  expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });

  const part = (seqNo: number, tbc: boolean, name: string, value: string): V201.NotifyReportRequest => ({
    requestId,
    generatedAt: at(),
    seqNo,
    tbc,
    reportData: [
      {
        component: { name: 'OCPPCommCtrlr' },
        variable: { name },
        variableAttribute: [{ type: 'Actual', value, mutability: 'ReadWrite' }],
      },
    ],
  });
  expect(await cs.call('NotifyReport', part(0, true, 'HeartbeatInterval', '120'))).toEqual({});
  expect(await cs.call('NotifyReport', part(1, false, 'OfflineThreshold', '300'))).toEqual({});

  // Post scenario: the CSMS received all NotifyReportRequests of this requestId.
  const rows = await csms.database.db
    .selectFrom('device_reports')
    .select(['request_id', 'seq_no', 'tbc', 'report_data'])
    .where('station_id', '=', cs.id)
    .orderBy('seq_no')
    .execute();
  expect(rows.map((r) => [r.request_id, r.seq_no, r.tbc])).toEqual([
    [requestId, 0, true],
    [requestId, 1, false],
  ]);
  expect(rows[1]?.report_data).toEqual(part(1, false, 'OfflineThreshold', '300').reportData);
}

describe('TC_B_12_CSMS: Get Base Report - ConfigurationInventory', () => {
  it('sends GetBaseReportRequest ConfigurationInventory and stores every NotifyReport part', async () => {
    await baseReport('ConfigurationInventory', 12);
  });
});

describe('TC_B_13_CSMS: Get Base Report - FullInventory', () => {
  it('sends GetBaseReportRequest FullInventory and stores every NotifyReport part', async () => {
    await baseReport('FullInventory', 13);
  });
});

describe('TC_B_14_CSMS: Get Base Report - SummaryInventory', () => {
  it('sends GetBaseReportRequest SummaryInventory and stores every NotifyReport part', async () => {
    await baseReport('SummaryInventory', 0);
  });
});

describe('TC_B_18_CSMS: Get Custom Report - with componentCriteria and component/variables', () => {
  it('handles EmptyResultSet, then Accepted with a NotifyReport', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    const componentVariable = [
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
    ];
    cs.respond('GetReport', ({ componentCriteria }) => ({
      status: componentCriteria?.includes('Problem') ? ('EmptyResultSet' as const) : ('Accepted' as const),
    }));
    const problem = await csms.stations.v201(cs.id, 'GetReport', {
      requestId: 1,
      componentCriteria: ['Problem'],
      componentVariable,
    });
    expect(problem).toEqual({ status: 'result', payload: { status: 'EmptyResultSet' } });
    const available = await csms.stations.v201(cs.id, 'GetReport', {
      requestId: 2,
      componentCriteria: ['Available'],
      componentVariable,
    });
    expect(available).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(cs.requests('GetReport')).toEqual([
      { requestId: 1, componentCriteria: ['Problem'], componentVariable },
      { requestId: 2, componentCriteria: ['Available'], componentVariable },
    ]);
    // Step 5-6: the station reports, the CSMS answers NotifyReportResponse.
    expect(
      await cs.call('NotifyReport', {
        requestId: 2,
        generatedAt: at(),
        seqNo: 0,
        reportData: [
          {
            component: { name: 'EVSE', evse: { id: 1 } },
            variable: { name: 'AvailabilityState' },
            variableAttribute: [{ type: 'Actual', value: 'Available' }],
          },
        ],
      }),
    ).toEqual({});
    const rows = await csms.database.db
      .selectFrom('device_reports')
      .select(['request_id', 'tbc'])
      .where('station_id', '=', cs.id)
      .execute();
    expect(rows).toEqual([{ request_id: 2, tbc: false }]);
  });
});

/** A booted station in EnergyTransferStarted (Authorized first, then cable plugged in, then charging). */
async function chargingStation(): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await connect201(csms);
  await booted201(cs);
  const tx = new Tx201(cs, { idToken: { idToken: await addIdToken(csms, 'PROV'), type: 'ISO14443' } });
  expect(await tx.energyTransferStarted()).toEqual({});
  expect(tx.sent.map((e) => [e.seqNo, e.eventType, e.triggerReason])).toEqual([
    [0, 'Started', 'Authorized'],
    [1, 'Updated', 'CablePluggedIn'],
    [2, 'Updated', 'ChargingStateChanged'],
  ]);
  return { cs, tx };
}

async function transactionRow(cs: Station201, tx: Tx201) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .executeTakeFirstOrThrow();
}

describe('TC_B_20_CSMS: Reset Charging Station - Without ongoing transaction - OnIdle', () => {
  it('sends ResetRequest OnIdle without evseId, then accepts the reboot', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle' });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle' }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });

    const boot = await booted201(cs, [[1, 1]], 'RemoteReset');
    expect(boot.status).toBe('Accepted');
  });
});

describe('TC_B_21_CSMS: Reset Charging Station - With Ongoing Transaction - OnIdle', () => {
  it('gets Scheduled, the transaction ends, then the ScheduledReset boot is Accepted', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Scheduled' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle' });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle' }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Scheduled' } });

    const stop = await tx.event('StopAuthorized', {
      idToken: tx.idToken,
      info: { chargingState: 'EVConnected' },
    });
    expect(stop.idTokenInfo?.status).toBe('Accepted');
    expect(
      await tx.event('EVCommunicationLost', {
        eventType: 'Ended',
        info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      }),
    ).toEqual({});
    const boot = await booted201(cs, [[1, 1]], 'ScheduledReset');
    expect(boot.status).toBe('Accepted');
    expect(await transactionRow(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'EVDisconnected' });
  });
});

describe('TC_B_22_CSMS: Reset Charging Station - With Ongoing Transaction - Immediate', () => {
  it('gets Accepted, the transaction ends with ImmediateReset, then the RemoteReset boot is Accepted', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'Immediate' });
    expect(cs.requests('Reset')).toEqual([{ type: 'Immediate' }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });

    expect(
      await tx.event('ResetCommand', {
        eventType: 'Ended',
        info: { chargingState: 'EVConnected', stoppedReason: 'ImmediateReset' },
      }),
    ).toEqual({});
    const boot = await cs.call('BootNotification', {
      reason: 'RemoteReset',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(boot.status).toBe('Accepted');
    await notifyConnector(cs, 1, 1, 'Occupied');
    expect(await transactionRow(cs, tx)).toMatchObject({
      state: 'ended',
      stop_reason: 'ImmediateReset',
      charging_state: 'EVConnected',
    });
    expect(await connectorRows(cs.id)).toEqual([{ evse_id: 1, connector_id: 1, status: 'Occupied' }]);
  });
});

describe('TC_B_25_CSMS: Reset EVSE - Without ongoing transaction', () => {
  it('sends ResetRequest OnIdle with the evseId', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle', evseId: 1 });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle', evseId: 1 }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
  });
});

describe('TC_B_26_CSMS: Reset EVSE - With Ongoing Transaction - OnIdle', () => {
  it('gets Scheduled for the EVSE, then the transaction ends', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Scheduled' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle', evseId: 1 });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle', evseId: 1 }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Scheduled' } });
    const stop = await tx.event('StopAuthorized', {
      idToken: tx.idToken,
      info: { chargingState: 'EVConnected' },
    });
    expect(stop.idTokenInfo?.status).toBe('Accepted');
    await tx.event('EVCommunicationLost', {
      eventType: 'Ended',
      info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    });
    expect(await transactionRow(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'EVDisconnected' });
  });
});

describe('TC_B_27_CSMS: Reset EVSE - With Ongoing Transaction - Immediate', () => {
  it('gets Accepted for the EVSE, then the transaction ends with ImmediateReset', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'Immediate', evseId: 1 });
    expect(cs.requests('Reset')).toEqual([{ type: 'Immediate', evseId: 1 }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(
      await tx.event('ResetCommand', {
        eventType: 'Ended',
        info: { chargingState: 'EVConnected', stoppedReason: 'ImmediateReset' },
      }),
    ).toEqual({});
    expect(await transactionRow(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'ImmediateReset' });
  });
});

const NETWORK_PROFILE: V201.SetNetworkProfileRequest = {
  configurationSlot: 2,
  connectionData: {
    ocppVersion: 'OCPP20',
    ocppTransport: 'JSON',
    ocppCsmsUrl: 'wss://csms.example.com/ocpp',
    messageTimeout: 30,
    securityProfile: 2,
    ocppInterface: 'Wired0',
  },
};

describe('TC_B_42_CSMS: Set new NetworkConnectionProfile - Accepted', () => {
  it('sends SetNetworkProfileRequest with the configured connection data; the station accepts', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('SetNetworkProfile', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'SetNetworkProfile', NETWORK_PROFILE);
    expect(cs.requests('SetNetworkProfile')).toEqual([NETWORK_PROFILE]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
  });
});

describe('TC_B_44_CSMS: Set new NetworkConnectionProfile - Failed', () => {
  it('reports the Failed answer', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('SetNetworkProfile', { status: 'Failed' });
    const outcome = await csms.stations.v201(cs.id, 'SetNetworkProfile', NETWORK_PROFILE);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Failed' } });
    // The station stays connected and served.
    expect(await cs.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) as string });
  });
});

describe('TC_B_58_CSMS: WebSocket Subprotocol validation', () => {
  it('does not open an OCPP session for ocpp0.1 only, and selects ocpp2.0.1 from "ocpp0.1, ocpp2.0.1"', async () => {
    // Step 1-2: no supported subprotocol. OCPP-J part 4 §3.2: the CSMS completes the handshake without a
    // Sec-WebSocket-Protocol header and closes at once, or refuses the upgrade: either way no OCPP session.
    const only = await rawUpgrade(
      csms.port,
      '/ocpp/B58-STATION',
      { 'Sec-WebSocket-Protocol': 'ocpp0.1' },
      2_000,
    );
    if (only.status === 101) {
      expect(only.headers['sec-websocket-protocol']).toBeUndefined();
      expect(only.closeCode).toBe(1002);
    } else {
      expect(only.status).toBeGreaterThanOrEqual(400);
    }

    // Step 3-4: the supported version is selected and announced in Sec-WebSocket-Protocol.
    const both = await RawStation.connect(`${csms.endpoint}/B58-STATION`, ['ocpp0.1', 'ocpp2.0.1']);
    expect(both.protocol).toBe('ocpp2.0.1');
    const boot = await both.call('b1', 'BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(boot).toEqual([
      3,
      'b1',
      { status: 'Accepted', interval: HEARTBEAT, currentTime: expect.any(String) as string },
    ]);
    both.close();
  });
});
