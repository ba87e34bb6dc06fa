import { randomInt } from 'node:crypto';
import { customerInformationParts, type CustomerInformationPart, type Database, type Kysely } from '@csms/db';
import { pollUntil, type authV1 } from '@csms/grpc';
import { INT32_MAX } from '@csms/ocpp';

/**
 * A requestId this station has sent no NotifyCustomerInformation for, so that an old report is not read as the
 * new one (the CSMS chooses the requestId of its CustomerInformationRequest).
 */
export async function unusedCustomerRequestId(db: Kysely<Database>, stationId: string): Promise<number> {
  for (;;) {
    const requestId = randomInt(1, INT32_MAX);
    if ((await customerInformationParts(db, stationId, requestId)).length === 0) return requestId;
  }
}

/**
 * The station's NotifyCustomerInformation parts of `requestId` once the report is complete, or when `waitMs`
 * passed (or the call was cancelled) with what arrived by then. The station's actor stores the parts, in
 * whichever process it runs: the store is polled.
 */
export async function waitForCustomerReport(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
  waitMs: number,
  signal: AbortSignal,
): Promise<authV1.CustomerInformationReport> {
  const parts = await pollUntil(
    () => customerInformationParts(db, stationId, requestId),
    isComplete,
    waitMs,
    signal,
  );
  return toReport(requestId, parts);
}

/** Parts 0..n, each present, the last one without tbc (N09.FR.05: one or more messages). */
function isComplete(parts: readonly CustomerInformationPart[]): boolean {
  const last = parts.at(-1);
  return last !== undefined && !last.tbc && parts.every((p, index) => p.seqNo === index);
}

function toReport(
  requestId: number,
  parts: readonly CustomerInformationPart[],
): authV1.CustomerInformationReport {
  return {
    requestId,
    data: parts.map((p) => p.data).join(''),
    parts: parts.length,
    complete: isComplete(parts),
    generateTime: parts.at(-1)?.generatedAt,
  };
}
