import { Subjects, type EvictRequest } from '@csms/bus';
import {
  deleteStation,
  findStation,
  listStations,
  upsertStation,
  type Database,
  type Kysely,
  type StationRow,
} from '@csms/db';
import {
  ApiErrors,
  RequestViolations,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  requireStationId,
  type stationV1,
} from '@csms/grpc';
import type { StationServiceDeps } from './deps.js';
import { fromBootPolicy, toStation } from './station-view.js';

// The station registry RPCs of `csms.station.v1.StationService`: create, read, update, delete, list.

/** OCPP 2.0.1 A00.FR.205 / 1.6 Security Whitepaper: Basic-auth passwords are 16 to 40 characters. */
const PASSWORD_LENGTH = { min: 16, max: 40 };

export async function createStation(
  db: Kysely<Database>,
  request: stationV1.CreateStationRequest,
): Promise<stationV1.CreateStationResponse> {
  const v = new RequestViolations();
  v.stationId('id', request.id);
  checkProfile(v, request.securityProfile);
  checkPassword(v, request.password);
  const bootPolicy = fromBootPolicy(request.bootPolicy);
  v.check(bootPolicy !== undefined, 'boot_policy', 'unknown value');
  v.throwIfAny('invalid station');
  if (await findStation(db, request.id)) throw ApiErrors.alreadyExists('station', request.id);
  await upsertStation(db, {
    id: request.id,
    securityProfile: request.securityProfile as 0 | 1 | 2 | 3,
    bootPolicy: bootPolicy ?? null,
    ...(request.password !== undefined ? { password: request.password } : {}),
  });
  return { station: toStation((await findStation(db, request.id))!) };
}

export async function getStation(
  db: Kysely<Database>,
  request: stationV1.GetStationRequest,
): Promise<stationV1.GetStationResponse> {
  requireStationId(request.id, 'id');
  return { station: toStation(await existing(db, request.id)) };
}

export async function updateStation(
  db: Kysely<Database>,
  request: stationV1.UpdateStationRequest,
): Promise<stationV1.UpdateStationResponse> {
  const v = new RequestViolations();
  v.stationId('id', request.id);
  checkPassword(v, request.password);
  if (request.securityProfile !== undefined) checkProfile(v, request.securityProfile);
  const bootPolicy = request.bootPolicy === undefined ? undefined : fromBootPolicy(request.bootPolicy);
  v.check(request.bootPolicy === undefined || bootPolicy !== undefined, 'boot_policy', 'unknown value');
  v.throwIfAny('invalid station update');
  const current = await existing(db, request.id);
  await upsertStation(db, {
    id: request.id,
    securityProfile: (request.securityProfile ?? current.security_profile) as 0 | 1 | 2 | 3,
    ...(bootPolicy !== undefined ? { bootPolicy } : {}),
    ...(request.password !== undefined ? { password: request.password } : {}),
  });
  return { station: toStation(await existing(db, request.id)) };
}

/** DeleteStation: removes the registration and evicts the station if it is connected. */
export async function removeStation(
  deps: Pick<StationServiceDeps, 'db' | 'bus' | 'logger'>,
  request: stationV1.DeleteStationRequest,
): Promise<stationV1.DeleteStationResponse> {
  requireStationId(request.id, 'id');
  if (!(await deleteStation(deps.db, request.id))) throw ApiErrors.notFound('station', request.id);
  // A deleted station must not stay connected (the edge refuses it at its next upgrade).
  const evict: EvictRequest = { stationId: request.id, reason: 'station deleted' };
  await deps.bus.publish(Subjects.evict(request.id), evict);
  deps.logger.info({ stationId: request.id }, 'station deleted through the API');
  return {};
}

export async function listStationPage(
  db: Kysely<Database>,
  request: stationV1.ListStationsRequest,
): Promise<stationV1.ListStationsResponse> {
  const limit = pageSizeOf(request.pageSize);
  const afterId = decodePageToken(request.pageToken);
  const rows = await listStations(db, {
    limit: limit + 1,
    ...(afterId !== undefined ? { afterId } : {}),
    ...(request.idPrefix ? { idPrefix: request.idPrefix } : {}),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    stations: page.map(toStation),
    nextPageToken: rows.length > limit && last ? encodePageToken(last.id) : '',
  };
}

function checkProfile(v: RequestViolations, profile: number): void {
  v.check(
    Number.isInteger(profile) && profile >= 0 && profile <= 3,
    'security_profile',
    'must be 0, 1, 2 or 3',
  );
}

function checkPassword(v: RequestViolations, password: string | undefined): void {
  if (password === undefined) return;
  v.check(
    password.length >= PASSWORD_LENGTH.min && password.length <= PASSWORD_LENGTH.max,
    'password',
    `must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters (A00.FR.205)`,
  );
}

async function existing(db: Kysely<Database>, id: string): Promise<StationRow> {
  const row = await findStation(db, id);
  if (!row) throw ApiErrors.notFound('station', id);
  return row;
}
