import { partitionOf } from './partition.js';

/**
 * NATS-style subject names used between the CSMS processes. Always build subjects through these
 * functions, never by string concatenation at call sites.
 *
 * Station identities may contain characters that subjects treat specially (`.`, `*`, `>`, spaces;
 * OCPP allows any printable character except `:` in 2.0.1), so a station id is carried in a subject as
 * its base64url encoding, which uses only `[A-Za-z0-9_-]`.
 */

/** Encodes a station id into a single subject token. */
export function stationToken(stationId: string): string {
  return Buffer.from(stationId, 'utf8').toString('base64url');
}

/** Decodes a token made by {@link stationToken}. */
export function stationFromToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

/**
 * Subjects that reach a station's actor carry the station's partition before the station token
 * (`ocpp.in.<partition>.<station>`), so a worker subscribes only to the partitions it owns.
 */
export const Subjects = Object.freeze({
  /** Station → CSMS CALLs, from the edge holding the socket to the station's actor (request/reply). */
  inboundCall: (stationId: string) => `ocpp.in.${partitionOf(stationId)}.${stationToken(stationId)}`,
  /** Station CALLs of one partition (`*` = every partition: the embedded worker). */
  inboundCalls: (partition: number | '*') => `ocpp.in.${partition}.*`,
  /** CSMS → station CALLs, from the actor to whichever edge holds the socket (request/reply). */
  outboundCall: (stationId: string) => `ocpp.out.${stationToken(stationId)}`,
  /** Connection lifecycle facts published by edges (connected / disconnected). */
  connection: (stationId: string) => `station.conn.${partitionOf(stationId)}.${stationToken(stationId)}`,
  connections: (partition: number | '*') => `station.conn.${partition}.*`,
  /** Ask edges to close a station's socket (newest connection wins; admin disconnect). */
  evict: (stationId: string) => `station.evict.${stationToken(stationId)}`,
  /** Operator / API commands to the station's actor (request/reply). */
  command: (stationId: string) => `station.cmd.${partitionOf(stationId)}.${stationToken(stationId)}`,
  commands: (partition: number | '*') => `station.cmd.${partition}.*`,
  /** Facts the actors publish for observers (booted, status changed, ...). */
  event: (stationId: string, type: string) => `csms.evt.station.${type}.${stationToken(stationId)}`,
  /** Every station's events of one type. */
  eventsOfType: (type: string) => `csms.evt.station.${type}.*`,
  eventWildcard: 'csms.evt.station.>',
});

/** Returns the station id carried in the last token of a subject built by {@link Subjects}. */
export function stationOfSubject(subject: string): string {
  const token = subject.slice(subject.lastIndexOf('.') + 1);
  return stationFromToken(token);
}

/**
 * NATS subject matching: tokens separated by `.`, `*` matches exactly one token, `>` (last token only)
 * matches one or more tokens.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
