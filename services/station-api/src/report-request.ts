import { randomInt } from 'node:crypto';
import type { Database, Kysely } from '@csms/db';
import { abortable, pollUntil, type CallContext, type RequestViolations } from '@csms/grpc';
import { INT32_MAX } from '@csms/ocpp';
import type { StationServiceDeps } from './deps.js';
import { callStation } from './display-messages/v201-station.js';

/** How long a refresh waits for the station's report by default, and at most (`report_wait_seconds`). */
const DEFAULT_REPORT_WAIT_SECONDS = 30;
const MAX_REPORT_WAIT_SECONDS = 120;

/**
 * A CSMS request the station answers with a report under the request's `requestId` (2.0.1 GetDisplayMessages
 * O03/O04, GetMonitoringReport N02), and the domain's record of it: the request is recorded first, the station's
 * answer next, and the station actor marks it complete when the report's last part has been stored and reconciled.
 */
export interface ReportRequest<Answer extends { readonly status: string }> {
  readonly action: string;
  /** Records the request under `requestId`; false when the station already has a request with that id. */
  start(requestId: number): Promise<boolean>;
  /** The CALL payload with `requestId`. */
  payload(requestId: number): Record<string, unknown>;
  /** Records the station's answer (in a database transaction). */
  recordAnswer(trx: Kysely<Database>, requestId: number, answer: Answer): Promise<void>;
  /** Whether the answer means a report follows (otherwise the request is complete with it). */
  reportFollows(answer: Answer): boolean;
  /** Whether the report of `requestId` is complete. */
  isComplete(requestId: number): Promise<boolean>;
}

/** `report_wait_seconds`: the default when absent, a violation when out of range. */
export function reportWaitSeconds(v: RequestViolations, value: number | undefined): number {
  const wait = value ?? DEFAULT_REPORT_WAIT_SECONDS;
  v.check(
    Number.isInteger(wait) && wait >= 0 && wait <= MAX_REPORT_WAIT_SECONDS,
    'report_wait_seconds',
    `must be between 0 and ${MAX_REPORT_WAIT_SECONDS}`,
  );
  return wait;
}

/**
 * Sends a report request under a requestId the station never used (an old report is not read as the new one), records
 * the answer and, when a report follows, waits (at most `waitSeconds`, or until the call is cancelled) for it to be
 * complete. `complete` false: the report had not arrived in full within the wait.
 */
export async function requestReport<Answer extends { readonly status: string }>(
  deps: StationServiceDeps,
  stationId: string,
  request: ReportRequest<Answer>,
  waitSeconds: number,
  context: CallContext,
): Promise<{ requestId: number; answer: Answer; complete: boolean }> {
  let requestId = randomInt(1, INT32_MAX);
  while (!(await request.start(requestId))) requestId = randomInt(1, INT32_MAX);
  const answer = await callStation<Answer>(
    deps,
    stationId,
    request.action,
    request.payload(requestId),
    context,
  );
  await deps.db.transaction().execute((trx) => request.recordAnswer(trx, requestId, answer));
  if (!request.reportFollows(answer)) return { requestId, answer, complete: true };
  const complete = await abortable(
    pollUntil(
      () => request.isComplete(requestId),
      (done) => done,
      waitSeconds * 1000,
      context.signal,
    ),
    context.signal,
  );
  return { requestId, answer, complete: complete === true };
}
