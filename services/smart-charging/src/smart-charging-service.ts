import type { StationApi } from '@csms/bus';
import { findStation, type ChargingProfileRow, type Database, type Kysely } from '@csms/db';
import {
  ApiErrors,
  apiService,
  resultOf,
  smartChargingV1 as api,
  type ApiService,
  type FieldViolation,
  type ServiceImplementation,
  abortable,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  INT32_KEY,
} from '@csms/grpc';
import type { V16, V201 } from '@csms/ocpp';
import type { Logger } from '@csms/telemetry';
import { toClearChargingProfile } from './clear-request.js';
import {
  fromV16CompositeSchedule,
  fromV201CompositeSchedule,
  statusInfoOf,
  toGetCompositeSchedule,
} from './composite-schedule.js';
import { ocpp } from './ocpp-enums.js';
import type { Conversion } from './profile-rules.js';
import {
  deleteStoredProfiles,
  findConflictingProfile,
  listStoredProfiles,
  saveAcceptedProfile,
} from './profile-store.js';
import { fromV16Profile, toV16SetChargingProfile, type V16ChargingProfile } from './profile-v16.js';
import { fromV201Profile, toV201SetChargingProfile } from './profile-v201.js';
import { requireStationId, stationVersion } from './station-version.js';
import { Violations } from './violations.js';

export interface SmartChargingServiceDeps {
  readonly db: Kysely<Database>;
  readonly stations: StationApi;
  readonly logger: Logger;
}

const SERVICE_NAME = 'csms.smart_charging.v1.SmartChargingService';

/**
 * `csms.smart_charging.v1.SmartChargingService`: sets, lists and clears the charging profiles of
 * stations (OCPP 1.6 Smart Charging, OCPP 2.0.1 K01/K10) and asks them for their composite schedule
 * (K08). Profiles are stored once the station accepted them and deleted once it accepted a clear.
 */
