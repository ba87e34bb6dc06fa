/**
 * csmsctl's domain commands (tokens, stations password, local-list, transactions, firmware, charging,
 * ocpp16/ocpp201) run in-process against a whole embedded CSMS that serves every gRPC service, with real
 * OCPP 1.6 and 2.0.1 stations (ocpp-rpc in strict mode, so every CALL the CLI causes is schema-checked by
 * the station). Each group: a happy path as a table and as --json, an API error (exit 1 with the field)
 * and a usage error (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subjects } from '@csms/bus';
import { describe, expect, it } from 'vitest';
import { eventually, uniqueId } from '../support/scenario.js';
import {
  cp,
  cs,
  csms,
  ctl,
  ctlLive,
  dir,
  json,
  ok,
  record,
  rows,
  useCsmsctlDomain,
} from '../support/csmsctl-domain.js';

useCsmsctlDomain();

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

  it('ends a transaction whose stop never arrived, telling the station (transactions end)', async () => {
    ok(await ctl('tokens', 'create', 'CTL-END-TAG'));
    const { transactionId } = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'CTL-END-TAG',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    cp.respond('RemoteStopTransaction', { status: 'Accepted' });
    const ended = record(
      ok(
        await ctl(
          'transactions',
          'end',
          '--station',
          cp.id,
          '--transaction-id',
          String(transactionId),
          '--reason',
          'stop lost after a power cut',
          '--stop-at-station',
        ),
      ),
    );
    expect(ended).toMatchObject({
      state: 'Ended',
      'ended by': 'operator',
      'end note': 'stop lost after a power cut',
      'station stop': 'Accepted',
    });
    expect(cp.requests('RemoteStopTransaction')).toContainEqual({ transactionId });
    const again = await ctl(
      'transactions',
      'end',
      '--station',
      cp.id,
      '--transaction-id',
      String(transactionId),
      '--reason',
      'x',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/TRANSACTION_ALREADY_ENDED/);
    const noReason = await ctl(
      'transactions',
      'end',
      '--station',
      cp.id,
      '--transaction-id',
      String(transactionId),
    );
    expect(noReason.code).toBe(2);
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
