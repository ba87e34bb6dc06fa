import {
  deleteIdToken,
  findIdToken,
  insertIdToken,
  listIdTokens,
  updateIdToken,
  type Database,
  type IdTokenChanges,
  type IdTokenStatus,
  type Kysely,
} from '@csms/db';
import {
  ApiErrors,
  RequestViolations,
  authV1,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
} from '@csms/grpc';
import type { AuthServiceDeps } from './deps.js';
import { toIdToken } from './id-token-view.js';
import { ID_TOKEN_STATUSES, idTokenStatusOf } from './statuses.js';
import { checkIdToken, checkIdTokenType, checkTime } from './validation.js';

const RESOURCE = 'id token';

/** CRUD of the CSMS's id tokens (the `id_tokens` table the Authorize decision reads). */
export function idTokenHandlers({ db }: Pick<AuthServiceDeps, 'db'>) {
  return {
    createIdToken: (request: authV1.CreateIdTokenRequest) => createIdToken(db, request),
    getIdToken: (request: authV1.GetIdTokenRequest) => getIdToken(db, request),
    updateIdToken: (request: authV1.UpdateIdTokenRequest) => changeIdToken(db, request),
    deleteIdToken: (request: authV1.DeleteIdTokenRequest) => removeIdToken(db, request),
    listIdTokens: (request: authV1.ListIdTokensRequest) => listIdTokenPage(db, request),
  };
}

async function createIdToken(
  db: Kysely<Database>,
  request: authV1.CreateIdTokenRequest,
): Promise<authV1.CreateIdTokenResponse> {
  const v = new RequestViolations();
  checkIdToken(v, 'id_token', request.idToken);
  checkIdTokenType(v, 'type', request.type);
  const status =
    request.status === authV1.AuthorizationStatus.AUTHORIZATION_STATUS_UNSPECIFIED
      ? 'Accepted'
      : checkStatus(v, 'status', request.status);
  checkTime(v, 'expire_time', request.expireTime);
  if (request.groupId !== '') checkIdToken(v, 'group_id', request.groupId);
  v.throwIfAny('invalid id token');
  const row = await insertIdToken(db, {
    idToken: request.idToken,
    type: request.type || null,
    status: status ?? 'Accepted',
    expiresAt: request.expireTime ?? null,
    groupId: request.groupId || null,
  });
  if (!row) throw ApiErrors.alreadyExists(RESOURCE, request.idToken);
  return { token: toIdToken(row) };
}

async function getIdToken(
  db: Kysely<Database>,
  request: authV1.GetIdTokenRequest,
): Promise<authV1.GetIdTokenResponse> {
  requireIdToken(request.idToken);
  const row = await findIdToken(db, request.idToken);
  if (!row) throw ApiErrors.notFound(RESOURCE, request.idToken);
  return { token: toIdToken(row) };
}

async function changeIdToken(
  db: Kysely<Database>,
  request: authV1.UpdateIdTokenRequest,
): Promise<authV1.UpdateIdTokenResponse> {
  const v = new RequestViolations();
  checkIdToken(v, 'id_token', request.idToken);
  if (request.type !== undefined) checkIdTokenType(v, 'type', request.type);
  const status = request.status === undefined ? undefined : checkStatus(v, 'status', request.status);
  checkTime(v, 'expire_time', request.expireTime);
  if (request.expireTime !== undefined && request.clearExpireTime)
    v.add('clear_expire_time', 'must not be set together with expire_time');
  if (request.groupId !== undefined && request.groupId !== '') checkIdToken(v, 'group_id', request.groupId);
  v.throwIfAny('invalid id token update');
  const changes: IdTokenChanges = {
    ...(request.type !== undefined ? { type: request.type || null } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(request.expireTime !== undefined ? { expiresAt: request.expireTime } : {}),
    ...(request.clearExpireTime ? { expiresAt: null } : {}),
    ...(request.groupId !== undefined ? { groupId: request.groupId || null } : {}),
  };
  const row = await updateIdToken(db, request.idToken, changes);
  if (!row) throw ApiErrors.notFound(RESOURCE, request.idToken);
  return { token: toIdToken(row) };
}

async function removeIdToken(
  db: Kysely<Database>,
  request: authV1.DeleteIdTokenRequest,
): Promise<authV1.DeleteIdTokenResponse> {
  requireIdToken(request.idToken);
  if (!(await deleteIdToken(db, request.idToken))) throw ApiErrors.notFound(RESOURCE, request.idToken);
  return {};
}

async function listIdTokenPage(
  db: Kysely<Database>,
  request: authV1.ListIdTokensRequest,
): Promise<authV1.ListIdTokensResponse> {
  const v = new RequestViolations();
  const status =
    request.status === authV1.AuthorizationStatus.AUTHORIZATION_STATUS_UNSPECIFIED
      ? undefined
      : checkStatus(v, 'status', request.status);
  if (request.groupId !== '') checkIdToken(v, 'group_id', request.groupId);
  if (request.idTokenPrefix.length > 36) v.add('id_token_prefix', 'must be at most 36 characters');
  v.throwIfAny('invalid ListIdTokens request');
  const limit = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken);
  // One more than asked tells whether there is a next page without a count query.
  const rows = await listIdTokens(db, {
    limit: limit + 1,
    ...(after !== undefined ? { afterIdToken: after } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(request.groupId !== '' ? { groupId: request.groupId } : {}),
    ...(request.idTokenPrefix !== '' ? { idTokenPrefix: request.idTokenPrefix } : {}),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    tokens: page.map(toIdToken),
    nextPageToken: rows.length > limit && last ? encodePageToken(last.id_token) : '',
  };
}

function checkStatus(
  v: RequestViolations,
  field: string,
  status: authV1.AuthorizationStatus,
): IdTokenStatus | undefined {
  const stored = idTokenStatusOf(status);
  if (stored === undefined) v.add(field, `must be ${ID_TOKEN_STATUSES}`);
  return stored;
}

function requireIdToken(idToken: string): void {
  const v = new RequestViolations();
  checkIdToken(v, 'id_token', idToken);
  v.throwIfAny('invalid id token');
}