export function createSmartChargingService(deps: SmartChargingServiceDeps): ApiService {
  const { db, stations, logger } = deps;

  /** Sends a CALL; the station's CALLRESULT payload, or the API error of how the call ended. */
  async function call<R>(stationId: string, action: string, payload: object): Promise<R> {
    const outcome = await stations.call(stationId, action, payload as Record<string, unknown>);
    return resultOf(stationId, action, outcome) as R;
  }

  const impl: ServiceImplementation<typeof api.SmartChargingServiceDefinition> = {
    async setChargingProfile(request, context) {
      requireStationId(request.stationId);
      const profile = request.profile;
      if (!profile)
        throw ApiErrors.invalidArgument('profile is required', [
          { field: 'profile', description: 'required' },
        ]);
      const version = await stationVersion(db, request.stationId);
      const conversion: Conversion<V16.SetChargingProfileRequest | V201.SetChargingProfileRequest> =
        version === 'ocpp1.6'
          ? toV16SetChargingProfile(request.evseId, profile)
          : toV201SetChargingProfile(request.evseId, profile);
      if (!conversion.ok) throw invalid('charging profile', conversion.violations);
      const stored = {
        stationId: request.stationId,
        evseId: request.evseId,
        profileId: profile.id,
        purpose: ocpp.purpose(profile.purpose)!,
        stackLevel: profile.stackLevel,
        // As the transactions table keeps it (1.6: the integer in decimal, no leading zeros), so the profile
        // is found and deleted when its transaction ends (K02.FR.05).
        transactionId:
          profile.transactionId === undefined || profile.transactionId === ''
            ? undefined
            : version === 'ocpp1.6'
              ? String(Number(profile.transactionId))
              : profile.transactionId,
        validFrom: profile.validFrom,
        validTo: profile.validTo,
      };
      if (version === 'ocpp2.0.1') {
        // K01.FR.06 / K01.FR.39: the CSMS must not send a profile that would be valid at the same time
        // as another one at the same stack level for the same purpose and EVSE (or transaction).
        const conflict = await findConflictingProfile(db, stored);
        if (conflict !== undefined)
          throw ApiErrors.failedPrecondition(
            'PROFILE_CONFLICT',
            `station ${request.stationId} has profile ${conflict} with the same stack level and purpose on ` +
              `the same ${stored.purpose === 'TxProfile' ? 'transaction' : 'EVSE'} with an overlapping ` +
              `validity (K01.FR.06, K01.FR.39): clear it or reuse its id`,
            { stationId: request.stationId, conflictingProfileId: String(conflict) },
          );
      }
      const work = (async (): Promise<api.SetChargingProfileResponse> => {
        const answer = await call<V16.SetChargingProfileResponse | V201.SetChargingProfileResponse>(
          request.stationId,
          'SetChargingProfile',
          conversion.value,
        );
        if (answer.status === 'Accepted') {
          const payload =
            'csChargingProfiles' in conversion.value
              ? conversion.value.csChargingProfiles
              : conversion.value.chargingProfile;
          await saveAcceptedProfile(db, { ...stored, ocppVersion: version, payload: { ...payload } }).catch(
            (error: unknown) => {
              logger.error(
                { err: error, stationId: request.stationId, profileId: profile.id },
                'storing an accepted charging profile failed',
              );
              throw error;
            },
          );
        }
        return {
          status: profileStatus(answer.status),
          statusInfo: 'statusInfo' in answer ? statusInfoOf(answer.statusInfo) : undefined,
        };
      })();
      return abortable(work, context.signal);
    },

    async getChargingProfiles(request) {
      requireStationId(request.stationId);
      const v = new Violations();
      if (request.evseId !== undefined) v.check(request.evseId >= 0, 'evse_id', 'must be >= 0');
      if (request.stackLevel !== undefined) v.check(request.stackLevel >= 0, 'stack_level', 'must be >= 0');
      const purpose = ocpp.purpose(request.purpose);
      if (
        purpose === undefined &&
        request.purpose !== api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_UNSPECIFIED
      )
        v.add('purpose', 'unknown value');
      if (!v.empty) throw invalid('filter', v.list);
      const pageSize = pageSizeOf(request.pageSize);
      const afterKey = decodePageToken(request.pageToken, INT32_KEY);
      const after = afterKey === undefined ? undefined : Number(afterKey);
      if (!(await findStation(db, request.stationId))) throw ApiErrors.notFound('station', request.stationId);
      const rows = await listStoredProfiles(
        db,
        request.stationId,
        {
          ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
          ...(purpose !== undefined ? { purpose } : {}),
          ...(request.stackLevel !== undefined ? { stackLevel: request.stackLevel } : {}),
        },
        after,
        pageSize + 1,
      );
      const page = rows.slice(0, pageSize);
      return {
        profiles: page.map(toStoredProfile),
        nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.profile_id) : '',
      };
    },

    async clearChargingProfile(request, context) {
      requireStationId(request.stationId);
      const version = await stationVersion(db, request.stationId);
      const conversion = toClearChargingProfile(version, request);
      if (!conversion.ok) throw invalid('clear request', conversion.violations);
      const work = (async (): Promise<api.ClearChargingProfileResponse> => {
        const answer = await call<V16.ClearChargingProfileResponse | V201.ClearChargingProfileResponse>(
          request.stationId,
          'ClearChargingProfile',
          conversion.value.payload,
        );
        // Only an Accepted clear removed profiles on the station (K10.FR.03, K10.FR.04); Unknown means
        // it had none matching (K10.FR.01), and the store is left as it is.
        if (answer.status === 'Accepted') {
          const deleted = await deleteStoredProfiles(db, request.stationId, conversion.value.selector);
          logger.debug({ stationId: request.stationId, deleted }, 'charging profiles cleared');
        }
        return {
          status:
            answer.status === 'Accepted'
              ? api.ClearChargingProfileStatus.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED
              : api.ClearChargingProfileStatus.CLEAR_CHARGING_PROFILE_STATUS_UNKNOWN,
          statusInfo: 'statusInfo' in answer ? statusInfoOf(answer.statusInfo) : undefined,
        };
      })();
      return abortable(work, context.signal);
    },

    async getCompositeSchedule(request, context) {
      requireStationId(request.stationId);
      const version = await stationVersion(db, request.stationId);
      const conversion = toGetCompositeSchedule(version, request);
      if (!conversion.ok) throw invalid('composite schedule request', conversion.violations);
      const send = <R>() =>
        abortable(call<R>(request.stationId, 'GetCompositeSchedule', conversion.value), context.signal);
      return version === 'ocpp1.6'
        ? fromV16CompositeSchedule(request.evseId, await send<V16.GetCompositeScheduleResponse>())
        : fromV201CompositeSchedule(await send<V201.GetCompositeScheduleResponse>());
    },
  };
  return apiService(SERVICE_NAME, api.SmartChargingServiceDefinition, impl);
}

function invalid(what: string, violations: readonly FieldViolation[]) {
  return ApiErrors.invalidArgument(
    `invalid ${what}: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
    violations,
  );
}

function profileStatus(status: string): api.ChargingProfileStatus {
  switch (status) {
    case 'Accepted':
      return api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_ACCEPTED;
    case 'NotSupported':
      return api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_NOT_SUPPORTED;
    default:
      return api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_REJECTED;
  }
}

function toStoredProfile(row: ChargingProfileRow): api.StoredChargingProfile {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    profile:
      row.ocpp_version === 'ocpp1.6'
        ? fromV16Profile(row.profile as unknown as V16ChargingProfile)
        : fromV201Profile(row.profile as unknown as V201.ChargingProfileType),
    ocppVersion: row.ocpp_version,
    updateTime: new Date(row.updated_at),
  };
}
