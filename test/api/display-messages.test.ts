/**
 * csms.station.v1.DisplayMessageService on a whole embedded CSMS (PostgreSQL, the real gRPC API) with real OCPP
 * stations (ocpp-rpc, strict mode): input checks and their gRPC status details, what is stored for each station
 * answer, the catalogue's filters and pages, and the bounded wait of a refresh.
 */
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { booted16 } from '../support/octt-states.js';
import { connect16, uniqueId } from '../support/scenario.js';
import {
  CLEAR,
  F,
  GET,
  P,
  S,
  SET,
  booted201Station,
  catalogueIds,
  client,
  csms,
  message,
  refresh,
  setAccepted,
  useDisplayMessageApi,
} from '../support/display-messages-api.js';

useDisplayMessageApi();

describe('DisplayMessageService input checks', () => {
  it('NOT_FOUND for an unknown station, OCPP_VERSION_UNSUPPORTED for a 1.6 station', async () => {
    const unknown = await rejection(
      client.setDisplayMessage({ stationId: 'NO-SUCH-DM', message: message(1) }),
    );
    expect([unknown.code, unknown.reason]).toEqual([Status.NOT_FOUND, 'NOT_FOUND']);
    const cp = await connect16(csms, { id: uniqueId('DM16') });
    expect((await booted16(cp, 1)).status).toBe('Accepted');
    // One call at a time: a call started before the previous one is awaited could reject unobserved.
    for (const call of [
      () => client.setDisplayMessage({ stationId: cp.id, message: message(1) }),
      () => client.listDisplayMessages({ stationId: cp.id }),
      () => client.refreshDisplayMessages({ stationId: cp.id }),
      () => client.clearDisplayMessage({ stationId: cp.id, id: 1 }),
    ]) {
      const error = await rejection(call());
      expect([error.code, error.reason, error.metadata.ocppVersion]).toEqual([
        Status.FAILED_PRECONDITION,
        'OCPP_VERSION_UNSUPPORTED',
        'ocpp1.6',
      ]);
    }
    expect(cp.received).toEqual([]);
  });

  it('INVALID_ARGUMENT listing every invalid field; nothing is sent', async () => {
    const cs = await booted201Station();
    const bad = message(-1, {
      priority: P.MESSAGE_PRIORITY_UNSPECIFIED,
      state: 99 as never,
      startDateTime: new Date('2031-01-02T00:00:00Z'),
      endDateTime: new Date('2031-01-01T00:00:00Z'),
      transactionId: 'T'.repeat(37),
      message: { format: F.MESSAGE_FORMAT_UNSPECIFIED, language: 'en-US-long', content: 'x'.repeat(513) },
      display: { name: '', instance: '', evseId: undefined, connectorId: 1 },
    });
    const error = await rejection(client.setDisplayMessage({ stationId: cs.id, message: bad }));
    expect([error.code, error.reason]).toEqual([Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
    expect(error.violations.map((v) => v.field)).toEqual([
      'message.id',
      'message.priority',
      'message.state',
      'message.message.format',
      'message.message.content',
      'message.message.language',
      'message.transaction_id',
      'message.end_date_time',
      'message.display.name',
      'message.display.connector_id',
    ]);
    const missing = await rejection(client.setDisplayMessage({ stationId: cs.id, message: undefined }));
    expect(missing.violations).toEqual([{ field: 'message', description: 'required' }]);
    const list = await rejection(
      client.listDisplayMessages({ stationId: cs.id, priority: 9 as never, ids: [-2], pageToken: 'nope' }),
    );
    expect(list.violations.map((v) => v.field)).toEqual(['ids[0]', 'priority']);
    const wait = await rejection(client.refreshDisplayMessages({ stationId: cs.id, reportWaitSeconds: 121 }));
    expect(wait.violations.map((v) => v.field)).toEqual(['report_wait_seconds']);
    const id = await rejection(client.clearDisplayMessage({ stationId: 'bad:id', id: -1 }));
    expect(id.violations.map((v) => v.field)).toEqual(['id', 'station_id']);
    expect(cs.received).toEqual([]);
  });
});

describe('DisplayMessageService catalogue', () => {
  it('stores only what the station accepts, with every field as sent, and forgets what it clears', async () => {
    const cs = await booted201Station();
    const full = message(3, {
      priority: P.MESSAGE_PRIORITY_IN_FRONT,
      state: S.MESSAGE_STATE_IDLE,
      startDateTime: new Date('2031-01-01T08:00:00Z'),
      endDateTime: new Date('2099-01-01T08:00:00Z'),
      message: { format: F.MESSAGE_FORMAT_HTML, language: 'nl', content: '<p>Welkom</p>' },
      display: { name: 'Display', instance: 'front', evseId: 1, connectorId: undefined },
    });
    expect(await setAccepted(cs, full)).toEqual({
      id: 3,
      priority: 'InFront',
      state: 'Idle',
      startDateTime: '2031-01-01T08:00:00.000Z',
      endDateTime: '2099-01-01T08:00:00.000Z',
      message: { format: 'HTML', language: 'nl', content: '<p>Welkom</p>' },
      display: { name: 'Display', instance: 'front', evse: { id: 1 } },
    });
    const [stored] = (await client.listDisplayMessages({ stationId: cs.id })).messages;
    expect(stored!.message).toEqual(full);
    expect(stored!.requestId).toBeUndefined();
    for (const status of ['Rejected', 'NotSupportedPriority', 'UnknownTransaction'] as const) {
      cs.respond('SetDisplayMessage', { status, statusInfo: { reasonCode: 'Full' } });
      const r = await client.setDisplayMessage({ stationId: cs.id, message: message(4) });
      expect(r.status).not.toBe(SET.SET_DISPLAY_MESSAGE_STATUS_ACCEPTED);
      expect(r.statusReason).toBe('Full');
    }
    expect(await catalogueIds(cs.id)).toEqual([3]);
    cs.respond('ClearDisplayMessage', { status: 'Unknown' });
    expect((await client.clearDisplayMessage({ stationId: cs.id, id: 3 })).status).toBe(
      CLEAR.CLEAR_DISPLAY_MESSAGE_STATUS_UNKNOWN,
    );
    expect(await catalogueIds(cs.id)).toEqual([3]);
    cs.respond('ClearDisplayMessage', { status: 'Accepted' });
    expect((await client.clearDisplayMessage({ stationId: cs.id, id: 3 })).status).toBe(
      CLEAR.CLEAR_DISPLAY_MESSAGE_STATUS_ACCEPTED,
    );
    expect(await catalogueIds(cs.id)).toEqual([]);
    expect(cs.requests('ClearDisplayMessage')).toEqual([{ id: 3 }, { id: 3 }]);
  });

  it('filters and pages the catalogue; leaves out messages past their end', async () => {
    const cs = await booted201Station();
    for (let id = 1; id <= 5; id += 1)
      await setAccepted(cs, message(id, { state: id % 2 === 0 ? S.MESSAGE_STATE_CHARGING : 0 }));
    await setAccepted(cs, message(6, { endDateTime: new Date(Date.now() + 300) }));
    await setAccepted(cs, message(7, { transactionId: 'TX-7', priority: P.MESSAGE_PRIORITY_IN_FRONT }));
    expect(await catalogueIds(cs.id, { state: S.MESSAGE_STATE_CHARGING })).toEqual([2, 4]);
    expect(await catalogueIds(cs.id, { priority: P.MESSAGE_PRIORITY_IN_FRONT })).toEqual([7]);
    expect(await catalogueIds(cs.id, { transactionId: 'TX-7' })).toEqual([7]);
    expect(await catalogueIds(cs.id, { ids: [5, 1, 42] })).toEqual([1, 5]);
    await new Promise((r) => setTimeout(r, 400));
    const first = await client.listDisplayMessages({ stationId: cs.id, pageSize: 4 });
    expect(first.messages.map((m) => m.message!.id)).toEqual([1, 2, 3, 4]);
    const second = await client.listDisplayMessages({
      stationId: cs.id,
      pageSize: 4,
      pageToken: first.nextPageToken,
    });
    expect([second.messages.map((m) => m.message!.id), second.nextPageToken]).toEqual([[5, 7], '']);
  });

  it('a refresh waits at most report_wait_seconds; the late last part still reconciles the catalogue', async () => {
    const cs = await booted201Station();
    await setAccepted(cs, message(1));
    await setAccepted(cs, message(2));
    const { request, response } = await refresh(cs, { reportWaitSeconds: 0 }, 'Accepted');
    expect(request).toEqual({ requestId: response.requestId });
    expect([response.status, response.complete]).toEqual([GET.GET_DISPLAY_MESSAGES_STATUS_ACCEPTED, false]);
    expect(response.messages.map((m) => m.message!.id)).toEqual([1, 2]);
    const reported = {
      id: 2,
      priority: 'NormalCycle' as const,
      message: { format: 'UTF8' as const, content: 'm2' },
    };
    expect(
      await cs.call('NotifyDisplayMessages', { requestId: request.requestId, messageInfo: [reported] }),
    ).toEqual({});
    const [only] = (await client.listDisplayMessages({ stationId: cs.id })).messages;
    expect([only!.message!.id, only!.message!.message!.content, only!.requestId]).toEqual([
      2,
      'm2',
      request.requestId,
    ]);
  });
});
