import { MemoryBus, StationApi, Subjects, type CommandOutcome, type StationCommand } from '@csms/bus';
import { migrateToLatest, openDatabase, recordBoot, upsertStation, type DatabaseHandle } from '@csms/db';
import {
  connectApi,
  smartChargingV1 as api,
  startApiServer,
  Status,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmartChargingService, type SmartChargingApiService } from './smart-charging-service.js';
import { rejection } from '../../../test/support/grpc-rejection.js';

const {
  ChargingProfilePurpose: P,
  ChargingProfileKind: K,
  ChargingRateUnit: U,
  RecurrencyKind: R,
  ChargingProfileStatus: S,
  ClearChargingProfileStatus: C,
} = api;

let handle: DatabaseHandle;
let bus: MemoryBus;
let server: ApiServer;
let service: SmartChargingApiService;
let connection: ApiConnection;
let client: ApiClient<typeof api.SmartChargingServiceDefinition>;

/**
 * What the station actors on the bus answer: the real MemoryBus carries the commands, and this table
 * stands in for the actors (the end-to-end test in test/api drives real stations through real actors).
 */
const answers = new Map<string, (command: StationCommand) => CommandOutcome | Promise<CommandOutcome>>();
const received: { stationId: string; command: StationCommand }[] = [];

async function station(id: string, version: 'ocpp1.6' | 'ocpp2.0.1' | null): Promise<string> {
  await upsertStation(handle.db, { id, securityProfile: 0 });
  if (version)
    await recordBoot(
      handle.db,
      id,
      { ocppVersion: version, vendor: 'V', model: 'M' },
      'Accepted',
      new Date(),
    );
  await bus.subscribe<StationCommand, CommandOutcome>(Subjects.command(id), async ({ data }) => {
    received.push({ stationId: id, command: data });
    const answer = answers.get(`${id}/${data.action}`);
    return answer ? answer(data) : { status: 'offline' };
  });
  return id;
}

function answer(stationId: string, action: string, payload: Record<string, unknown>) {
  answers.set(`${stationId}/${action}`, () => ({ status: 'result', payload }));
}

beforeAll(async () => {
  handle = await openDatabase({ kind: 'pglite-memory' });
  await migrateToLatest(handle.db);
  const logger = createLogger({ service: 'smart-charging-test', level: 'silent' });
  bus = new MemoryBus();
  const stations = new StationApi(bus, { queueWaitMs: 200, timeoutMs: 2_000 });
  service = createSmartChargingService({ db: handle.db, stations, bus, logger });
  await service.ready;
  server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [service]);
  connection = connectApi({ address: `127.0.0.1:${server.port}` });
  client = connection.client(api.SmartChargingServiceDefinition);
});
afterAll(async () => {
  connection.close();
  await server.stop();
  await service.close();
  await bus.close();
  await handle.close();
});
beforeEach(() => {
  received.length = 0;
});

const fields = (r: { violations: readonly { field: string }[] }) => r.violations.map((v) => v.field).sort();

function txDefault(
  id: number,
  stackLevel: number,
  overrides: Partial<api.ChargingProfile> = {},
): api.ChargingProfile {
  return {
    id,
    stackLevel,
    purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
    kind: K.CHARGING_PROFILE_KIND_ABSOLUTE,
    recurrencyKind: R.RECURRENCY_KIND_UNSPECIFIED,
    validFrom: undefined,
    validTo: undefined,
    schedules: [
      {
        startSchedule: new Date('2030-01-01T00:00:00.000Z'),
        chargingRateUnit: U.CHARGING_RATE_UNIT_A,
        periods: [{ startPeriod: 0, limit: 16 }],
      },
    ],
    ...overrides,
  };
}

