import { describe, expect, it } from 'vitest';
import type { SecurityProfile } from '@csms/bus';
import { admitStation, decideAdmission, presentedProfile } from './station-admission.js';
import type { PresentedCredentials } from './station-admission.js';
import { MemoryCredentialStore } from './testing/edge-harness.js';

const ID = 'CP1';
const none: PresentedCredentials = { tls: false, basic: { kind: 'none' } };
const basic = (username = ID, password = 'secret'): PresentedCredentials['basic'] => ({
  kind: 'basic',
  username,
  password,
});
const plainBasic: PresentedCredentials = { tls: false, basic: basic() };
const tlsBasic: PresentedCredentials = { tls: true, basic: basic() };
const tlsNone: PresentedCredentials = { tls: true, basic: { kind: 'none' } };
const mtls = (commonName: string | undefined = ID, verified = true): PresentedCredentials => ({
  tls: true,
  basic: { kind: 'none' },
  clientCertificate: { verified, commonName },
});

const decide = (
  configured: SecurityProfile | undefined,
  presented: PresentedCredentials,
  autoRegister = false,
) => decideAdmission({ stationId: ID, presented, configured, autoRegister });

describe('presentedProfile', () => {
  it('ranks what the connection presented', () => {
    expect(presentedProfile(ID, none)).toBe(0);
    expect(presentedProfile(ID, plainBasic)).toBe(1);
    expect(presentedProfile(ID, tlsBasic)).toBe(2);
    expect(presentedProfile(ID, mtls())).toBe(3);
    expect(presentedProfile(ID, mtls('OTHER'))).toBe(0);
    expect(presentedProfile(ID, mtls(ID, false))).toBe(0);
    expect(presentedProfile(ID, { tls: false, basic: basic('OTHER') })).toBe(0);
    expect(presentedProfile(ID, { ...mtls('OTHER'), basic: basic() })).toBe(2);
  });
});

describe('decideAdmission', () => {
  it('refuses unknown stations with 404 unless auto-registration is on', () => {
    expect(decide(undefined, tlsBasic)).toEqual({
      action: 'reject',
      status: 404,
      reason: 'unknown station',
      challenge: false,
    });
    expect(decide(undefined, none, true)).toEqual({ action: 'register', securityProfile: 0 });
    expect(decide(undefined, plainBasic, true)).toEqual({ action: 'register', securityProfile: 1 });
    expect(decide(undefined, tlsBasic, true)).toEqual({ action: 'register', securityProfile: 2 });
    expect(decide(undefined, mtls(), true)).toEqual({ action: 'register', securityProfile: 3 });
    expect(decide(undefined, { tls: false, basic: basic('OTHER') }, true)).toMatchObject({
      action: 'reject',
      status: 401,
    });
    expect(decide(undefined, { tls: false, basic: { kind: 'malformed' } }, true)).toMatchObject({
      action: 'reject',
      status: 401,
    });
  });

  it('profile 0 accepts anything', () => {
    for (const presented of [none, plainBasic, tlsBasic, mtls()]) {
      expect(decide(0, presented)).toEqual({ action: 'accept', securityProfile: 0 });
    }
  });

  it('profile 1 requires Basic credentials for the identity', () => {
    expect(decide(1, plainBasic)).toEqual({
      action: 'check-password',
      securityProfile: 1,
      password: 'secret',
    });
    // Over TLS the station presents profile 2 (it migrates up by A05): checked as such, and raised (A05.FR.07).
    expect(decide(1, tlsBasic)).toEqual({
      action: 'check-password',
      securityProfile: 2,
      password: 'secret',
      raise: true,
    });
    expect(decide(1, none)).toMatchObject({ action: 'reject', status: 401, challenge: true });
    expect(decide(1, { tls: false, basic: basic('OTHER') })).toMatchObject({
      action: 'reject',
      status: 401,
      challenge: true,
    });
    expect(decide(1, { tls: false, basic: { kind: 'malformed' } })).toMatchObject({
      action: 'reject',
      status: 401,
    });
    // A verified certificate for the identity is profile 3 (A05: a higher profile than configured), raised to.
    expect(decide(1, mtls())).toEqual({ action: 'accept', securityProfile: 3, raise: true });
    // At profile 3 an unusable certificate is a security event (A00.FR.408); a missing one is not.
    expect(decide(3, mtls(ID, false))).toMatchObject({
      status: 401,
      securityEvent: 'InvalidChargingStationCertificate',
    });
    expect(decide(3, mtls('OTHER'))).toMatchObject({
      status: 401,
      securityEvent: 'InvalidChargingStationCertificate',
    });
    expect(decide(3, tlsNone)).not.toHaveProperty('securityEvent');
    // An unverified one, or one for another identity, is no substitute for the password.
    expect(decide(1, mtls(ID, false))).toMatchObject({ action: 'reject', status: 401 });
    expect(decide(1, mtls('OTHER'))).toMatchObject({ action: 'reject', status: 401 });
  });

  it('profile 2 additionally requires TLS', () => {
    expect(decide(2, tlsBasic)).toEqual({ action: 'check-password', securityProfile: 2, password: 'secret' });
    expect(decide(2, plainBasic)).toEqual({
      action: 'reject',
      status: 403,
      reason: 'security profile 2 requires TLS',
      challenge: false,
    });
    expect(decide(2, tlsNone)).toMatchObject({ action: 'reject', status: 401, challenge: true });
  });

  it('profile 3 requires a verified client certificate whose CN is the identity', () => {
    expect(decide(3, mtls())).toEqual({ action: 'accept', securityProfile: 3 });
    expect(decide(3, { ...mtls(), tls: false })).toMatchObject({ action: 'reject', status: 403 });
    expect(decide(3, tlsBasic)).toMatchObject({
      action: 'reject',
      status: 401,
      reason: 'client certificate required',
    });
    expect(decide(3, plainBasic)).toMatchObject({ action: 'reject', status: 403 });
    expect(decide(3, mtls(ID, false))).toMatchObject({
      action: 'reject',
      status: 401,
      reason: 'client certificate not trusted',
    });
    expect(decide(3, mtls('OTHER'))).toMatchObject({
      action: 'reject',
      status: 401,
      reason: 'client certificate CN does not match the station identity',
    });
    expect(
      decide(3, {
        tls: true,
        basic: { kind: 'none' },
        clientCertificate: { verified: true, commonName: undefined },
      }),
    ).toMatchObject({ action: 'reject', status: 401 });
  });

  it('never accepts a station through a lower profile than configured', () => {
    const profiles: SecurityProfile[] = [0, 1, 2, 3];
    const presentations = [none, plainBasic, tlsBasic, tlsNone, mtls(), mtls('OTHER'), mtls(ID, false)];
    for (const configured of profiles) {
      for (const presented of presentations) {
        const decision = decide(configured, presented);
        if (decision.action === 'reject') continue;
        expect(presentedProfile(ID, presented)).toBeGreaterThanOrEqual(configured);
        // Accepted at the configured profile, or at the higher one presented, which then becomes the configured
        // one (A05.FR.07).
        if (decision.securityProfile !== configured) {
          expect(decision).toMatchObject({ securityProfile: presentedProfile(ID, presented), raise: true });
          expect(decision.securityProfile).toBeGreaterThan(configured);
        }
      }
    }
  });
});

