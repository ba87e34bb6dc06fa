/**
 * csmsctl's domain commands (tokens, stations password, local-list, transactions, firmware, charging,
 * ocpp16/ocpp201) run in-process against a whole embedded CSMS that serves every gRPC service, with real
 * OCPP 1.6 and 2.0.1 stations (ocpp-rpc in strict mode, so every CALL the CLI causes is schema-checked by
 * the station). Each group: a happy path as a table and as --json, an API error (exit 1 with the field)
 * and a usage error (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/scenario.js';
import { cp, cs, ctl, json, ok, record, rows, useCsmsctlDomain } from '../support/csmsctl-domain.js';

useCsmsctlDomain();

describe('csmsctl firmware (FirmwareService)', () => {
  it('runs a firmware update and a log upload campaign and shows their progress', async () => {
    cp.respond('UpdateFirmware', {});
    const started = record(
      ok(
        await ctl(
          'firmware',
          'update',
          'https://firmware.example.com/fw-2.0.bin',
          '--station',
          cp.id,
          '--station',
          'CTL-NOBODY',
          '--retrieve-time',
          '2030-05-01T00:00:00Z',
        ),
      ),
    );
    expect(started).toMatchObject({
      kind: 'FirmwareUpdate',
      state: 'Running',
      stations: '2',
      location: 'https://firmware.example.com/fw-2.0.bin',
      'retrieve time': '2030-05-01T00:00:00.000Z',
    });
    const id = started.id!;
    await eventually(() => cp.requests('UpdateFirmware').length === 1);
    expect(cp.requests('UpdateFirmware')[0]).toMatchObject({
      location: 'https://firmware.example.com/fw-2.0.bin',
      retrieveDate: '2030-05-01T00:00:00.000Z',
    });
    await cp.call('FirmwareStatusNotification', { status: 'Downloading' });
    const progress = await eventually(async () => {
      const r = record(ok(await ctl('firmware', 'campaigns', 'get', id)));
      return r.Accepted === '1' && r.Failed === '1' ? r : undefined;
    });
    expect(progress).toMatchObject({ done: '1', state: 'Running' });

    const stations = rows(ok(await ctl('firmware', 'campaigns', 'stations', id)));
    expect(stations[0]).toEqual([
      'station',
      'status',
      'reason',
      'action',
      'request id',
      'notification',
      'notified',
      'sent',
    ]);
    expect(stations.slice(1).map((r) => r.slice(0, 6))).toEqual(
      await eventually(async () => {
        const now = rows(ok(await ctl('firmware', 'campaigns', 'stations', id)))
          .slice(1)
          .map((r) => r.slice(0, 6));
        return now[0]?.[5] === 'Downloading' ? now : undefined;
      }),
    );
    const failed = json<{ stations: { stationId: string; status: string; reason: string }[] }>(
      await ctl('--json', 'firmware', 'campaigns', 'stations', id, '--status', 'failed'),
    );
    expect(failed.stations).toEqual([
      expect.objectContaining({ stationId: 'CTL-NOBODY', status: 'STATION_STATUS_FAILED' }),
    ]);

    cs.respond('GetLog', { status: 'Accepted', filename: 'security.log' });
    const logs = json<{ id: string; kind: string; logUpload: { logType: string } }>(
      await ctl(
        '--json',
        'firmware',
        'logs',
        'ftp://logs.example.com/up/',
        '--station',
        cs.id,
        '--type',
        'security',
      ),
    );
    expect(logs).toMatchObject({
      kind: 'CAMPAIGN_KIND_LOG_UPLOAD',
      logUpload: { logType: 'LOG_TYPE_SECURITY' },
    });
    await eventually(() => cs.requests('GetLog').length === 1);
    expect(cs.requests('GetLog')[0]).toMatchObject({
      logType: 'SecurityLog',
      log: { remoteLocation: 'ftp://logs.example.com/up/' },
    });

    const list = rows(ok(await ctl('firmware', 'campaigns', 'list', '--kind', 'log-upload')));
    expect(list[0]).toEqual(['id', 'kind', 'state', 'stations', 'done', 'progress', 'created']);
    expect(list.slice(1).map((r) => r.slice(0, 4))).toContainEqual([logs.id, 'LogUpload', 'Running', '1']);
    const canceled = json<{ state: string }>(await ctl('--json', 'firmware', 'campaigns', 'cancel', id));
    expect(canceled.state).toBe('CAMPAIGN_STATE_CANCELED');
  });

  it('explains errors', async () => {
    const badUri = await ctl('firmware', 'update', 'not a uri', '--station', cp.id);
    expect(badUri.code).toBe(1);
    expect(badUri.stderr).toMatch(/INVALID_ARGUMENT[^]*\n {2}firmware\.location: /);
    const noStation = await ctl('firmware', 'update', 'https://x.example.com/fw.bin');
    expect(noStation).toMatchObject({ code: 2, stdout: '' });
    expect(noStation.stderr).toMatch(/at least one --station/);
    const unsigned = await ctl(
      'firmware',
      'update',
      'https://x.example.com/fw.bin',
      '--station',
      cp.id,
      '--signature',
      'c2ln',
    );
    expect(unsigned.code).toBe(2);
    expect((await ctl('firmware', 'campaigns', 'get', 'no-such-campaign')).code).toBe(1);
  });
});

describe('csmsctl charging (SmartChargingService)', () => {
  const profile = {
    id: 7,
    stackLevel: 1,
    purpose: 'CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE',
    kind: 'CHARGING_PROFILE_KIND_ABSOLUTE',
    schedules: [
      {
        startSchedule: '2030-06-01T00:00:00Z',
        chargingRateUnit: 'CHARGING_RATE_UNIT_A',
        periods: [
          { startPeriod: 0, limit: 16 },
          { startPeriod: 3600, limit: 10.5 },
        ],
      },
    ],
  };

  it('sets, lists, reads the composite schedule and clears a 2.0.1 profile', async () => {
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    expect(ok(await ctl('charging', 'set', cs.id, '--evse', '1', JSON.stringify(profile)))).toBe(
      'Accepted\n',
    );
    expect(cs.requests('SetChargingProfile').at(-1)).toMatchObject({
      evseId: 1,
      chargingProfile: {
        id: 7,
        stackLevel: 1,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [
          {
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [
              { startPeriod: 0, limit: 16 },
              { startPeriod: 3600, limit: 10.5 },
            ],
          },
        ],
      },
    });

    const table = rows(ok(await ctl('charging', 'get', cs.id)));
    expect(table[0]).toEqual([
      'id',
      'evse',
      'stack',
      'purpose',
      'kind',
      'valid from',
      'valid to',
      'transaction',
      'periods',
      'set',
    ]);
    expect(table[1]!.slice(0, 9)).toEqual([
      '7',
      '1',
      '1',
      'TxDefaultProfile',
      'Absolute',
      '-',
      '-',
      '-',
      '0s 16A, 3600s 10.5A',
    ]);
    const listed = json<{ profiles: { evseId: number; profile: unknown }[] }>(
      await ctl('--json', 'charging', 'get', cs.id, '--purpose', 'tx-default-profile'),
    );
    expect(listed.profiles).toEqual([
      expect.objectContaining({
        evseId: 1,
        profile: {
          ...profile,
          schedules: [expect.objectContaining({ chargingRateUnit: 'CHARGING_RATE_UNIT_A' })],
        },
      }),
    ]);

    cs.respond('GetCompositeSchedule', {
      status: 'Accepted',
      schedule: {
        evseId: 1,
        duration: 3600,
        scheduleStart: '2030-06-01T00:00:00.000Z',
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }],
      },
    });
    const composite = ok(
      await ctl('charging', 'composite', cs.id, '--evse', '1', '--duration', '3600', '--unit', 'A'),
    );
    expect(record(composite)).toMatchObject({
      status: 'Accepted',
      evse: '1',
      'duration (s)': '3600',
      unit: 'A',
    });
    expect(rows(composite.slice(composite.indexOf('┌', 1)))).toEqual([
      ['start (s)', 'limit', 'phases', 'phase to use'],
      ['0', '16', '3', '-'],
    ]);
    expect(cs.requests('GetCompositeSchedule').at(-1)).toEqual({
      evseId: 1,
      duration: 3600,
      chargingRateUnit: 'A',
    });

    cs.respond('ClearChargingProfile', { status: 'Accepted' });
    expect(json(await ctl('--json', 'charging', 'clear', cs.id, '--id', '7'))).toEqual({
      status: 'CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED',
    });
    expect(rows(ok(await ctl('charging', 'get', cs.id)))).toHaveLength(1);
  });

  it('reports profile typos as usage errors and rule violations with the field', async () => {
    const typo = await ctl(
      'charging',
      'set',
      cs.id,
      '--evse',
      '1',
      JSON.stringify({
        ...profile,
        stacklevel: 2,
        purpose: 'TxDefault',
        schedules: [{ periods: [{ startPeriod: 1.5 }] }],
      }),
    );
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toMatch(/profile is not valid proto3 JSON/);
    expect(typo.stderr).toMatch(/\n {2}stacklevel: unknown field/);
    expect(typo.stderr).toMatch(/\n {2}purpose: unknown enum value "TxDefault"/);
    expect(typo.stderr).toMatch(/\n {2}schedules\[0\]\.periods\[0\]\.startPeriod: must be an integer/);

    const noTx = await ctl(
      'charging',
      'set',
      cs.id,
      '--evse',
      '1',
      JSON.stringify({ ...profile, purpose: 'CHARGING_PROFILE_PURPOSE_TX_PROFILE' }),
    );
    expect(noTx.code).toBe(1);
    expect(noTx.stderr).toMatch(/INVALID_ARGUMENT[^]*\n {2}profile\.transaction_id: /);
    const noEvse = await ctl('charging', 'set', cs.id, JSON.stringify(profile));
    expect(noEvse.code).toBe(2);
    expect(noEvse.stderr).toMatch(/required option '--evse <n>' not specified/);
  });

  it('charging report: the profiles the 2.0.1 station reports, marked against the CSMS’s, and its 1.6 refusal', async () => {
    cs.respond('GetChargingProfiles', { status: 'Accepted' });
    const asked = cs.requests('GetChargingProfiles').length;
    const running = ctl('charging', 'report', cs.id, '--evse', '0', '--wait', '20');
    const request = await eventually(() => cs.requests('GetChargingProfiles')[asked]);
    expect(request.evseId).toBe(0);
    await cs.call('ReportChargingProfiles', {
      requestId: request.requestId,
      chargingLimitSource: 'EMS',
      evseId: 0,
      tbc: false,
      chargingProfile: [
        {
          id: 4242,
          stackLevel: 0,
          chargingProfilePurpose: 'ChargingStationExternalConstraints',
          chargingProfileKind: 'Absolute',
          chargingSchedule: [
            {
              id: 1,
              startSchedule: '2030-06-01T00:00:00.000Z',
              chargingRateUnit: 'W',
              chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }],
            },
          ],
        },
      ],
    });
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^request ${request.requestId}: Accepted`));
    expect(rows(run.stdout)).toEqual([
      ['id', 'evse', 'source', 'stack', 'purpose', 'reconciliation', 'periods'],
      ['4242', '0', 'EMS', '0', 'ChargingStationExternalConstraints', 'NotInstalledByCsms', '0s 11000W'],
    ]);
    const old = await ctl('charging', 'report', cp.id);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/OCPP_VERSION_UNSUPPORTED|1\.6/);
  });

  it('charging site-set / sites / site-delete: a site as a record, a table and JSON; API and usage errors', async () => {
    const set = record(
      ok(await ctl('charging', 'site-set', 'CTL-SITE', '--max-power', '44000', '--station', cs.id)),
    );
    expect(set).toMatchObject({ site: 'CTL-SITE', 'max power (W)': '44000', stations: cs.id });
    expect(rows(ok(await ctl('charging', 'sites', 'CTL-SITE')))).toEqual([
      ['site', 'max power (W)', 'stations', 'updated'],
      ['CTL-SITE', '44000', cs.id, set.updated!],
    ]);
    expect(json<{ sites: unknown[] }>(await ctl('--json', 'charging', 'sites', 'CTL-SITE')).sites).toEqual([
      { siteId: 'CTL-SITE', maxPowerW: 44000, stationIds: [cs.id], updateTime: set.updated },
    ]);
    const unknown = await ctl(
      'charging',
      'site-set',
      'CTL-SITE',
      '--max-power',
      '1000',
      '--station',
      'CTL-NOBODY',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND[^]*CTL-NOBODY/);
    const badPower = await ctl('charging', 'site-set', 'CTL-SITE', '--max-power', '-5');
    expect(badPower.code).toBe(2);
    expect(badPower.stderr).toMatch(/--max-power must be a number of watts > 0/);
    expect(ok(await ctl('charging', 'site-delete', 'CTL-SITE'))).toBe('deleted site CTL-SITE\n');
    const gone = await ctl('charging', 'site-delete', 'CTL-SITE');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/NOT_FOUND/);
  });
});
