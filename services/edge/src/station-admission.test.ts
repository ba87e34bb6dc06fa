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
    expect(decide(1, tlsBasic)).toEqual({ action: 'check-password', securityProfile: 1, password: 'secret' });
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
    // A certificate is no substitute for the password of a profile-1 station.
    expect(decide(1, mtls())).toMatchObject({ action: 'reject', status: 401 });
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
        expect(decision).toMatchObject({ securityProfile: configured });
      }
    }
  });
});

describe('admitStation', () => {
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
