import { Subjects, type Bus, type EvictRequest, type StationApi } from '@csms/bus';
import {
  deleteStation,
  findQueuedCommand,
  findStation,
  listStations,
  upsertStation,
  type Database,
  type Kysely,
  type QueuedCommandRow,
} from '@csms/db';
import {
  answerOf,
  ApiErrors,
  apiStationEvents,
  apiService,
  stationV1,
  type ApiService,
  type FieldViolation,
  type ServiceImplementation,
  abortable,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
} from '@csms/grpc';
import { stationIdProblem } from '@csms/ocpp';
import type { Logger } from '@csms/telemetry';
import { callOptionsOf } from './call-options.js';
import { fromBootPolicy, toStation } from './station-view.js';

export interface StationServiceDeps {
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly stations: StationApi;
  readonly logger: Logger;
}

/** OCPP 2.0.1 A00.FR.205 / 1.6 Security Whitepaper: Basic-auth passwords are 16 to 40 characters. */
const PASSWORD_LENGTH = { min: 16, max: 40 };
const ACTION_PATTERN = /^[A-Za-z0-9]{1,64}$/;
const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

/** `csms.station.v1.StationService`: the station registry, generic calls and station events. */
export function createStationService(deps: StationServiceDeps): ApiService {
  const impl: ServiceImplementation<typeof stationV1.StationServiceDefinition> = {
    async createStation(request) {
      const violations = [
        ...idViolations(request.id, 'id'),
        ...profileViolations(request.securityProfile),
        ...passwordViolations(request.password),
      ];
      const bootPolicy = fromBootPolicy(request.bootPolicy);
      if (bootPolicy === undefined) violations.push({ field: 'boot_policy', description: 'unknown value' });
      if (violations.length > 0) throw ApiErrors.invalidArgument('invalid station', violations);
      if (await findStation(deps.db, request.id)) throw ApiErrors.alreadyExists('station', request.id);
      await upsertStation(deps.db, {
        id: request.id,
        securityProfile: request.securityProfile as 0 | 1 | 2 | 3,
        bootPolicy: bootPolicy ?? null,
        ...(request.password !== undefined ? { password: request.password } : {}),
      });
      return { station: toStation((await findStation(deps.db, request.id))!) };
    },

    async getStation(request) {
      requireId(request.id, 'id');
      return { station: toStation(await existing(deps.db, request.id)) };
    },

    async updateStation(request) {
      const violations = [...idViolations(request.id, 'id'), ...passwordViolations(request.password)];
      if (request.securityProfile !== undefined)
        violations.push(...profileViolations(request.securityProfile));
      const bootPolicy = request.bootPolicy === undefined ? undefined : fromBootPolicy(request.bootPolicy);
      if (request.bootPolicy !== undefined && bootPolicy === undefined)
        violations.push({ field: 'boot_policy', description: 'unknown value' });
      if (violations.length > 0) throw ApiErrors.invalidArgument('invalid station update', violations);
      const current = await existing(deps.db, request.id);
      await upsertStation(deps.db, {
        id: request.id,
        securityProfile: (request.securityProfile ?? current.security_profile) as 0 | 1 | 2 | 3,
        ...(bootPolicy !== undefined ? { bootPolicy } : {}),
        ...(request.password !== undefined ? { password: request.password } : {}),
      });
      return { station: toStation(await existing(deps.db, request.id)) };
    },

    async deleteStation(request) {
      requireId(request.id, 'id');
      if (!(await deleteStation(deps.db, request.id))) throw ApiErrors.notFound('station', request.id);
      // A deleted station must not stay connected (the edge refuses it at its next upgrade).
      const evict: EvictRequest = { stationId: request.id, reason: 'station deleted' };
      await deps.bus.publish(Subjects.evict(request.id), evict);
      deps.logger.info({ stationId: request.id }, 'station deleted through the API');
      return {};
    },

    async listStations(request) {
      const limit = pageSizeOf(request.pageSize);
      const afterId = decodePageToken(request.pageToken);
      const rows = await listStations(deps.db, {
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
    },

    async call(request, context) {
      const violations = idViolations(request.stationId, 'station_id');
      if (!ACTION_PATTERN.test(request.action))
        violations.push({ field: 'action', description: 'an OCPP action name, e.g. "Reset"' });
      if (violations.length > 0) throw ApiErrors.invalidArgument('invalid call', violations);
      const options = callOptionsOf(request.options);
      const outcome = await abortable(
        deps.stations.call(request.stationId, request.action, request.payload ?? {}, options),
        context.signal,
      );
      const answer = answerOf(request.stationId, request.action, outcome);
      return answer.kind === 'result'
        ? { payload: answer.payload }
        : { queued: { id: answer.id, expireTime: answer.expireTime } };
    },

    async getQueuedCall(request) {
      if (!/^[0-9]{1,19}$/.test(request.id))
        throw ApiErrors.invalidArgument('invalid queued call id', [
          { field: 'id', description: 'the id returned in CallResponse.queued' },
        ]);
      const row = await findQueuedCommand(deps.db, request.id);
      if (!row) throw ApiErrors.notFound('queued call', request.id);
      return queuedCallView(row);
    },

    async *streamStationEvents(request, context) {
      const violations: FieldViolation[] = [];
      request.stationIds.forEach((id, i) => violations.push(...idViolations(id, `station_ids[${i}]`)));
      request.types.forEach((type, i) => {
        if (!EVENT_TYPE_PATTERN.test(type))
          violations.push({ field: `types[${i}]`, description: 'an event type such as "booted"' });
      });
      if (violations.length > 0) throw ApiErrors.invalidArgument('invalid event filter', violations);
      for await (const event of apiStationEvents(
        deps.bus,
        { stationIds: request.stationIds, types: request.types },
        context.signal,
      ))
        yield { event };
    },
  };
  return apiService('csms.station.v1.StationService', stationV1.StationServiceDefinition, impl);
}

function idViolations(id: string, field: string): FieldViolation[] {
  const problem = stationIdProblem(id);
  return problem ? [{ field, description: `station id ${problem}` }] : [];
}

function requireId(id: string, field: string): void {
  const violations = idViolations(id, field);
  if (violations.length > 0) throw ApiErrors.invalidArgument('invalid station id', violations);
}

function profileViolations(profile: number): FieldViolation[] {
  return Number.isInteger(profile) && profile >= 0 && profile <= 3
    ? []
    : [{ field: 'security_profile', description: 'must be 0, 1, 2 or 3' }];
}

function passwordViolations(password: string | undefined): FieldViolation[] {
  if (password === undefined) return [];
  return password.length >= PASSWORD_LENGTH.min && password.length <= PASSWORD_LENGTH.max
    ? []
    : [
        {
          field: 'password',
          description: `must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters (A00.FR.205)`,
        },
      ];
}

async function existing(db: Kysely<Database>, id: string) {
  const row = await findStation(db, id);
  if (!row) throw ApiErrors.notFound('station', id);
  return row;
}

function queuedCallView(row: QueuedCommandRow): stationV1.GetQueuedCallResponse {
  return {
    id: row.id,
    stationId: row.station_id,
    action: row.action,
    state: row.status,
    createTime: row.created_at,
    expireTime: row.expires_at,
    outcome: (row.outcome as Record<string, unknown> | null) ?? undefined,
  };
}