describe('request checks', () => {
  it('answers NOT_FOUND for an unknown station and INVALID_ARGUMENT without a station id or profile', async () => {
    const unknown = await rejection(
      client.setChargingProfile({ stationId: 'NOPE', evseId: 1, profile: txDefault(1, 0) }),
    );
    expect(unknown.code).toBe(Status.NOT_FOUND);
    expect((await rejection(client.getChargingProfiles({ stationId: 'NOPE' }))).code).toBe(Status.NOT_FOUND);
    const noId = await rejection(client.clearChargingProfile({ stationId: '', profileId: 1 }));
    expect([noId.code, fields(noId)]).toEqual([Status.INVALID_ARGUMENT, ['station_id']]);
    const id = await station('SVC-NOPROFILE', 'ocpp1.6');
    const noProfile = await rejection(client.setChargingProfile({ stationId: id, evseId: 1 }));
    expect([noProfile.code, fields(noProfile)]).toEqual([Status.INVALID_ARGUMENT, ['profile']]);
  });

  it('answers FAILED_PRECONDITION OCPP_VERSION_UNKNOWN for a station that never booted', async () => {
    const id = await station('SVC-NEVER-BOOTED', null);
    const error = await rejection(
      client.getCompositeSchedule({ stationId: id, evseId: 0, durationSeconds: 60 }),
    );
    expect([error.code, error.reason]).toEqual([Status.FAILED_PRECONDITION, 'OCPP_VERSION_UNKNOWN']);
  });

  it("rejects fields the station's version cannot carry, with field violations, before calling it", async () => {
    const v16 = await station('SVC-V16-FIELDS', 'ocpp1.6');
    const v201 = await station('SVC-V201-FIELDS', 'ocpp2.0.1');
    const twoSchedules = txDefault(1, 0);
    twoSchedules.schedules.push({ ...twoSchedules.schedules[0]!, id: 2 });
    const e16 = await rejection(
      client.setChargingProfile({ stationId: v16, evseId: 1, profile: twoSchedules }),
    );
    expect([e16.code, fields(e16)]).toEqual([Status.INVALID_ARGUMENT, ['profile.schedules']]);
    // K01.FR.03: a TxProfile without transaction id is refused by the CSMS.
    const e201 = await rejection(
      client.setChargingProfile({
        stationId: v201,
        evseId: 1,
        profile: txDefault(1, 0, { purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE }),
      }),
    );
    expect([e201.code, fields(e201)]).toEqual([Status.INVALID_ARGUMENT, ['profile.transaction_id']]);
    // A timestamp far beyond what OCPP's RFC 3339 dates can carry arrives over gRPC and is refused.
    const farFuture = await rejection(
      client.setChargingProfile({
        stationId: v201,
        evseId: 1,
        profile: txDefault(1, 0, { validTo: new Date(8.64e15) }),
      }),
    );
    expect(farFuture.violations).toEqual([
      { field: 'profile.valid_to', description: 'not a valid timestamp' },
    ]);
    expect(received).toEqual([]);
  });

  it('checks clear and composite schedule requests (K10.FR.02, K10.FR.06)', async () => {
    const v201 = await station('SVC-V201-CLEAR', 'ocpp2.0.1');
    const nothing = await rejection(client.clearChargingProfile({ stationId: v201 }));
    expect([nothing.code, fields(nothing)]).toEqual([Status.INVALID_ARGUMENT, ['profile_id']]);
    const both = await rejection(
      client.clearChargingProfile({ stationId: v201, profileId: 3, stackLevel: 1 }),
    );
    expect(fields(both)).toEqual(['profile_id']);
    const external = await rejection(
      client.clearChargingProfile({
        stationId: v201,
        purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_EXTERNAL_CONSTRAINTS,
      }),
    );
    expect(fields(external)).toEqual(['purpose']);
    const unknownPurpose = await rejection(
      client.clearChargingProfile({ stationId: v201, purpose: 17 as api.ChargingProfilePurpose }),
    );
    expect(unknownPurpose.violations).toEqual([{ field: 'purpose', description: 'unknown value' }]);
    const composite = await rejection(
      client.getCompositeSchedule({ stationId: v201, evseId: -1, durationSeconds: 0 }),
    );
    expect(fields(composite)).toEqual(['duration_seconds', 'evse_id']);
    expect(received).toEqual([]);
  });

  it('checks the GetChargingProfiles criteria (K09.FR.03) and ListExternalChargingLimits', async () => {
    const v201 = await station('SVC-V201-CRITERIA', 'ocpp2.0.1');
    const { CHARGING_LIMIT_SOURCE_EMS: EMS, CHARGING_LIMIT_SOURCE_UNSPECIFIED: NONE } =
      api.ChargingLimitSource;
    const idsAndSource = await rejection(
      client.getChargingProfiles({ stationId: v201, chargingProfileIds: [1], chargingLimitSources: [EMS] }),
    );
    expect(idsAndSource.violations).toEqual([
      {
        field: 'charging_profile_ids',
        description: 'not with purpose, stack_level or charging_limit_sources (K09.FR.03)',
      },
    ]);
    const sources = await rejection(
      client.getChargingProfiles({ stationId: v201, chargingLimitSources: [EMS, NONE] }),
    );
    expect(fields(sources)).toEqual(['charging_limit_sources']);
    const twice = await rejection(
      client.getChargingProfiles({ stationId: v201, chargingLimitSources: [EMS, EMS] }),
    );
    expect(twice.violations).toEqual([
      { field: 'charging_limit_sources', description: 'each source at most once' },
    ]);
    const negative = await rejection(client.listExternalChargingLimits({ stationId: v201, evseId: -1 }));
    expect([negative.code, fields(negative)]).toEqual([Status.INVALID_ARGUMENT, ['evse_id']]);
    const unknown = await rejection(client.listExternalChargingLimits({ stationId: 'SVC-NO-SUCH' }));
    expect(unknown.code).toBe(Status.NOT_FOUND);
    expect(await client.listExternalChargingLimits({ stationId: v201 })).toEqual({ limits: [] });
    expect(received).toEqual([]);
  });
});

