/**
 * OCPP 1.6 Security Whitepaper station certificates (TC_074_CSMS, TC_077_CSMS): ExtendedTriggerMessage
 * SignChargePointCertificate, the charge point's CSR signed by the built-in CA, CertificateSigned, the charge point
 * reconnecting with its new certificate; and the renewal scheduler asking before a certificate expires. Real TLS,
 * a PKI made by openssl, `ocpp-rpc` strict-mode stations, the AuthService over gRPC.
 */
import { runCli } from '@csms/csmsctl';
import { createLogger } from '@csms/telemetry';
import { CertificateRenewalScheduler } from '@csms/auth';
import { authV1 } from '@csms/grpc';
import type { V16 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booted16 } from '../support/octt-states.js';
import { eventually, type Station16 } from '../support/scenario.js';
import {
  ORGANIZATION,
  chainCertificates,
  connectTls16,
  newestCertificateWith,
  startStationCa,
  stationCsr,
  upgradeStatus,
  type StationCa,
  type TlsCredentials,
} from '../support/station-certificates.js';

const PASSWORD = '00112233445566778899aabbccddeeff';
const STATIONS = ['CP074', 'CP077', 'CPRENEW', 'CPCTL'] as const;
const { STATION_CERTIFICATE_STATUS_INSTALLED: INSTALLED, STATION_CERTIFICATE_STATUS_REJECTED: REJECTED } =
  authV1.StationCertificateStatus;

let t: StationCa;

beforeAll(async () => {
  t = await startStationCa(
    `stations:\n${STATIONS.map((id) => `  - { id: ${id}, password: "${PASSWORD}", securityProfile: 2 }`).join('\n')}\n`,
  );
});
afterAll(() => t?.close());

async function bootedOverTls(id: string, credentials: TlsCredentials): Promise<Station16> {
  const cp = await connectTls16(t, id, credentials);
  expect((await booted16(cp)).status).toBe('Accepted');
  return cp;
}

/**
 * The charge point answers ExtendedTriggerMessage, then sends SignCertificate with `csr`, and answers
 * CertificateSigned with `answer`; resolves with its SignCertificate answer and the CertificateSigned it got.
 */
function answerRenewal(
  cp: Station16,
  csr: string,
  answer: 'Accepted' | 'Rejected',
): () => Promise<{ signed: V16.SignCertificateResponse; certificateSigned: V16.CertificateSignedRequest }> {
  let signed: Promise<V16.SignCertificateResponse> | undefined;
  const before = cp.requests('CertificateSigned').length;
  cp.respond('ExtendedTriggerMessage', () => {
    signed = new Promise((resolve, reject) =>
      setImmediate(() => {
        cp.call('SignCertificate', { csr }).then(resolve, reject);
      }),
    );
    return { status: 'Accepted' };
  });
  cp.respond('CertificateSigned', { status: answer });
  return async () => ({
    signed: await eventually(() => signed),
    certificateSigned: await eventually(() => cp.requests('CertificateSigned')[before]),
  });
}

describe('TC_074_CSMS: Update Charge Point Certificate by request of Central System', () => {
  it('steps 1-7: ExtendedTriggerMessage, SignCertificate Accepted, CertificateSigned, reconnect with the new certificate', async () => {
    const cp = await bootedOverTls('CP074', { password: PASSWORD });
    const { csr, key } = stationCsr(t.dir, 'cp074', `/O=${ORGANIZATION}/CN=CP074`);
    const outcome = answerRenewal(cp, csr, 'Accepted');
    expect((await t.auth.renewStationCertificate({ stationId: 'CP074' })).stationStatus).toBe('Accepted');
    // Step 1: requestedMessage SignChargePointCertificate, connectorId omitted.
    expect(cp.requests('ExtendedTriggerMessage')).toEqual([
      { requestedMessage: 'SignChargePointCertificate' },
    ]);
    const { signed, certificateSigned } = await outcome();
    expect(signed).toEqual({ status: 'Accepted' });
    // 1.6 CertificateSigned has the chain only.
    expect(Object.keys(certificateSigned)).toEqual(['certificateChain']);
    const [leaf, ca] = chainCertificates(certificateSigned.certificateChain);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
    expect(leaf!.subject).toBe(`O=${ORGANIZATION}\nCN=CP074`);
    await newestCertificateWith(t, 'CP074', INSTALLED);
    await cp.close();
    // Step 7: the charge point reconnects with its new certificate (profile 3) and is accepted.
    const mutual = { cert: leaf!.toString(), key };
    const reconnected = await bootedOverTls('CP074', mutual);
    await reconnected.close();
    expect(await upgradeStatus(t, 'CP074', 'ocpp1.6', { password: PASSWORD })).toBe(401);
  });
});

