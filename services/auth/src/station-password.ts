import { randomInt } from 'node:crypto';
import { RequestViolations, resultOf, type CallContext, abortable } from '@csms/grpc';
import type { authV1 } from '@csms/grpc';
import type { AuthServiceDeps } from './deps.js';
import { existingStation, versionOf, type OcppVersion } from './station-lookup.js';

/** Length of a generated password (within 16-40, A00.FR.205; 16 bytes as 1.6 hex). */
export const GENERATED_PASSWORD_LENGTH = 32;
const HEX = '0123456789abcdef';
/** 2.0.1 passwordString: letters, digits and * - _ = : + | @ . (part 2 §2.1.4). */
const PASSWORD_STRING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-_=:+|@.';
const PASSWORD_STRING_PATTERN = /^[A-Za-z0-9*\-_=:+|@.]{16,40}$/;
/** 1.6 Security Whitepaper A00.FR.205: at least 16 bytes, hexadecimal, at most 40 digits. */
const HEX_KEY_PATTERN = /^[0-9a-fA-F]{32,40}$/;

/** A random password the station's version accepts (A01.FR.07: random, A01.FR.06: one per station). */
export function generatePassword(version: OcppVersion): string {
  const alphabet = version === 'ocpp1.6' ? HEX : PASSWORD_STRING;
  let password = '';
  for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) password += alphabet[randomInt(alphabet.length)];
  return password;
}

/** Why `password` cannot be a Basic-auth password of a station of `version`, or undefined. */
export function passwordProblem(version: OcppVersion, password: string): string | undefined {
  if (version === 'ocpp1.6')
    return HEX_KEY_PATTERN.test(password)
      ? undefined
      : 'must be 32 to 40 hexadecimal digits for an OCPP 1.6 station (AuthorizationKey, A00.FR.205)';
  return PASSWORD_STRING_PATTERN.test(password)
    ? undefined
    : 'must be 16 to 40 characters of A-Z a-z 0-9 * - _ = : + | @ . for an OCPP 2.0.1 station (A00.FR.205)';
}

/**
 * Sends a new Basic-auth password to a connected station through its actor, whose after-command hooks
 * (worker: ChangeConfiguration / SetVariables) store it when the station accepts it (A01.FR.03) and keep
 * the old one otherwise (A01.FR.04). The hook runs before the command's outcome is answered, so the
 * stored password is in place when this returns. The password is never logged (A01.FR.09).
 */
export async function rotateStationPassword(
  deps: Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>,
  request: authV1.RotateStationPasswordRequest,
  context: CallContext,
): Promise<authV1.RotateStationPasswordResponse> {
  const station = await existingStation(deps.db, request.stationId);
  const version = versionOf(station);
  if (request.password !== undefined) {
    const v = new RequestViolations();
    const problem = passwordProblem(version, request.password);
    if (problem) v.add('password', problem);
    v.throwIfAny('invalid password');
  }
  const password = request.password ?? generatePassword(version);
  let stationStatus: string;
  if (version === 'ocpp1.6') {
    const action = 'ChangeConfiguration';
    const outcome = await abortable(
      deps.stations.call(station.id, action, { key: 'AuthorizationKey', value: password }),
      context.signal,
    );
    stationStatus = String(resultOf(station.id, action, outcome).status);
  } else {
    const action = 'SetVariables';
    const outcome = await abortable(
      deps.stations.call(station.id, action, {
        setVariableData: [
          {
            component: { name: 'SecurityCtrlr' },
            variable: { name: 'BasicAuthPassword' },
            attributeValue: password,
          },
        ],
      }),
      context.signal,
    );
    const results = resultOf(station.id, action, outcome).setVariableResult as
      { attributeStatus?: unknown }[] | undefined;
    const attributeStatus = results?.[0]?.attributeStatus;
    stationStatus = typeof attributeStatus === 'string' ? attributeStatus : 'Rejected';
  }
  // The same rule as the worker's hooks, which stored the password in that case.
  const changed = stationStatus === 'Accepted' || stationStatus === 'RebootRequired';
  deps.logger.info({ stationId: station.id, stationStatus, changed }, 'station password rotation');
  return {
    stationStatus,
    changed,
    generatedPassword: request.password === undefined && changed ? password : '',
  };
}
