import { commitListUpdate, storedListVersion, type LocalListChange } from '@csms/db';
import { ApiErrors, abortable, authV1, resultOf, type CallContext } from '@csms/grpc';
import { halvesOf, refusedAsTooLarge, type StationLimits } from '@csms/station-limits';
import type { AuthServiceDeps } from './deps.js';
import type { KeyedLock } from './keyed-lock.js';
import { checkEntries, checkPerMessage, checkUpdateType } from './local-list-checks.js';
import { localListParts } from './local-list-parts.js';
import { sendLocalListPayload } from './local-list-payload.js';
import { existingStation, versionOf, type OcppVersion } from './station-lookup.js';

const { LocalListStatus } = authV1;

type Deps = Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>;
type SendDeps = Deps & { readonly limits: StationLimits };

/** One checked update of a station's list, split into the messages it is sent in. */
interface ListUpdate {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly full: boolean;
  readonly parts: readonly LocalListChange[][];
}

/**
 * SendLocalList: checks the update, then sends it (split by the station's limit and the operator's
 * `max_entries_per_message`) with the next versions, one station at a time under `lock`, storing each part
 * once the station accepted it.
 */
export async function sendLocalList(
  deps: SendDeps,
  lock: KeyedLock,
  request: authV1.SendLocalListRequest,
  context: CallContext,
): Promise<authV1.SendLocalListResponse> {
  const full = checkUpdateType(request.updateType);
  const perMessage = checkPerMessage(request.maxEntriesPerMessage, request.entries.length);
  const station = await existingStation(deps.db, request.stationId);
  const version = versionOf(station);
  const entries = checkEntries(request.entries, full, version);
  // A list of one entry cannot be cut: the station's limits are only needed (and asked for) above that.
  const limits =
    entries.length > 1
      ? await abortable(deps.limits.limitsFor(station.id, version, 'SendLocalList'), context.signal)
      : {};
  const parts = localListParts({ stationId: station.id, version, full, perMessage, limits }, entries);
  const update: ListUpdate = { stationId: station.id, version, full, parts };
  return lock.run(station.id, () => sendParts(deps, update, context.signal));
}

/**
 * Sends the parts in order, each with the version after the stored one; stops at the first refusal. A part of
 * several entries the station refuses as too large (a CALLERROR D01.FR.11's limits allow; the list is unchanged)
 * is sent again in halves, and the size it took is learned as its limit.
 */
async function sendParts(
  deps: SendDeps,
  update: ListUpdate,
  signal: AbortSignal,
): Promise<authV1.SendLocalListResponse> {
  const { stationId, full } = update;
  const parts = [...update.parts];
  const stored = await storedListVersion(deps.db, stationId);
  let storedVersion = stored.version;
  let reasonCode = '';
  const sizes = { smallestRefused: Number.POSITIVE_INFINITY, largestTaken: 0 };
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    // Only the first message replaces the list; the rest add to it (and a FULL list has no removals).
    const partFull = full && index === 0;
    // D01.FR.18: versions start at 1 (0 means "no list"); D01.FR.19: each update above the last.
    const sentVersion = storedVersion + 1;
    const action = 'SendLocalList';
    const outcome = await abortable(
      deps.stations.call(
        stationId,
        action,
        sendLocalListPayload(update.version, sentVersion, partFull, part),
      ),
      signal,
    );
    if (refusedAsTooLarge(outcome) && part.length > 1) {
      parts.splice(index, 1, ...halvesOf(part));
      sizes.smallestRefused = Math.min(sizes.smallestRefused, part.length);
      index -= 1;
      continue;
    }
    const answer = resultOf(stationId, action, outcome);
    const status = localListAnswerOf(answer.status);
    reasonCode = reasonCodeOf(answer);
    if (status !== LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED) {
      deps.logger.info(
        { stationId, status: answer.status, sentVersion, message: index + 1, of: parts.length },
        'local list refused',
      );
      return {
        status,
        sentVersion,
        version: storedVersion,
        // D01.FR.03 / 1.6 §5.15: after a failed differential update the CSMS should send the full list; a
        // FULL list cut short leaves the station with part of it.
        fullUpdateRequired:
          status === LocalListStatus.LOCAL_LIST_STATUS_VERSION_MISMATCH ||
          (status === LocalListStatus.LOCAL_LIST_STATUS_FAILED && !partFull) ||
          (full && index > 0),
        reasonCode,
        messagesAccepted: index,
      };
    }
    await commitPart(deps, stationId, storedVersion, sentVersion, partFull, part);
    storedVersion = sentVersion;
    sizes.largestTaken = Math.max(sizes.largestTaken, part.length);
  }
  if (sizes.largestTaken > 0 && Number.isFinite(sizes.smallestRefused))
    await deps.limits.learnFromRefusal(
      stationId,
      update.version,
      'SendLocalList',
      Math.min(sizes.largestTaken, sizes.smallestRefused - 1),
    );
  return {
    status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED,
    sentVersion: storedVersion,
    version: storedVersion,
    fullUpdateRequired: false,
    reasonCode,
    messagesAccepted: parts.length,
  };
}

/** Stores an accepted part; FAILED_PRECONDITION when the stored list moved on meanwhile (another process). */
async function commitPart(
  deps: Deps,
  stationId: string,
  fromVersion: number,
  sentVersion: number,
  full: boolean,
  entries: readonly LocalListChange[],
): Promise<void> {
  const committed = await commitListUpdate(deps.db, {
    stationId,
    fromVersion,
    toVersion: sentVersion,
    full,
    entries,
  });
  if (!committed)
    throw ApiErrors.failedPrecondition(
      'LOCAL_LIST_CHANGED',
      `the local list of station ${stationId} changed while version ${sentVersion} was sent; send a FULL list`,
      { stationId, sentVersion: String(sentVersion) },
    );
}

function localListAnswerOf(status: unknown): authV1.LocalListStatus {
  switch (status) {
    case 'Accepted':
      return LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED;
    case 'NotSupported':
      return LocalListStatus.LOCAL_LIST_STATUS_NOT_SUPPORTED;
    case 'VersionMismatch':
      return LocalListStatus.LOCAL_LIST_STATUS_VERSION_MISMATCH;
    default:
      // The answer was validated against the schema by the actor: only Failed is left.
      return LocalListStatus.LOCAL_LIST_STATUS_FAILED;
  }
}

function reasonCodeOf(answer: Record<string, unknown>): string {
  const info = answer.statusInfo as { reasonCode?: unknown } | undefined;
  return typeof info?.reasonCode === 'string' ? info.reasonCode : '';
}
