/**
 * Set-up shared by the 2.0.1 provisioning scenarios (`test/scenarios/v201-provisioning*.test.ts`, `v201-device-model`,
 * `v201-reset`): an embedded CSMS and queries of what it stored. The `let` bindings are live: each test file that
 * calls {@link useProvisioningCsms} gets its own (vitest runs every file in its own module graph).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { connect201, type Station201 } from './scenario.js';

export const HEARTBEAT = 120;
export const RETRY = 15;

export let csms: TestCsms;

export async function stationRow(id: string) {
  return csms.database.db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function connectorRows(id: string) {
  return csms.database.db
    .selectFrom('connectors')
    .select(['evse_id', 'connector_id', 'status'])
    .where('station_id', '=', id)
    .orderBy('evse_id')
    .orderBy('connector_id')
    .execute();
}

/** A connected station whose next BootNotification is answered with `policy`. */
export async function stationWithPolicy(policy: 'Pending' | 'Rejected'): Promise<Station201> {
  const cs = await connect201(csms);
  expect(await csms.setBootPolicy(cs.id, policy)).toBe(true);
  return cs;
}

export function expectIsoNow(value: string): void {
  expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  expect(Math.abs(Date.parse(value) - Date.now())).toBeLessThan(60_000);
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useProvisioningCsms(): void {
  beforeAll(async () => {
    csms = await startTestCsms({
      env: { CSMS_HEARTBEAT_INTERVAL: String(HEARTBEAT), CSMS_BOOT_RETRY_INTERVAL: String(RETRY) },
    });
  });
  afterAll(() => csms.close());
}
