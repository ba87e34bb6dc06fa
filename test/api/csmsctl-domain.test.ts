/**
 * csmsctl's domain commands (tokens, stations password, local-list, transactions, firmware, charging,
 * ocpp16/ocpp201) run in-process against a whole embedded CSMS that serves every gRPC service, with real
 * OCPP 1.6 and 2.0.1 stations (ocpp-rpc in strict mode, so every CALL the CLI causes is schema-checked by
 * the station). Each group: a happy path as a table and as --json, an API error (exit 1 with the field)
 * and a usage error (exit 2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subjects } from '@csms/bus';
import { runCli } from '@csms/csmsctl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201 } from '../support/octt-states.js';
import {
  connect16,
  connect201,
  eventually,
  uniqueId,
  type Station16,
  type Station201,
} from '../support/scenario.js';

const TOKEN = 'ctl-domain-token-0123456789';

let csms: TestCsms;
let cp: Station16;
let cs: Station201;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs csmsctl in-process; `live` sees stdout while the command runs (for streams). */
async function ctl(...argv: string[]): Promise<Run> {
  return ctlLive({ stdout: '', stderr: '' }, ...argv);
}

async function ctlLive(live: { stdout: string; stderr: string }, ...argv: string[]): Promise<Run> {
  const code = await runCli(
    ['--address', csms.grpcAddress, '--token', TOKEN, ...argv],
    {
      stdout: { write: (t: string) => (live.stdout += t) },
      stderr: { write: (t: string) => (live.stderr += t) },
    },
    {},
  );
  return { code, stdout: live.stdout, stderr: live.stderr };
}

function ok(run: Run): string {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

const json = <T = Record<string, unknown>>(run: Run): T => JSON.parse(ok(run)) as T;

/** A row of a cli-table3 table: cells separated by │, trimmed. */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

/** A record table as a map of field → value. */
function record(table: string): Record<string, string> {
  return Object.fromEntries(rows(table).map(([k, v]) => [k ?? '', v ?? '']));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'csmsctl-domain-'));
  csms = await startTestCsms({ env: { CSMS_API_TOKEN: TOKEN } });
  cp = await connect16(csms, { id: uniqueId('CTL16') });
  expect((await booted16(cp)).status).toBe('Accepted');
  cs = await connect201(csms, { id: uniqueId('CTL201') });
  expect((await booted201(cs)).status).toBe('Accepted');
});

