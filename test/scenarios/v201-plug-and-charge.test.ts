/**
 * Plug & Charge end to end (OCPP 2.0.1 with ISO 15118-2), one station and one EV through the whole session against an
 * embedded CSMS on PostgreSQL: the EV's contract certificate is installed through the CSMS (M01, Get15118EVCertificate
 * passed to the contract certificate backend), the EV authorizes with it (C07, Authorize with iso15118CertificateHashData
 * checked by OCSP against a real `openssl ocsp` responder), the transaction starts with the eMAID, the EV's charging
 * needs lead to a schedule the CSMS sends as the transaction's TxProfile and the EV's own schedule within it is accepted
 * (K15), and the session ends. The station is an independent client (ocpp-rpc, strict mode: every request the CSMS
 * sends and every answer it gives is schema-checked).
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEvCertificatePool,
  ISO15118_2_SCHEMA,
  type EvCertificatePool,
} from '../support/ev-certificate-provider.js';
import {
  acNeeds,
  client,
  csms,
  expectTxProfile,
  iso15118SmartCharging,
  useEvSmartChargingCsms,
} from '../support/ev-smart-charging.js';
import { startOcspPki, type OcspPki } from '../support/ocsp-responder.js';
import { booted201, Tx201 } from '../support/octt-states.js';
import { addIdToken, connect201 } from '../support/scenario.js';

let pool: EvCertificatePool;
let pki: OcspPki;
beforeAll(async () => {
  pool = createEvCertificatePool();
  pki = await startOcspPki();
}, 60_000);
afterAll(async () => {
  pool?.close();
  await pki?.close();
});
// Started after the hook above: the backends exist by then. Program start-up may take seconds on a loaded machine.
useEvSmartChargingCsms(() => ({
  env: {
    CSMS_CONTRACT_CERT_COMMAND: pool.command,
    CSMS_CONTRACT_CERT_TIMEOUT: '8',
    CSMS_OCSP_TIMEOUT: '3',
  },
}));

describe('Plug & Charge end to end: install a contract certificate, authorize with it, charge under an EV-negotiated schedule', () => {
  it('goes through M01, C07, E01-E06 and K15 with one station and one EV', async () => {
    const cs = await connect201(csms);
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    expect((await booted201(cs)).status).toBe('Accepted');

    // M01: the EV has no contract certificate yet; the station forwards its CertificateInstallationReq.
    const { install } = pool.fixtures;
    expect(
      await cs.call('Get15118EVCertificate', {
        iso15118SchemaVersion: ISO15118_2_SCHEMA,
        action: 'Install',
        exiRequest: install.exiRequest,
      }),
    ).toEqual({ status: 'Accepted', exiResponse: install.exiResponse });
    expect(pool.requests()).toContainEqual(expect.objectContaining({ stationId: cs.id, action: 'Install' }));

    // The EV plugs in; C07: it authorizes with its contract (the station validated the chain and sends the OCSP data).
    const emaid: V201.IdTokenType = {
      idToken: await addIdToken(csms, 'NLPNC', { type: 'eMAID' }),
      type: 'eMAID',
    };
    const tx = new Tx201(cs, { idToken: emaid });
    await tx.evConnectedPreSession();
    const id = pki.certId('contract');
    const ocspBefore = pki.requests();
    expect(
      await cs.call('Authorize', {
        idToken: emaid,
        iso15118CertificateHashData: [
          {
            hashAlgorithm: id.hashAlgorithm,
            issuerNameHash: id.issuerNameHash,
            issuerKeyHash: id.issuerKeyHash,
            serialNumber: id.serialNumber,
            responderURL: id.responderUrl,
          },
        ],
      }),
    ).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    expect(pki.requests()).toBeGreaterThan(ocspBefore);
    const authorized = await tx.event('Authorized', { idToken: emaid });
    expect(authorized.idTokenInfo?.status).toBe('Accepted');
    tx.isAuthorized = true;

    // K15: the EV's needs → the CSMS's TxProfile → the EV's schedule within it → energy transfer.
    const request = await iso15118SmartCharging(cs, tx, acNeeds(32), 3);
    expectTxProfile(request, tx);
    const { transactions } = await client.listEvCharging({ stationId: cs.id });
    expect(transactions).toEqual([
      expect.objectContaining({
        transactionId: tx.transactionId,
        needsStatus: 'Accepted',
        evScheduleStatus: 'Accepted',
      }),
    ]);

    // The session ends; the transaction is the eMAID's.
    await tx.evConnectedPostSession();
    expect(await tx.evDisconnected()).toEqual({});
    const row = await csms.database.db
      .selectFrom('transactions')
      .select(['state', 'id_token', 'id_token_type', 'stop_reason'])
      .where('station_id', '=', cs.id)
      .where('transaction_id', '=', tx.transactionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      state: 'ended',
      id_token: emaid.idToken,
      id_token_type: 'eMAID',
      stop_reason: 'EVDisconnected',
    });
    await cs.close();
  });
});
