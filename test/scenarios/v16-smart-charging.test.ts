/**
 * OCTT TestCaseDocument 1.6, §3.19 "Smart Charging", cases the Central System drives through its typed command
 * API (csms.ocpp16.v1.Ocpp16Service) rather than the SmartChargingService: a whole embedded CSMS on PostgreSQL,
 * real gRPC servers and clients, and a real OCPP 1.6 Charge Point (ocpp-rpc, strict mode: it validates every
 * CALL it receives against the OCA schemas). Checks the exact payloads the Charge Point receives, its answers,
 * and what the CSMS stores.
 */
import {
  connectApi,
  ocpp16V1,
  startApiServer,
  Status,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import type { V16 } from '@csms/ocpp';
import { createOcpp16Service } from '@csms/station-api';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { authorized16, statusNotification16 } from '../support/octt-states.js';
import { addIdToken, at, type Station16 } from '../support/scenario.js';
import {
  P,
  S,
  absolute,
  booted16Station,
  client,
  csms,
  storedIds,
  useSmartChargingApi,
} from '../support/smart-charging-api.js';

useSmartChargingApi();

let server: ApiServer;
let connection: ApiConnection;
let ocpp16: ApiClient<typeof ocpp16V1.Ocpp16ServiceDefinition>;

// Registered after useSmartChargingApi's hooks: runs once its CSMS is up, and stops before it closes.
beforeAll(async () => {
  const logger = createLogger({ service: 'v16-smart-charging-test', level: 'silent' });
  server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
    createOcpp16Service({ stations: csms.stations, db: csms.database.db, logger }),
  ]);
  connection = connectApi({ address: `127.0.0.1:${server.port}` });
  ocpp16 = connection.client(ocpp16V1.Ocpp16ServiceDefinition);
});
afterAll(async () => {
  connection.close();
  await server.stop();
});

type RemoteStartProfile = NonNullable<V16.RemoteStartTransactionRequest['chargingProfile']>;

/** The OCTT's remote-start profile: a Relative TxProfile without transactionId, its one period from 0. */
function remoteStartProfile(chargingProfileId: number): RemoteStartProfile {
  return {
    chargingProfileId,
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: {
      chargingRateUnit: 'A',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }],
    },
  };
}

/** A booted Charge Point with a TxDefaultProfile on connector 1 that the CSMS set and stored. */
async function withDefaultProfile(profileId: number): Promise<Station16> {
  const cp = await booted16Station();
  cp.respond('SetChargingProfile', { status: 'Accepted' });
  const profile = absolute(profileId, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 10);
  expect((await client.setChargingProfile({ stationId: cp.id, evseId: 1, profile })).status).toBe(
    S.CHARGING_PROFILE_STATUS_ACCEPTED,
  );
  expect(await storedIds(cp.id)).toEqual([profileId]);
  return cp;
}

function transactionsOf(cp: Station16) {
  return csms.database.db
    .selectFrom('transactions')
    .select(['transaction_id', 'connector_id', 'id_token', 'state'])
    .where('station_id', '=', cp.id)
    .execute();
}

describe('TC_059_CSMS: Remote Start Transaction with Charging Profile', () => {
  it('sends RemoteStartTransaction.req with a Relative TxProfile, then accepts Authorize and StartTransaction', async () => {
    const cp = await withDefaultProfile(590);
    const idTag = await addIdToken(csms, 'SC59');
    cp.respond('RemoteStartTransaction', { status: 'Accepted' });

    // Steps 1-2: the Central System sends RemoteStartTransaction.req; the Charge Point answers Accepted.
    const answer = await ocpp16.remoteStartTransaction({
      stationId: cp.id,
      payload: { idTag, connectorId: 1, chargingProfile: remoteStartProfile(591) },
    });
    expect(answer).toEqual({ payload: { status: 'Accepted' }, queued: undefined });
    // Tool validation of step 1: the configured idTag and connectorId; purpose TxProfile, transactionId
    // omitted, kind Relative, startPeriod 0 (1.6 §5.16.2).
    expect(cp.requests('RemoteStartTransaction')).toEqual([
      { idTag, connectorId: 1, chargingProfile: remoteStartProfile(591) },
    ]);

    // Steps 3-10: Authorize (Accepted), Preparing, StartTransaction (Accepted), Charging.
    expect(await authorized16(cp, idTag)).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await statusNotification16(cp, 1, 'Preparing')).toEqual({});
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag,
      meterStart: 0,
      timestamp: at(),
    });
    expect(start.idTagInfo).toEqual({ status: 'Accepted' });
    expect(await statusNotification16(cp, 1, 'Charging')).toEqual({});
    expect(await transactionsOf(cp)).toEqual([
      { transaction_id: String(start.transactionId), connector_id: 1, id_token: idTag, state: 'active' },
    ]);

    // The CSMS's stored profiles: the TxDefaultProfile it set is still there (the Charge Point keeps it; the
    // remote-start TxProfile only takes precedence for this transaction, 1.6 §7.10 errata 3.67). The
    // remote-start TxProfile is not among them: the CSMS does not yet record profiles sent with a remote
    // start (their transaction does not exist when the Charge Point accepts them).
    expect(await storedIds(cp.id)).toEqual([590]);
  });

  it('a Rejected RemoteStartTransaction.conf starts nothing and leaves the stored profiles as they were', async () => {
    const cp = await withDefaultProfile(592);
    const idTag = await addIdToken(csms, 'SC59R');
    cp.respond('RemoteStartTransaction', { status: 'Rejected' });
    const answer = await ocpp16.remoteStartTransaction({
      stationId: cp.id,
      payload: { idTag, connectorId: 1, chargingProfile: remoteStartProfile(593) },
    });
    expect(answer.payload).toEqual({ status: 'Rejected' });
    expect(cp.requests('RemoteStartTransaction')).toEqual([
      { idTag, connectorId: 1, chargingProfile: remoteStartProfile(593) },
    ]);
    expect(await storedIds(cp.id)).toEqual([592]);
    expect(await transactionsOf(cp)).toEqual([]);
  });
});

describe('OCPP 1.6 §5.16.2: the charging profile of a RemoteStartTransaction.req', () => {
  it('is refused before it reaches the Charge Point unless it is a TxProfile without transactionId', async () => {
    const cp = await booted16Station();
    cp.respond('RemoteStartTransaction', { status: 'Accepted' });
    const idTag = await addIdToken(csms, 'SC59X');
    const send = (chargingProfile: RemoteStartProfile) =>
      rejection(ocpp16.remoteStartTransaction({ stationId: cp.id, payload: { idTag, chargingProfile } }));

    const purpose = await send({ ...remoteStartProfile(594), chargingProfilePurpose: 'TxDefaultProfile' });
    expect([purpose.code, purpose.violations]).toEqual([
      Status.INVALID_ARGUMENT,
      [
        {
          field: 'payload.charging_profile.charging_profile_purpose',
          description: 'the profile of a remote start must be a TxProfile (1.6 §5.16.2)',
        },
      ],
    ]);
    const transaction = await send({ ...remoteStartProfile(595), transactionId: 7 });
    expect([transaction.code, transaction.violations.map((v) => v.field)]).toEqual([
      Status.INVALID_ARGUMENT,
      ['payload.charging_profile.transaction_id'],
    ]);
    expect(cp.received).toEqual([]);
    expect(await storedIds(cp.id)).toEqual([]);
  });
});
