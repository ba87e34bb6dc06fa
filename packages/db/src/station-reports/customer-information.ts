import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** One NotifyCustomerInformationRequest (2.0.1 N09 / N10) as a station sent it. */
export interface CustomerInformationPart {
  readonly seqNo: number;
  readonly data: string;
  /** More parts follow ("to be continued"; omitted = false). */
  readonly tbc: boolean;
  readonly generatedAt: Date;
}

/**
 * The NotifyCustomerInformation parts a station sent for `requestId`, ordered by seqNo, each seqNo once (the
 * first received). The worker stores them in `station_notifications` as received (action
 * NotifyCustomerInformation); this reads them back by the payload's requestId.
 */
export async function customerInformationParts(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
): Promise<CustomerInformationPart[]> {
  const rows = await db
    .selectFrom('station_notifications')
    .select(['payload'])
    .where('station_id', '=', stationId)
    .where('action', '=', 'NotifyCustomerInformation')
    .where(sql<string>`payload->>'requestId'`, '=', String(requestId))
    .orderBy('id')
    .execute();
  const bySeqNo = new Map<number, CustomerInformationPart>();
  for (const { payload } of rows) {
    const p = payload as { seqNo: number; data: string; tbc?: boolean; generatedAt: string };
    if (!bySeqNo.has(p.seqNo))
      bySeqNo.set(p.seqNo, {
        seqNo: p.seqNo,
        data: p.data,
        tbc: p.tbc === true,
        generatedAt: new Date(p.generatedAt),
      });
  }
  return [...bySeqNo.values()].sort((a, b) => a.seqNo - b.seqNo);
}
