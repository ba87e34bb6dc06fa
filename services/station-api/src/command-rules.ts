import type { FieldViolation } from '@csms/grpc';
import type { OcppVersion } from '@csms/ocpp';

/**
 * Rules of the OCPP specifications on what the CSMS sends that the OCA JSON schemas do not express. The typed
 * command RPCs check them before anything is sent: a request that breaks one is INVALID_ARGUMENT with field
 * violations (paths of the API request, proto field names under `payload`), and the station never sees it.
 * The generic `Call` RPC sends what it is given.
 */
type Rule = (payload: Readonly<Record<string, unknown>>) => FieldViolation[];

const RULES: Readonly<Record<string, Rule>> = {
  // OCPP 1.6 §5.11 / §6.33 "ChargingProfilePurpose MUST be set to TxProfile"; §5.16.2 (errata 3.41)
  // "the ChargingProfilePurpose MUST be set to TxProfile and the transactionId SHALL NOT be set".
  'ocpp1.6/RemoteStartTransaction': (payload) => remoteStartProfile(payload, '1.6 §5.16.2'),
  // OCPP 2.0.1 F01.FR.09 / F02.FR.17 / K05.FR.02: the purpose SHALL be TxProfile; F01.FR.11 / F02.FR.19:
  // the transactionId in the ChargingProfile SHALL NOT be set (the station assigns it when it starts).
  'ocpp2.0.1/RequestStartTransaction': (payload) =>
    remoteStartProfile(payload, 'F01.FR.09, K05.FR.02', 'F01.FR.11'),
};

/** The violations of the rules for `action` of `version` (none for an action without rules). */
export function commandRuleViolations(
  version: OcppVersion,
  action: string,
  payload: Readonly<Record<string, unknown>>,
): FieldViolation[] {
  return RULES[`${version}/${action}`]?.(payload) ?? [];
}

/**
 * The charging profile of a remote start (1.6 RemoteStartTransaction.req, 2.0.1 RequestStartTransactionRequest;
 * both name the fields alike): for the transaction the station is about to start, so a TxProfile without a
 * transactionId.
 */
function remoteStartProfile(
  payload: Readonly<Record<string, unknown>>,
  purposeRule: string,
  transactionRule = purposeRule,
): FieldViolation[] {
  const profile = payload.chargingProfile;
  if (typeof profile !== 'object' || profile === null) return [];
  const { chargingProfilePurpose, transactionId } = profile as Record<string, unknown>;
  const violations: FieldViolation[] = [];
  if (chargingProfilePurpose !== undefined && chargingProfilePurpose !== 'TxProfile')
    violations.push({
      field: 'payload.charging_profile.charging_profile_purpose',
      description: `the profile of a remote start must be a TxProfile (${purposeRule})`,
    });
  if (transactionId !== undefined)
    violations.push({
      field: 'payload.charging_profile.transaction_id',
      description:
        'must be omitted: the transaction does not exist yet, the station applies the profile to the one ' +
        `it starts (${transactionRule})`,
    });
  return violations;
}
