import type { SecurityProfile } from '@csms/bus';
import type { PresentedBasicCredentials } from './basic-credentials.js';
import type { StationCredentialStore, StationCredentials } from './station-credential-store.js';

/** What a connection presented at the HTTP upgrade. */
export interface PresentedCredentials {
  /** The request arrived over TLS (wss). */
  readonly tls: boolean;
  /** The `Authorization` header. */
  readonly basic: PresentedBasicCredentials;
  /** The TLS client certificate, when the station sent one. */
  readonly clientCertificate?: {
    /** The certificate chains to the edge's configured CA (`TLSSocket.authorized`). */
    readonly verified: boolean;
    /** The subject CN (undefined when absent or ambiguous). */
    readonly commonName: string | undefined;
    /** SHA-256 of the DER certificate, lower-case hex (to look up revocation). */
    readonly fingerprint?: string | undefined;
  };
}

/** HTTP refusal of an upgrade. `challenge` adds `WWW-Authenticate: Basic realm="OCPP"`. */
export interface AdmissionRefusal {
  readonly status: 401 | 403 | 404 | 503;
  readonly reason: string;
  readonly challenge: boolean;
  /**
   * The refusal is a security event the CSMS records (A00.FR.408: "RECOMMENDED to log a security event
   * InvalidChargingStationCertificate in the CSMS" when a profile-3 station's certificate is invalid).
   */
  readonly securityEvent?: 'InvalidChargingStationCertificate';
}

/** The next step for an upgrade, decided by {@link decideAdmission} from what is known without I/O. */
export type AdmissionDecision =
  /** Accept; with `raise`, the station's configured profile becomes `securityProfile` (A05.FR.07). */
  | { readonly action: 'accept'; readonly securityProfile: SecurityProfile; readonly raise?: true }
  /** Accept with `securityProfile` if and only if the store confirms `password`. */
  | {
      readonly action: 'check-password';
      readonly securityProfile: SecurityProfile;
      readonly password: string;
      readonly raise?: true;
    }
  /** Unknown station, auto-registration on: register it with `securityProfile`, then accept. */
  | { readonly action: 'register'; readonly securityProfile: SecurityProfile }
  | ({ readonly action: 'reject' } & AdmissionRefusal);

/** Input of {@link decideAdmission}. */
export interface AdmissionInput {
  readonly stationId: string;
  readonly presented: PresentedCredentials;
  /** The station's configured profile; undefined for an unknown station. */
  readonly configured: SecurityProfile | undefined;
  readonly autoRegister: boolean;
}

/**
 * The security profile a connection actually presented: 3 for TLS with a verified client certificate whose CN is
 * the identity, 2 for TLS with Basic credentials for the identity, 1 for such credentials without TLS, else 0.
 */
export function presentedProfile(stationId: string, presented: PresentedCredentials): SecurityProfile {
  if (presented.tls && hasCertificateFor(stationId, presented)) return 3;
  const basicForStation = presented.basic.kind === 'basic' && presented.basic.username === stationId;
  if (basicForStation) return presented.tls ? 2 : 1;
  return 0;
}

/**
 * The admission policy (pure). A station is held to at least its configured profile and never accepted through
 * a lower one (A00.FR.002: "If the Charging Station tries to connect with a different profile than the CSMS is
 * using, the CSMS SHALL terminate the connection"; A00.FR.005: lowering the profile is not done via OCPP). A
 * station configured for profile 1 or 2 that connects with a higher one (as it migrates up by A05: TLS with its
 * Basic credentials, or a client certificate for profile 3) is accepted at the higher profile, which becomes its
 * configured one (`raise`): from then on it may not connect with the lower one (A05.FR.07).
 *
 * - unknown: 404 (OCPP-J 1.6 §3.2, OCPP-2.0.1 part 4 §3.2: "If the CSMS does not recognize the Charging Station
 *   identifier in the URL path, it SHOULD send an HTTP response with status 404"), or, with `autoRegister`,
 *   register with {@link presentedProfile} (refused with 401 if its Basic credentials name another station);
 * - 0: accept;
 * - 1: Basic credentials whose username equals the identity (A00.FR.204) and a correct password (A00.FR.207),
 *   else 401 with a Basic challenge;
 * - 2: TLS (A00.FR.312; else 403, credentials over plain ws cannot upgrade the connection), then as 1
 *   (A00.FR.303, A00.FR.324);
 * - 3: TLS (else 403) and a client certificate verified against the edge's CA (A00.FR.403) whose subject CN is the
 *   identity (A00.FR.405), else 401.
 */