describe('stored profiles', () => {
  it('stores what an OCPP 1.6 station accepts; same stack level and purpose on the connector replaces (1.6 §5.16.4)', async () => {
    const id = await station('SVC-V16-STORE', 'ocpp1.6');
    answer(id, 'SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({ stationId: id, evseId: 1, profile: txDefault(1, 0) });
    await client.setChargingProfile({ stationId: id, evseId: 2, profile: txDefault(2, 0) });
    await client.setChargingProfile({ stationId: id, evseId: 1, profile: txDefault(3, 0) });
    const listed = await client.getChargingProfiles({ stationId: id });
    expect(listed.profiles.map((p) => [p.evseId, p.profile?.id, p.ocppVersion])).toEqual([
      [2, 2, 'ocpp1.6'],
      [1, 3, 'ocpp1.6'],
    ]);
    expect(listed.profiles[1]!.profile).toEqual(txDefault(3, 0));
    answer(id, 'SetChargingProfile', { status: 'Rejected' });
    const rejected = await client.setChargingProfile({ stationId: id, evseId: 1, profile: txDefault(4, 1) });
    expect(rejected.status).toBe(S.CHARGING_PROFILE_STATUS_REJECTED);
    expect((await client.getChargingProfiles({ stationId: id })).profiles).toHaveLength(2);
  });

  it('refuses a 2.0.1 profile that would overlap another with the same stack level, purpose and EVSE (K01.FR.06)', async () => {
    const id = await station('SVC-V201-CONFLICT', 'ocpp2.0.1');
    answer(id, 'SetChargingProfile', { status: 'Accepted' });
    const january = {
      validFrom: new Date('2030-01-01T00:00:00Z'),
      validTo: new Date('2030-02-01T00:00:00Z'),
    };
    await client.setChargingProfile({ stationId: id, evseId: 1, profile: txDefault(1, 0, january) });
    const conflict = await rejection(
      client.setChargingProfile({
        stationId: id,
        evseId: 1,
        profile: txDefault(2, 0, { validFrom: new Date('2030-01-15T00:00:00Z') }),
      }),
    );
    expect([conflict.code, conflict.reason, conflict.metadata.conflictingProfileId]).toEqual([
      Status.FAILED_PRECONDITION,
      'PROFILE_CONFLICT',
      '1',
    ]);
    // Validity periods that do not overlap, another EVSE, or the same id (a replacement) are fine.
    const february = {
      validFrom: new Date('2030-02-01T00:00:00Z'),
      validTo: new Date('2030-03-01T00:00:00Z'),
    };
    await client.setChargingProfile({ stationId: id, evseId: 1, profile: txDefault(2, 0, february) });
    await client.setChargingProfile({ stationId: id, evseId: 2, profile: txDefault(3, 0) });
    // The same id replaces (K01.FR.05), but only if it does not overlap another profile then.
    const unbounded = await rejection(
      client.setChargingProfile({
        stationId: id,
        evseId: 1,
        profile: txDefault(1, 0, { validFrom: january.validFrom }),
      }),
    );
    expect([unbounded.reason, unbounded.metadata.conflictingProfileId]).toEqual(['PROFILE_CONFLICT', '2']);
    const tighter = txDefault(1, 0, { ...january, validFrom: new Date('2030-01-10T00:00:00Z') });
    const replaced = await client.setChargingProfile({ stationId: id, evseId: 1, profile: tighter });
    expect(replaced.status).toBe(S.CHARGING_PROFILE_STATUS_ACCEPTED);
    const stored = await client.getChargingProfiles({ stationId: id, evseId: 1 });
    expect(stored.profiles.map((p) => [p.profile?.id, p.profile?.validFrom])).toEqual([
      [1, tighter.validFrom],
      [2, february.validFrom],
    ]);
  });

  it('filters and pages the stored profiles', async () => {
    const id = await station('SVC-V201-PAGES', 'ocpp2.0.1');
    answer(id, 'SetChargingProfile', { status: 'Accepted' });
    for (let n = 1; n <= 5; n += 1)
      await client.setChargingProfile({ stationId: id, evseId: n % 2, profile: txDefault(n, n) });
    const page1 = await client.getChargingProfiles({ stationId: id, pageSize: 2 });
    const page2 = await client.getChargingProfiles({
      stationId: id,
      pageSize: 2,
      pageToken: page1.nextPageToken,
    });
    const page3 = await client.getChargingProfiles({
      stationId: id,
      pageSize: 2,
      pageToken: page2.nextPageToken,
    });
    expect([page1, page2, page3].map((p) => p.profiles.map((x) => x.profile?.id))).toEqual([
      [1, 2],
      [3, 4],
      [5],
    ]);
    expect(page3.nextPageToken).toBe('');
    const evse1 = await client.getChargingProfiles({ stationId: id, evseId: 1, stackLevel: 3 });
    expect(evse1.profiles.map((p) => p.profile?.id)).toEqual([3]);
    const maxProfiles = await client.getChargingProfiles({
      stationId: id,
      purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE,
    });
    expect(maxProfiles.profiles).toEqual([]);
    const badToken = await rejection(client.getChargingProfiles({ stationId: id, pageToken: 'nonsense!' }));
    expect([badToken.code, fields(badToken)]).toEqual([Status.INVALID_ARGUMENT, ['page_token']]);
    const tooBig = await rejection(client.getChargingProfiles({ stationId: id, pageSize: 1001 }));
    expect(fields(tooBig)).toEqual(['page_size']);
  });

  it('clears every profile of an OCPP 1.6 station with an empty request (TC_067_CSMS step 7)', async () => {
    const id = await station('SVC-V16-CLEAR-ALL', 'ocpp1.6');
    answer(id, 'SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({ stationId: id, evseId: 1, profile: txDefault(1, 0) });
    await client.setChargingProfile({ stationId: id, evseId: 0, profile: txDefault(2, 1) });
    answer(id, 'ClearChargingProfile', { status: 'Accepted' });
    const cleared = await client.clearChargingProfile({ stationId: id });
    expect(cleared.status).toBe(C.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(received.at(-1)?.command.payload).toEqual({});
    expect((await client.getChargingProfiles({ stationId: id })).profiles).toEqual([]);
  });

  it('stores a profile the station accepts after the client gave up waiting', async () => {
    const id = await station('SVC-V201-LATE', 'ocpp2.0.1');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    answers.set(`${id}/SetChargingProfile`, async () => {
      await released;
      return { status: 'result', payload: { status: 'Accepted' } };
    });
    const controller = new AbortController();
    const call = client.setChargingProfile(
      { stationId: id, evseId: 1, profile: txDefault(9, 0) },
      { signal: controller.signal },
    );
    await expect.poll(() => received.length).toBe(1);
    controller.abort();
    await expect(call).rejects.toThrow();
    release();
    await expect
      .poll(async () =>
        (await client.getChargingProfiles({ stationId: id })).profiles.map((p) => p.profile?.id),
      )
      .toEqual([9]);
  });
});