describe('admitStation', () => {
  it('raises a station that connected with a higher profile, so that the lower one is refused after (A05.FR.07)', async () => {
    const store = new MemoryCredentialStore().add(ID, 1, 'secret');
    await expect(admitStation(store, ID, tlsBasic, false)).resolves.toEqual({
      ok: true,
      securityProfile: 2,
      registered: false,
      raised: true,
    });
    expect(store.stations.get(ID)?.securityProfile).toBe(2);
    await expect(admitStation(store, ID, plainBasic, false)).resolves.toMatchObject({
      ok: false,
      status: 403,
    });
    // A wrong password raises nothing.
    const other = new MemoryCredentialStore().add(ID, 1, 'secret');
    await expect(
      admitStation(other, ID, { tls: true, basic: basic(ID, 'wrong') }, false),
    ).resolves.toMatchObject({ ok: false, status: 401 });
    expect(other.stations.get(ID)?.securityProfile).toBe(1);
  });

  it('refuses a revoked client certificate, and answers 503 when the store fails to raise', async () => {
    const store = new MemoryCredentialStore().add(ID, 3);
    const presented: PresentedCredentials = {
      tls: true,
      basic: { kind: 'none' },
      clientCertificate: { verified: true, commonName: ID, fingerprint: 'ab12' },
    };
    await expect(admitStation(store, ID, presented, false)).resolves.toMatchObject({ ok: true });
    store.revoked.add('ab12');
    await expect(admitStation(store, ID, presented, false)).resolves.toMatchObject({
      ok: false,
      status: 401,
      reason: 'client certificate revoked',
    });
    const failing = new MemoryCredentialStore().add(ID, 2, 'secret');
    const lookup = failing.lookup.bind(failing);
    failing.lookup = async (id) => {
      const found = await lookup(id);
      failing.failing = true;
      return found;
    };
    await expect(admitStation(failing, ID, mtls(), false)).resolves.toMatchObject({ ok: false, status: 503 });
  });

  it('checks the password with the store', async () => {
    const store = new MemoryCredentialStore().add(ID, 1, 'secret');
    await expect(admitStation(store, ID, plainBasic, false)).resolves.toEqual({
      ok: true,
      securityProfile: 1,
      registered: false,
    });
    await expect(
      admitStation(store, ID, { tls: false, basic: basic(ID, 'wrong') }, false),
    ).resolves.toMatchObject({
      ok: false,
      status: 401,
      challenge: true,
    });
  });

  it('registers unknown stations with the presented profile', async () => {
    const store = new MemoryCredentialStore();
    await expect(admitStation(store, ID, tlsBasic, true)).resolves.toEqual({
      ok: true,
      securityProfile: 2,
      registered: true,
    });
    expect(store.registered).toEqual([{ stationId: ID, securityProfile: 2 }]);
  });

  it('turns store failures into 503', async () => {
    const store = new MemoryCredentialStore().add(ID, 1, 'secret');
    store.failing = true;
    const result = await admitStation(store, ID, plainBasic, false);
    expect(result).toMatchObject({ ok: false, status: 503, reason: 'credential store unavailable' });
    expect(result.ok === false && result.cause).toBeInstanceOf(Error);
  });
});