afterAll(async () => {
  await csms?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('csmsctl tokens, stations password, local-list (AuthService)', () => {
  it('creates, lists, updates, authorizes and deletes id tokens', async () => {
    const created = record(
      ok(await ctl('tokens', 'create', 'CTL-TAG-1', '--group', 'FLEET', '--expires', '2031-01-01T00:00:00Z')),
    );
    expect(created).toMatchObject({
      'id token': 'CTL-TAG-1',
      status: 'Accepted',
      expires: '2031-01-01T00:00:00.000Z',
      group: 'FLEET',
    });
    ok(await ctl('tokens', 'create', 'CTL-TAG-2', '--status', 'blocked', '--type', 'ISO14443'));

    const table = rows(ok(await ctl('tokens', 'list', '--prefix', 'CTL-TAG-')));
    expect(table[0]).toEqual(['id token', 'type', 'status', 'expires', 'group', 'updated']);
    expect(table.slice(1).map((r) => r.slice(0, 5))).toEqual([
      ['CTL-TAG-1', '-', 'Accepted', '2031-01-01T00:00:00.000Z', 'FLEET'],
      ['CTL-TAG-2', 'ISO14443', 'Blocked', '-', '-'],
    ]);
    const listed = json<{ tokens: { idToken: string; status: string }[] }>(
      await ctl('--json', 'tokens', 'list', '--prefix', 'CTL-TAG-', '--page-size', '1', '--all'),
    );
    expect(listed.tokens).toEqual([
      expect.objectContaining({ idToken: 'CTL-TAG-1', status: 'AUTHORIZATION_STATUS_ACCEPTED' }),
      expect.objectContaining({ idToken: 'CTL-TAG-2', status: 'AUTHORIZATION_STATUS_BLOCKED' }),
    ]);

    const updated = record(ok(await ctl('tokens', 'update', 'CTL-TAG-1', '--clear-expiry', '--group', '')));
    expect(updated).toMatchObject({ expires: '-', group: '-' });
    expect(record(ok(await ctl('tokens', 'authorize', 'CTL-TAG-1', '--station', cp.id)))).toMatchObject({
      status: 'Accepted',
    });
    expect(
      json(await ctl('--json', 'tokens', 'authorize', 'CTL-TAG-2', '--station', cs.id, '--type', 'ISO14443')),
    ).toEqual({ status: 'AUTHORIZATION_STATUS_BLOCKED' });
    expect(ok(await ctl('tokens', 'delete', 'CTL-TAG-2'))).toBe('deleted CTL-TAG-2\n');
    const gone = await ctl('tokens', 'get', 'CTL-TAG-2');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/NOT_FOUND/);
  });

  it('explains invalid arguments (exit 1 with the field) and bad flags (exit 2)', async () => {
    const tooLong = await ctl('tokens', 'create', 'X'.repeat(40));
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/^csmsctl: INVALID_ARGUMENT: /);
    expect(tooLong.stderr).toMatch(/\n {2}id_token: /);

    const noStation = await ctl('tokens', 'authorize', 'CTL-TAG-1');
    expect(noStation.code).toBe(1);
    expect(noStation.stderr).toMatch(/\n {2}station_id: /);

    const badStatus = await ctl('tokens', 'list', '--status', 'maybe');
    expect(badStatus).toMatchObject({ code: 2, stdout: '' });
    expect(badStatus.stderr).toMatch(/--status must be one of Accepted, Blocked, Expired, Invalid/);
    const badDate = await ctl('tokens', 'create', 'CTL-TAG-3', '--expires', 'tomorrow');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--expires must be an ISO 8601 date-time/);
  });

  it('rotates a 1.6 station password and keeps its local list in sync', async () => {
    cp.respond('ChangeConfiguration', { status: 'Accepted' });
    const rotated = record(ok(await ctl('stations', 'password', cp.id)));
    expect(rotated).toMatchObject({ station: cp.id, 'station answer': 'Accepted', changed: 'true' });
    expect(rotated['generated password']).toMatch(/^[0-9a-f]{32}$/i);
    expect(cp.requests('ChangeConfiguration').at(-1)).toEqual({
      key: 'AuthorizationKey',
      value: rotated['generated password'],
    });
    expect(json(await ctl('--json', 'stations', 'security-profile', cp.id, '1'))).toMatchObject({
      securityProfile: 1,
    });

    cp.respond('SendLocalList', { status: 'Accepted' });
    const file = join(dir, 'entries.json');
    writeFileSync(
      file,
      JSON.stringify([
        { idToken: 'LOCAL-1', status: 'AUTHORIZATION_STATUS_ACCEPTED', expireTime: '2031-01-01T00:00:00Z' },
        { idToken: 'LOCAL-2', status: 'AUTHORIZATION_STATUS_BLOCKED', groupId: 'FLEET' },
      ]),
    );
    const sent = record(ok(await ctl('local-list', 'send', cp.id, '--full', `@${file}`)));
    expect(sent).toMatchObject({ status: 'Accepted', 'sent version': '1', 'stored version': '1' });
    expect(cp.requests('SendLocalList').at(-1)).toEqual({
      listVersion: 1,
      updateType: 'Full',
      localAuthorizationList: [
        { idTag: 'LOCAL-1', idTagInfo: { status: 'Accepted', expiryDate: '2031-01-01T00:00:00.000Z' } },
        { idTag: 'LOCAL-2', idTagInfo: { status: 'Blocked', parentIdTag: 'FLEET' } },
      ],
    });
    const stored = ok(await ctl('local-list', 'get', cp.id));
    expect(stored).toMatch(/^version 1 \(updated .+\), 2 entries\n/);
    expect(rows(stored).slice(1)).toEqual([
      ['LOCAL-1', '-', 'Accepted', '2031-01-01T00:00:00.000Z', '-'],
      ['LOCAL-2', '-', 'Blocked', '-', 'FLEET'],
    ]);
    cp.respond('GetLocalListVersion', { listVersion: 1 });
    expect(json(await ctl('--json', 'local-list', 'version', cp.id))).toEqual({
      stationVersion: 1,
      storedVersion: 1,
      inSync: true,
    });

    // Split: a differential of two entries in messages of one (versions 2 and 3).
    const split = record(
      ok(
        await ctl(
          'local-list',
          'send',
          cp.id,
          '--differential',
          '--per-message',
          '1',
          '[{"idToken":"LOCAL-3","status":"AUTHORIZATION_STATUS_ACCEPTED"},{"idToken":"LOCAL-1"}]',
        ),
      ),
    );
    expect(split).toMatchObject({ status: 'Accepted', 'stored version': '3', 'messages accepted': '2' });
    expect(cp.requests('SendLocalList').slice(-2)).toEqual([
      {
        listVersion: 2,
        updateType: 'Differential',
        localAuthorizationList: [{ idTag: 'LOCAL-3', idTagInfo: { status: 'Accepted' } }],
      },
      { listVersion: 3, updateType: 'Differential', localAuthorizationList: [{ idTag: 'LOCAL-1' }] },
    ]);
    const badSplit = await ctl('local-list', 'send', cp.id, '--full', '--per-message', '0', '[]');
    expect(badSplit.code).toBe(2);
    expect(badSplit.stderr).toMatch(/--per-message must be an integer from 1 to 1000/);

    const neither = await ctl('local-list', 'send', cp.id, '[]');
    expect(neither).toMatchObject({ code: 2 });
    expect(neither.stderr).toMatch(/exactly one of --full and --differential/);
    const typo = await ctl('local-list', 'send', cp.id, '--differential', '[{"idTag":"A"}]');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/entries\[0\]\.idTag: unknown field/);
    const badPassword = await ctl('stations', 'password', cp.id, '--password', 'not-hex');
    expect(badPassword.code).toBe(1);
    expect(badPassword.stderr).toMatch(/INVALID_ARGUMENT[^]*\n {2}password: /);
  });
});