export function decideAdmission(input: AdmissionInput): AdmissionDecision {
  const { stationId, presented, configured } = input;
  const basic = presented.basic;
  const basicForStation = basic.kind === 'basic' && basic.username === stationId ? basic : undefined;

  if (configured === undefined) {
    if (!input.autoRegister) return reject(404, 'unknown station', false);
    if (basic.kind !== 'none' && basicForStation === undefined) {
      return reject(401, 'Basic credentials must name the station identity', true);
    }
    return { action: 'register', securityProfile: presentedProfile(stationId, presented) };
  }

  switch (configured) {
    case 0:
      return { action: 'accept', securityProfile: 0 };
    case 1:
    case 2:
      if (presented.tls && hasCertificateFor(stationId, presented))
        return { action: 'accept', securityProfile: 3, raise: true };
      if (configured === 2 && !presented.tls) return reject(403, 'security profile 2 requires TLS', false);
      if (basicForStation === undefined) {
        return reject(401, 'Basic credentials with the station identity as username required', true);
      }
      return configured === 1 && presented.tls
        ? { action: 'check-password', securityProfile: 2, password: basicForStation.password, raise: true }
        : { action: 'check-password', securityProfile: configured, password: basicForStation.password };
    case 3:
      if (!presented.tls) return reject(403, 'security profile 3 requires TLS', false);
      if (presented.clientCertificate === undefined) return reject(401, 'client certificate required', false);
      if (!presented.clientCertificate.verified) return invalidCertificate('client certificate not trusted');
      if (!hasCertificateFor(stationId, presented)) {
        return invalidCertificate('client certificate CN does not match the station identity');
      }
      return { action: 'accept', securityProfile: 3 };
  }
}

/** Result of {@link admitStation}; `cause` is the store's error behind a 503 (for the log, never the station). */
export type AdmissionResult =
  | {
      readonly ok: true;
      readonly securityProfile: SecurityProfile;
      readonly registered: boolean;
      /** The station's configured profile was raised to `securityProfile` (A05.FR.07). */
      readonly raised?: true;
    }
  | ({ readonly ok: false; readonly cause?: unknown } & AdmissionRefusal);

/**
 * Runs the policy of {@link decideAdmission} against the store. Store failures (e.g. the database is down) become
 * a 503 refusal, never an exception.
 */
export async function admitStation(
  store: StationCredentialStore,
  stationId: string,
  presented: PresentedCredentials,
  autoRegister: boolean,
): Promise<AdmissionResult> {
  let credentials: StationCredentials | undefined;
  try {
    credentials = await store.lookup(stationId);
  } catch (error: unknown) {
    return unavailable(error);
  }
  const decision = decideAdmission({
    stationId,
    presented,
    configured: credentials?.securityProfile,
    autoRegister,
  });
  switch (decision.action) {
    case 'accept':
    case 'check-password': {
      try {
        // Only decided for a configured station, whose credentials were read above.
        if (
          decision.action === 'check-password' &&
          !((await credentials?.checkPassword(decision.password)) ?? false)
        )
          return { ok: false, status: 401, reason: 'invalid credentials', challenge: true };
        const fingerprint = presented.clientCertificate?.fingerprint;
        if (
          decision.securityProfile === 3 &&
          fingerprint !== undefined &&
          (await credentials?.certificateRevoked(fingerprint))
        )
          return {
            ok: false,
            status: 401,
            reason: 'client certificate revoked',
            challenge: false,
            securityEvent: 'InvalidChargingStationCertificate',
          };
        if (decision.raise) await store.raiseSecurityProfile(stationId, decision.securityProfile);
      } catch (error: unknown) {
        return unavailable(error);
      }
      return {
        ok: true,
        securityProfile: decision.securityProfile,
        registered: false,
        ...(decision.raise ? { raised: true as const } : {}),
      };
    }
    case 'reject': {
      const { action: _, ...refusal } = decision;
      return { ok: false, ...refusal };
    }
    case 'register':
      try {
        await store.autoRegister(stationId, decision.securityProfile);
      } catch (error: unknown) {
        return unavailable(error);
      }
      return { ok: true, securityProfile: decision.securityProfile, registered: true };
  }
}

function hasCertificateFor(stationId: string, presented: PresentedCredentials): boolean {
  const cert = presented.clientCertificate;
  return cert !== undefined && cert.verified && cert.commonName === stationId;
}

function reject(status: 401 | 403 | 404, reason: string, challenge: boolean): AdmissionDecision {
  return { action: 'reject', status, reason, challenge };
}

/** A profile-3 station's certificate is unusable: 401 and a security event (A00.FR.407 / A00.FR.408). */
function invalidCertificate(reason: string): AdmissionDecision {
  return {
    action: 'reject',
    status: 401,
    reason,
    challenge: false,
    securityEvent: 'InvalidChargingStationCertificate',
  };
}

function unavailable(cause: unknown): AdmissionResult {
  return { ok: false, status: 503, reason: 'credential store unavailable', challenge: false, cause };
}
