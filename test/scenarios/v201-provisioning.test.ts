/**
 * OCPP 2.0.1 Part 6 §3.3 (B Provisioning), CSMS test cases: boot (Accepted / Pending / Rejected), variables,
 * base reports, resets, network profiles and the WebSocket subprotocol.
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { booted201, MODEL, notifyConnector, VENDOR } from '../support/octt-states.js';
import { RawStation, rawUpgrade } from '../support/raw-station.js';
import { at, connect201 } from '../support/scenario.js';
import {
  HEARTBEAT,
  RETRY,
  connectorRows,
  csms,
  expectIsoNow,
  stationRow,
  stationWithPolicy,
  useProvisioningCsms,
} from '../support/v201-provisioning.js';

useProvisioningCsms();

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
