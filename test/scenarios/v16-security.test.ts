/**
 * OCTT TestCaseDocument 1.6, §3.21 Security (OCPP 1.6 security whitepaper ed. 3) cases that need no TLS and no
 * certificate authority: Basic authentication, the AuthorizationKey update, the security log upload and the
 * InvalidCentralSystemCertificate security event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16 } from '../support/octt-states.js';
import { basicAuth, rawUpgrade } from '../support/raw-station.js';
import { at, connect16, type Station16 } from '../support/scenario.js';

const PASSWORD = 'OCTT16-basic-password-01';
/** AuthorizationKey: "Hexadecimal represented ... a string of up to 40 hexadecimal digits" (A00.FR.205). */
const NEW_KEY = '0123456789abcdef0123456789abcdef01234567';
const STATIONS = ['CP073', 'CP078', 'CP079', 'CP085'] as const;

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({
    env: { CSMS_AUTO_REGISTER: 'false' },
    seed: `stations:\n${STATIONS.map((id) => `  - { id: ${id}, password: "${PASSWORD}", securityProfile: 1 }`).join('\n')}\n`,
  });
});
afterAll(() => csms.close());

async function bootWith(id: string, password: string): Promise<Station16> {
  const cp = await connect16(csms, { id, password });
  expect((await booted16(cp)).status).toBe('Accepted');
  return cp;
}

describe('TC_085_CSMS: Basic Authentication - Valid username/password combination', () => {
  it('upgrades with valid Basic credentials and accepts the boot and the StatusNotifications', async () => {
    await bootWith('CP085', PASSWORD);
    const row = await csms.database.db
      .selectFrom('stations')
      .select(['registration_status', 'ocpp_version'])
      .where('id', '=', 'CP085')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ registration_status: 'Accepted', ocpp_version: 'ocpp1.6' });
    const wrong = await rawUpgrade(csms.port, '/ocpp/CP085', {
      'Sec-WebSocket-Protocol': 'ocpp1.6',
      Authorization: basicAuth('CP085', 'not-the-password-123'),
    });
    expect(wrong.status).toBe(401);
  });
});

describe('TC_073_CSMS: Update Charge Point Password for HTTP Basic Authentication', () => {
  it('sends ChangeConfiguration.req AuthorizationKey, then accepts the reconnection with the new password', async () => {
    const cp = await bootWith('CP073', PASSWORD);
    cp.respond('ChangeConfiguration', { status: 'Accepted' });
    const outcome = await csms.stations.v16(cp.id, 'ChangeConfiguration', {
      key: 'AuthorizationKey',
      value: NEW_KEY,
    });
    expect(cp.requests('ChangeConfiguration')).toEqual([{ key: 'AuthorizationKey', value: NEW_KEY }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    await cp.close();
    // Step 3: the Charge Point reconnects with the new password (A01.FR.03).
    const answer = await rawUpgrade(csms.port, '/ocpp/CP073', {
      'Sec-WebSocket-Protocol': 'ocpp1.6',
      Authorization: basicAuth('CP073', NEW_KEY),
    });
    expect(answer.status).toBe(101);
    await bootWith('CP073', NEW_KEY);
  });
});

describe('TC_078_CSMS: Invalid CentralSystemCertificate Security Event', () => {
  it('sends InstallCertificate.req, handles Rejected and answers and stores the security event', async () => {
    const cp = await bootWith('CP078', PASSWORD);
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIBOCTTtestcertificate\n-----END CERTIFICATE-----';
    cp.respond('InstallCertificate', { status: 'Rejected' });
    const outcome = await csms.stations.v16(cp.id, 'InstallCertificate', {
      certificateType: 'CentralSystemRootCertificate',
      certificate,
    });
    expect(cp.requests('InstallCertificate')).toEqual([
      { certificateType: 'CentralSystemRootCertificate', certificate },
    ]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Rejected' } });
    const timestamp = at();
    expect(
      await cp.call('SecurityEventNotification', {
        type: 'InvalidCentralSystemCertificate',
        timestamp,
        techInfo: 'chain',
      }),
    ).toEqual({});
    // A04.FR.02: a retried delivery of the same event is confirmed again and stored once.
    expect(
      await cp.call('SecurityEventNotification', {
        type: 'InvalidCentralSystemCertificate',
        timestamp,
        techInfo: 'chain',
      }),
    ).toEqual({});
    const rows = await csms.database.db
      .selectFrom('security_events')
      .select(['type', 'timestamp', 'tech_info'])
      .where('station_id', '=', 'CP078')
      .execute();
    expect(rows).toEqual([
      { type: 'InvalidCentralSystemCertificate', timestamp: new Date(timestamp), tech_info: 'chain' },
    ]);
  });
});

describe('TC_079_CSMS: Get Security Log', () => {
  it('sends GetLog.req SecurityLog and answers both LogStatusNotifications', async () => {
    const cp = await bootWith('CP079', PASSWORD);
    const request = {
      logType: 'SecurityLog' as const,
      requestId: 79,
      log: { remoteLocation: 'ftp://octt.example.com/logs/' },
    };
    cp.respond('GetLog', { status: 'Accepted', filename: 'security.log' });
    const outcome = await csms.stations.v16(cp.id, 'GetLog', request);
    expect(cp.requests('GetLog')).toEqual([request]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted', filename: 'security.log' } });
    expect(await cp.call('LogStatusNotification', { status: 'Uploading', requestId: 79 })).toEqual({});
    expect(await cp.call('LogStatusNotification', { status: 'Uploaded', requestId: 79 })).toEqual({});
    const rows = await csms.database.db
      .selectFrom('station_notifications')
      .select('payload')
      .where('station_id', '=', 'CP079')
      .where('action', '=', 'LogStatusNotification')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.payload)).toEqual([
      { status: 'Uploading', requestId: 79 },
      { status: 'Uploaded', requestId: 79 },
    ]);
  });
});
