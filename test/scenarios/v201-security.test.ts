/**
 * OCPP 2.0.1 Part 6 §3.2 (A Security), CSMS test cases that need no TLS: HTTP Basic authentication of the
 * upgrade (Security Profile 1) and the BasicAuthPassword update (A01).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201, notifyConnector } from '../support/octt-states.js';
import { basicAuth, rawUpgrade } from '../support/raw-station.js';
import { connect201, type Station201 } from '../support/scenario.js';

const PASSWORD = 'octt-Basic-Auth-pw-0001';
const NEW_PASSWORD = 'octt-Basic-Auth-pw-NEW2';
const STATIONS = ['A01-CS', 'A02-CS', 'A03-CS', 'A09-CS', 'A10-CS'] as const;

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({
    env: { CSMS_AUTO_REGISTER: 'false' },
    seed: `stations:\n${STATIONS.map((id) => `  - { id: ${id}, password: "${PASSWORD}", securityProfile: 1 }`).join('\n')}\n`,
  });
});
afterAll(() => csms.close());

function upgrade(path: string, headers: Record<string, string> = {}) {
  return rawUpgrade(csms.port, path, { 'Sec-WebSocket-Protocol': 'ocpp2.0.1', ...headers });
}

/** Connects with `password`, boots and reports the connector (Reusable State Booted). */
async function bootWith(id: string, password: string): Promise<Station201> {
  const cs = await connect201(csms, { id, password });
  const boot = await booted201(cs);
  expect(boot.status).toBe('Accepted');
  return cs;
}

describe('TC_A_01_CSMS: Basic Authentication - Valid username/password combination', () => {
  it('upgrades the connection with the right credentials; the BootNotification is Accepted', async () => {
    const cs = await bootWith('A01-CS', PASSWORD);
    await notifyConnector(cs, 1, 1, 'Available');
    const row = await csms.database.db
      .selectFrom('stations')
      .select(['registration_status', 'security_profile'])
      .where('id', '=', 'A01-CS')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ registration_status: 'Accepted', security_profile: 1 });
  });
});

describe('TC_A_02_CSMS: Basic Authentication -Username does not equal ChargingStationId', () => {
  it('refuses the upgrade with 401 when the username is not the station identity', async () => {
    const answer = await upgrade('/ocpp/A02-CS', { Authorization: basicAuth('InvalidA02-CS', PASSWORD) });
    expect(answer.status).toBe(401);
  });
});

describe('TC_A_03_CSMS: Basic Authentication - Invalid password', () => {
  it('refuses the upgrade with 401 for a wrong password, and without credentials', async () => {
    const wrong = await upgrade('/ocpp/A03-CS', {
      Authorization: basicAuth('A03-CS', 'RandomPassword0123456789'),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    expect((await upgrade('/ocpp/A03-CS')).status).toBe(401);
    // The right password still works.
    expect((await upgrade('/ocpp/A03-CS', { Authorization: basicAuth('A03-CS', PASSWORD) })).status).toBe(
      101,
    );
  });
});

/** The operator sets a new BasicAuthPassword; the station answers `status`. */
async function setPassword(cs: Station201, status: 'Accepted' | 'Rejected'): Promise<void> {
  cs.respond('SetVariables', ({ setVariableData }) => ({
    setVariableResult: setVariableData.map((d) => ({
      attributeStatus: status,
      component: d.component,
      variable: d.variable,
    })),
  }));
  const request = {
    setVariableData: [
      {
        component: { name: 'SecurityCtrlr' },
        variable: { name: 'BasicAuthPassword' },
        attributeValue: NEW_PASSWORD,
      },
    ],
  };
  const outcome = await csms.stations.v201(cs.id, 'SetVariables', request);
  expect(cs.requests('SetVariables')).toEqual([request]);
  expect(outcome.status).toBe('result');
}

describe('TC_A_09_CSMS: Update Charging Station Password for HTTP Basic Authentication - Accepted', () => {
  it('accepts the reconnection with the new BasicAuthPassword after the station accepted it (A01.FR.03)', async () => {
    const cs = await bootWith('A09-CS', PASSWORD);
    await setPassword(cs, 'Accepted');
    await cs.close();
    // Step 3-4: the station reconnects with the new password.
    const answer = await upgrade('/ocpp/A09-CS', { Authorization: basicAuth('A09-CS', NEW_PASSWORD) });
    expect(answer.status).toBe(101);
    // Step 5-8
    const again = await bootWith('A09-CS', NEW_PASSWORD);
    await notifyConnector(again, 1, 1, 'Available');
  });
});

describe('TC_A_10_CSMS: Update Charging Station Password for HTTP Basic Authentication - Rejected', () => {
  it('keeps accepting the old BasicAuthPassword after the station rejected the new one (A01.FR.04)', async () => {
    const cs = await bootWith('A10-CS', PASSWORD);
    await setPassword(cs, 'Rejected');
    await cs.close();
    const again = await bootWith('A10-CS', PASSWORD);
    await notifyConnector(again, 1, 1, 'Available');
  });
});
