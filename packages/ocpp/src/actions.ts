import { V16_ACTIONS } from './gen/v16.js';
import type { V16Actions } from './gen/v16.js';
import { V201_ACTIONS } from './gen/v201.js';
import type { V201Actions } from './gen/v201.js';
import { V21_ACTIONS } from './gen/v21.js';
import type { V21Actions } from './gen/v21.js';
import type { OcppVersion } from './version.js';

/**
 * Who sends the request (CALL) of an action: the Charging Station (1.6: Charge Point), the CSMS (1.6: Central
 * System) or either (e.g. DataTransfer). The tables live in `scripts/directions.ts` with their spec citations.
 */
export type Sender = 'station' | 'csms' | 'both';

/** Action maps per version: `ActionsOf<'ocpp2.0.1'>['BootNotification']['request']` etc. */
export interface OcppActionMaps {
  'ocpp1.6': V16Actions;
  'ocpp2.0.1': V201Actions;
  'ocpp2.1': V21Actions;
}

/** The generated action map of `V`. */
export type ActionsOf<V extends OcppVersion> = OcppActionMaps[V];
/** Action names of `V`. */
export type ActionOf<V extends OcppVersion> = keyof ActionsOf<V> & string;
/** Request payload type of action `A` in version `V`. */
export type RequestOf<V extends OcppVersion, A extends ActionOf<V>> = ActionsOf<V>[A] extends {
  request: infer R;
}
  ? R
  : never;
/** Response payload type of action `A` in version `V`. */
export type ResponseOf<V extends OcppVersion, A extends ActionOf<V>> = ActionsOf<V>[A] extends {
  response: infer R;
}
  ? R
  : never;

/** Runtime action tables (action → {@link Sender}) per version, generated from the OCA schemas. */
export const ACTION_SENDERS: Readonly<Record<OcppVersion, Readonly<Record<string, Sender>>>> = {
  'ocpp1.6': V16_ACTIONS,
  'ocpp2.0.1': V201_ACTIONS,
  'ocpp2.1': V21_ACTIONS,
};

/** The CALL actions of `version`, sorted. */
export function actionsOf(version: OcppVersion): readonly string[] {
  return Object.keys(ACTION_SENDERS[version]);
}

/** Whether `action` is a CALL action of `version` (case-sensitive, OCPP-2.0.1 part 4 §4.2.1 Table 5). */
export function isKnownAction(version: OcppVersion, action: string): boolean {
  return Object.hasOwn(ACTION_SENDERS[version], action);
}

/** Who sends the request of `action` in `version`, or undefined for an unknown action. */
export function senderOf(version: OcppVersion, action: string): Sender | undefined {
  return isKnownAction(version, action) ? ACTION_SENDERS[version][action] : undefined;
}