describe('csmsctl transactions (TransactionService)', () => {
  it('lists, shows and watches transactions, their meter values and 2.0.1 events', async () => {
    const probe = uniqueId('PROBE');
    const live = { stdout: '', stderr: '' };
    // Two lines: the probe that shows the stream is subscribed, then the 1.6 start.
    const watching = ctlLive(
      live,
      '--json',
      'transactions',
      'watch',
      '--station',
      cp.id,
      '--station',
      probe,
      '--count',
      '2',
    );
    await eventually(async () => {
      await csms.bus.publish(Subjects.event(probe, 'transaction-event'), {
        stationId: probe,
        type: 'transaction-event',
        at: new Date().toISOString(),
      });
      await new Promise((r) => setTimeout(r, 50));
      return live.stdout.includes(probe);
    });

    ok(await ctl('tokens', 'create', 'CTL-TX-TAG'));
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'CTL-TX-TAG',
      meterStart: 1000,
      timestamp: '2030-04-01T10:00:00.000Z',
    });
    const watched = await watching;
    expect(watched.code).toBe(0);
    const lines = watched.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[1]).toMatchObject({
      stationId: cp.id,
      type: 'transaction-started',
      data: { transactionId: start.transactionId },
    });
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [
        {
          timestamp: '2030-04-01T10:30:00.000Z',
          sampledValue: [{ value: '1800', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
        },
      ],
    });
    await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 2500,
      timestamp: '2030-04-01T11:00:00.000Z',
      reason: 'EVDisconnected',
    });

    const table = rows(ok(await ctl('transactions', 'list', '--station', cp.id, '--state', 'ended')));
    expect(table[0]).toEqual([
      'id',
      'station',
      'transaction id',
      'evse/conn',
      'id token',
      'state',
      'start',
      'end',
      'Wh',
      'stop reason',
    ]);
    expect(table.slice(1).map((r) => r.slice(1))).toEqual([
      [
        cp.id,
        String(start.transactionId),
        '1/1',
        'CTL-TX-TAG',
        'Ended',
        '2030-04-01T10:00:00.000Z',
        '2030-04-01T11:00:00.000Z',
        '1500',
        'EVDisconnected',
      ],
    ]);
    const listed = json<{ transactions: { id: string; state: string }[] }>(
      await ctl('--json', 'transactions', 'list', '--station', cp.id, '--since', '2030-04-01T00:00:00Z'),
    );
    expect(listed.transactions).toHaveLength(1);
    expect(listed.transactions[0]!.state).toBe('TRANSACTION_STATE_ENDED');
    const id = listed.transactions[0]!.id;

    const shown = record(ok(await ctl('transactions', 'get', id)));
    expect(shown).toMatchObject({ id, 'energy (Wh)': '1500', 'meter values': '1', state: 'Ended' });
    const byOcppId = json<{ transaction: { id: string } }>(
      await ctl(
        '--json',
        'transactions',
        'get',
        '--station',
        cp.id,
        '--transaction-id',
        String(start.transactionId),
      ),
    );
    expect(byOcppId.transaction.id).toBe(id);

    const values = rows(ok(await ctl('transactions', 'meter-values', id)));
    expect(values.slice(1)).toContainEqual([
      '2030-04-01T10:30:00.000Z',
      cp.id,
      id,
      '1/1',
      'MeterValues',
      'Energy.Active.Import.Register=1800 Wh',
    ]);

    // 2.0.1 events of a transaction.
    const tx201 = `ctl-${Date.now()}`;
    for (const [seqNo, eventType, chargingState] of [
      [0, 'Started', 'Charging'],
      [1, 'Ended', 'Idle'],
    ] as const)
      await cs.call('TransactionEvent', {
        eventType,
        timestamp: `2030-04-02T10:0${seqNo}:00.000Z`,
        triggerReason: seqNo === 0 ? 'CablePluggedIn' : 'EVCommunicationLost',
        seqNo,
        transactionInfo: { transactionId: tx201, chargingState },
        ...(seqNo === 0 ? { evse: { id: 1, connectorId: 1 } } : {}),
      });
    const events = rows(
      ok(await ctl('transactions', 'events', '--station', cs.id, '--transaction-id', tx201)),
    );
    expect(events.slice(1).map((r) => r.slice(0, 6))).toEqual([
      ['0', '2030-04-02T10:00:00.000Z', 'Started', 'CablePluggedIn', 'Charging', 'false'],
      ['1', '2030-04-02T10:01:00.000Z', 'Ended', 'EVCommunicationLost', 'Idle', 'false'],
    ]);
    const eventsJson = json<{ events: { seqNo?: number; payload: { seqNo: number } }[] }>(
      await ctl('--json', 'transactions', 'events', '--station', cs.id, '--transaction-id', tx201),
    );
    expect(eventsJson.events.map((e) => e.payload.seqNo)).toEqual([0, 1]);
  });

  it('explains errors', async () => {
    const badToken = await ctl('transactions', 'list', '--page-token', '!!not-a-token');
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/INVALID_ARGUMENT[^]*\n {2}page_token: /);
    const missing = await ctl('transactions', 'get', '987654321');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
    const both = await ctl('transactions', 'get', 'x', '--station', cp.id);
    expect(both.code).toBe(2);
    const badState = await ctl('transactions', 'list', '--state', 'paused');
    expect(badState.code).toBe(2);
    expect(badState.stderr).toMatch(/--state must be one of Active, Ended/);
  });
});

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
});