describe('TC_077_CSMS: Invalid ChargePointCertificate Security Event', () => {
  it('records the rejected certificate and the InvalidChargePointCertificate security event', async () => {
    const cp = await bootedOverTls('CP077', { password: PASSWORD });
    const { csr } = stationCsr(t.dir, 'cp077', `/O=${ORGANIZATION}/CN=CP077`);
    const outcome = answerRenewal(cp, csr, 'Rejected');
    expect((await t.auth.renewStationCertificate({ stationId: 'CP077' })).stationStatus).toBe('Accepted');
    const { signed } = await outcome();
    expect(signed).toEqual({ status: 'Accepted' });
    await newestCertificateWith(t, 'CP077', REJECTED);
    const timestamp = new Date().toISOString();
    expect(
      await cp.call('SecurityEventNotification', { type: 'InvalidChargePointCertificate', timestamp }),
    ).toEqual({});
    const events = await t.csms.database.db
      .selectFrom('security_events')
      .select('type')
      .where('station_id', '=', 'CP077')
      .execute();
    expect(events).toEqual([{ type: 'InvalidChargePointCertificate' }]);
    await cp.close();
  });
});

describe('certificate renewal scheduler (A03.FR.02: renew one month before expiry)', () => {
  it('triggers the renewal of a certificate about to expire once, and not again after it was renewed', async () => {
    const cp = await bootedOverTls('CPRENEW', { password: PASSWORD });
    // A03: the charge point renews on its own first.
    const first = stationCsr(t.dir, 'renew1', `/O=${ORGANIZATION}/CN=CPRENEW`);
    cp.respond('CertificateSigned', { status: 'Accepted' });
    expect(await cp.call('SignCertificate', { csr: first.csr })).toEqual({ status: 'Accepted' });
    const installed = await newestCertificateWith(t, 'CPRENEW', INSTALLED);
    // The certificate has aged: 10 days left.
    await t.csms.database.db
      .updateTable('station_certificates')
      .set({ not_after: new Date(Date.now() + 10 * 86_400_000) })
      .where('fingerprint', '=', installed.fingerprint)
      .execute();
    const scheduler = (renewBeforeDays: number, retryAfterMs?: number) =>
      new CertificateRenewalScheduler(
        {
          db: t.csms.database.db,
          stations: t.csms.stations,
          logger: createLogger({ service: 't', level: 'silent' }),
        },
        {
          renewBeforeMs: renewBeforeDays * 86_400_000,
          checkIntervalMs: 60_000,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
      );
    // Renewing 5 days ahead: not due yet.
    await scheduler(5).runOnce();
    expect(cp.requests('ExtendedTriggerMessage')).toHaveLength(0);
    // 30 days ahead: due; the charge point renews.
    const second = stationCsr(t.dir, 'renew2', `/O=${ORGANIZATION}/CN=CPRENEW`);
    const outcome = answerRenewal(cp, second.csr, 'Accepted');
    const due = scheduler(30);
    await due.runOnce();
    expect(cp.requests('ExtendedTriggerMessage')).toEqual([
      { requestedMessage: 'SignChargePointCertificate' },
    ]);
    await outcome();
    await eventually(async () => {
      const listed = (await t.auth.listStationCertificates({ stationId: 'CPRENEW', status: INSTALLED }))
        .certificates;
      return listed.length === 2;
    });
    const [renewed, old] = (await t.auth.listStationCertificates({ stationId: 'CPRENEW' })).certificates;
    expect(old?.renewalRequestTime).toBeInstanceOf(Date);
    expect(renewed!.notAfter!.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    // Claimed once: another look (or another replica) does not ask again; and with no retry wait at all, the
    // renewed certificate supersedes the old one.
    await due.runOnce();
    await scheduler(30, 0).runOnce();
    expect(cp.requests('ExtendedTriggerMessage')).toHaveLength(1);
    await cp.close();
  });
});

/** Runs csmsctl in-process against the CSMS's gRPC API. */
async function ctl(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(
    ['--address', t.csms.grpcAddress, ...argv],
    {
      stdout: { write: (x: string) => (out.stdout += x) },
      stderr: { write: (x: string) => (out.stderr += x) },
    },
    {},
  );
  return { code, ...out };
}

describe('csmsctl certificates', () => {
  it('renews, lists and revokes; an unknown station and a bad serial are clear errors with exit codes', async () => {
    const cp = await bootedOverTls('CPCTL', { password: PASSWORD });
    const { csr } = stationCsr(t.dir, 'cpctl', `/O=${ORGANIZATION}/CN=CPCTL`);
    const outcome = answerRenewal(cp, csr, 'Accepted');
    const renewed = await ctl('--json', 'certificates', 'renew', 'CPCTL');
    expect(renewed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(renewed.stdout)).toEqual({ stationStatus: 'Accepted' });
    await outcome();
    const installed = await newestCertificateWith(t, 'CPCTL', INSTALLED);
    const listed = await ctl('--json', 'certificates', 'list', '--station', 'CPCTL', '--status', 'installed');
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout) as { certificates: { serialNumber: string; status: string }[] };
    expect(page.certificates).toEqual([
      expect.objectContaining({
        serialNumber: installed.serialNumber,
        status: 'STATION_CERTIFICATE_STATUS_INSTALLED',
      }),
    ]);
    const table = await ctl('certificates', 'list', '--station', 'CPCTL');
    expect(table.stdout).toContain(installed.serialNumber);
    const revoked = await ctl('certificates', 'revoke', 'CPCTL', installed.serialNumber);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/revoked/i);
    const unknown = await ctl('certificates', 'renew', 'NO-SUCH-STATION');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/NO-SUCH-STATION/);
    const bad = await ctl('certificates', 'revoke', 'CPCTL', 'not-hex');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/serial_number/);
    await cp.close();
  });
});
