import type { IdTokenRow } from '@csms/db';
import type { authV1 } from '@csms/grpc';
import { toApiStatus } from './statuses.js';

/** The API view of a stored id token. */
export function toIdToken(row: IdTokenRow): authV1.IdToken {
  return {
    idToken: row.id_token,
    type: row.type ?? '',
    status: toApiStatus(row.status),
    expireTime: row.expires_at ?? undefined,
    groupId: row.group_id ?? '',
    createTime: row.created_at,
    updateTime: row.updated_at,
  };
}