describe('csmsctl ocpp16 / ocpp201 (typed OCPP commands)', () => {
  it('sends typed CALLs of both versions and prints the typed answers', async () => {
    cp.respond('ChangeAvailability', { status: 'Scheduled' });
    expect(
      json(await ctl('ocpp16', 'ChangeAvailability', cp.id, '{"connectorId":0,"type":"Inoperative"}')),
    ).toEqual({
      status: 'Scheduled',
    });
    expect(cp.requests('ChangeAvailability').at(-1)).toEqual({ connectorId: 0, type: 'Inoperative' });

    cs.respond('Reset', { status: 'Accepted' });
    const file = join(dir, 'reset.json');
    writeFileSync(file, '{"type":"OnIdle","evseId":1}');
    expect(json(await ctl('--json', 'ocpp201', 'reset', cs.id, `@${file}`))).toEqual({ status: 'Accepted' });
    expect(cs.requests('Reset').at(-1)).toEqual({ type: 'OnIdle', evseId: 1 });

    // --queue: a booted 2.0.1 station that went away gets the call when it reconnects.
    const gone = await connect201(csms, { id: uniqueId('CTL-OFF') });
    expect((await booted201(gone)).status).toBe('Accepted');
    await gone.close();
    const queued = await eventually(async () => {
      const r = await ctl(
        'ocpp201',
        'Reset',
        gone.id,
        '{"type":"Immediate"}',
        '--queue',
        '--call-timeout',
        '1000',
      );
      return r.code === 0 ? r : undefined;
    });
    expect(queued.stdout).toMatch(/^queued as (\S+) until \S+Z \(csmsctl calls get \1\)\n$/);
    const queuedId = /^queued as (\S+)/.exec(queued.stdout)![1]!;
    expect(record(ok(await ctl('calls', 'get', queuedId)))).toMatchObject({
      action: 'Reset',
      station: gone.id,
    });
  });

  it('explains unknown actions, payload typos, schema violations and version mismatches', async () => {
    const unknown = await ctl('ocpp16', 'Frobnicate', cp.id);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(
      /unknown OCPP 1\.6 action "Frobnicate" \(the CSMS sends: CancelReservation, /,
    );
    expect(unknown.stderr).toMatch(/UpdateFirmware\)/);

    const typo = await ctl('ocpp16', 'Reset', cp.id, '{"typ":"Soft"}');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/payload\.typ: unknown field \(known: type\)/);

    const invalid = await ctl('ocpp16', 'Reset', cp.id, '{"type":"Bogus"}');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/INVALID_ARGUMENT[^]*\n {2}payload: .*\/type must be equal to one of/);

    const mismatch = await ctl('ocpp201', 'Reset', cp.id, '{"type":"Immediate"}');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/FAILED_PRECONDITION[^]*reason: VERSION_MISMATCH/);
  });
});
