import { findIdToken, localListEntriesOfIdToken, type Database, type Kysely } from '@csms/db';
import type { authV1 } from '@csms/grpc';
import type { CustomerReference } from './customer-request.js';
import { toIdToken } from './id-token-view.js';
import { toApiStatus } from './statuses.js';

/**
 * What the CSMS itself holds about a customer named by an id token (N09 / N10 from the CSMS's side): the id
 * token record and the token's entries on the stations' stored local lists. The CSMS keeps nothing under a
 * customer identifier or a customer certificate: empty for those.
 */
export async function csmsCustomerData(
  db: Kysely<Database>,
  customer: CustomerReference,
): Promise<authV1.CsmsCustomerData> {
  if (customer.kind !== 'idToken') return { idToken: undefined, localListEntries: [] };
  const { idToken, type } = customer.idToken;
  const record = await findIdToken(db, idToken);
  const entries = await localListEntriesOfIdToken(db, idToken);
  return {
    // A stored type other than the customer's is another token (as for Authorize); no type matches any.
    idToken: record && (record.type === null || record.type === type) ? toIdToken(record) : undefined,
    localListEntries: entries
      .filter((e) => e.type === null || e.type === type)
      .map((e) => ({
        stationId: e.station_id,
        listVersion: e.version,
        entry: {
          idToken: e.id_token,
          type: e.type ?? '',
          status: toApiStatus(e.status),
          expireTime: e.expires_at ?? undefined,
          groupId: e.group_id ?? '',
        },
      })),
  };
}
