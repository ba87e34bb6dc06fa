/**
 * OCPP 2.0.1 Part 6 §3.16 (O Display Message), the CSMS cases: a whole embedded CSMS on PostgreSQL, its gRPC API
 * (csms.station.v1.DisplayMessageService, what the OCTT's "Manual Action: Request the CSMS to ..." uses) and a
 * real OCPP 2.0.1 station (ocpp-rpc, strict mode: every CALL is validated against the OCA schemas) playing the
 * OCTT. Each case asserts the tool validations on the request the station received, and what the CSMS's
 * catalogue holds afterwards.
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { Tx201 } from '../support/octt-states.js';
import { addIdToken, type Station201 } from '../support/scenario.js';
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

/** A MessageInfoType as the OCTT reports it in NotifyDisplayMessagesRequest. */
function info(id: number, extra: Partial<V201.MessageInfoType> = {}): V201.MessageInfoType {
  return { id, priority: 'NormalCycle', message: { format: 'UTF8', content: `message ${id}` }, ...extra };
}

/** Sends a message through the API; the OCTT answers `status`. Returns the API status and the request received. */
async function set(
  cs: Station201,
  m: Parameters<typeof message>[1] & { id: number },
  status: V201.DisplayMessageStatusEnumType,
) {
  cs.respond('SetDisplayMessage', { status });
  const r = await client.setDisplayMessage({ stationId: cs.id, message: message(m.id, m) });
  return { status: r.status, request: cs.requests('SetDisplayMessage').at(-1)!.message };
}

/** Charging State EnergyTransferStarted: a transaction of the station, as the OCTT prepares it. */
async function energyTransferStarted(cs: Station201, prefix: string): Promise<Tx201> {
  const idToken: V201.IdTokenType = {
    idToken: await addIdToken(csms, prefix, { type: 'ISO14443' }),
    type: 'ISO14443',
  };
  const tx = new Tx201(cs, { idToken });
  await tx.energyTransferStarted();
  return tx;
}

describe('TC_O_01_CSMS: Set Display Message - Success', () => {
  it('sends SetDisplayMessageRequest with id, priority, format and state; stores it when Accepted (O01)', async () => {
    const cs = await booted201Station();
    const { status, request } = await set(cs, { id: 101, state: S.MESSAGE_STATE_IDLE }, 'Accepted');
    expect(status).toBe(SET.SET_DISPLAY_MESSAGE_STATUS_ACCEPTED);
    // O01.FR.04: no transactionId for a message of no transaction.
    expect(request).toEqual({
      id: 101,
      priority: 'NormalCycle',
      state: 'Idle',
      message: { format: 'UTF8', content: 'message 101' },
    });
    expect(await catalogueIds(cs.id)).toEqual([101]);
  });
});

describe('TC_O_02_CSMS: Get all Display Messages - Success', () => {
  it('asks with only a requestId and reconciles the catalogue with the parts the OCTT reports (O03)', async () => {
    const cs = await booted201Station();
    await setAccepted(cs, message(201));
    await setAccepted(cs, message(202));
    const { request, response } = await refresh(cs, {}, 'Accepted', (requestId) => [
      { requestId, messageInfo: [info(201)], tbc: true },
      { requestId, messageInfo: [info(203, { priority: 'InFront' })] },
    ]);
    expect(request).toEqual({ requestId: response.requestId });
    expect([response.status, response.complete]).toEqual([GET.GET_DISPLAY_MESSAGES_STATUS_ACCEPTED, true]);
    // 202 is no longer on the station; 203 was set there another way.
    expect(response.messages.map((m) => [m.message!.id, m.requestId])).toEqual([
      [201, request.requestId],
      [203, request.requestId],
    ]);
    expect(await catalogueIds(cs.id)).toEqual([201, 203]);
  });
});

describe('TC_O_03_CSMS: Get all Display Messages - No DisplayMessages configured', () => {
  it('asks with a requestId; Unknown empties the catalogue (O03.FR.06)', async () => {
    const cs = await booted201Station();
    await setAccepted(cs, message(301));
    const { request, response } = await refresh(cs, {}, 'Unknown');
    expect(request).toEqual({ requestId: response.requestId });
    expect([response.status, response.complete, response.messages]).toEqual([
      GET.GET_DISPLAY_MESSAGES_STATUS_UNKNOWN,
      true,
      [],
    ]);
    expect(await catalogueIds(cs.id)).toEqual([]);
  });
});

describe('TC_O_04_CSMS: Clear Display Message - Success', () => {
  it('sends ClearDisplayMessageRequest with the id of the set message; forgets it when Accepted (O05.FR.01)', async () => {
    const cs = await booted201Station();
    await setAccepted(cs, message(401));
    cs.respond('ClearDisplayMessage', { status: 'Accepted' });
    const r = await client.clearDisplayMessage({ stationId: cs.id, id: 401 });
    expect(r.status).toBe(CLEAR.CLEAR_DISPLAY_MESSAGE_STATUS_ACCEPTED);
    expect(cs.requests('ClearDisplayMessage')).toEqual([{ id: 401 }]);
    expect(await catalogueIds(cs.id)).toEqual([]);
  });
});

describe('TC_O_05_CSMS: Clear Display Message - Unknown Key', () => {
  it('sends ClearDisplayMessageRequest for an unknown id; Unknown is reported (O05.FR.02)', async () => {
    const cs = await booted201Station();
    cs.respond('ClearDisplayMessage', { status: 'Unknown' });
    const r = await client.clearDisplayMessage({ stationId: cs.id, id: 9999 });
    expect(r.status).toBe(CLEAR.CLEAR_DISPLAY_MESSAGE_STATUS_UNKNOWN);
    expect(cs.requests('ClearDisplayMessage')).toEqual([{ id: 9999 }]);
  });
});

describe('TC_O_06_CSMS: Set Display Message - Specific transaction - Success', () => {
  it("sends the station's transactionId; the message ends with its transaction (O02.FR.02)", async () => {
    const cs = await booted201Station();
    const tx = await energyTransferStarted(cs, 'DMO06');
    const { status, request } = await set(
      cs,
      { id: 601, transactionId: tx.transactionId, priority: P.MESSAGE_PRIORITY_IN_FRONT },
      'Accepted',
    );
    expect(status).toBe(SET.SET_DISPLAY_MESSAGE_STATUS_ACCEPTED);
    expect([request.transactionId, request.priority]).toEqual([tx.transactionId, 'InFront']);
    expect(await catalogueIds(cs.id, { transactionId: tx.transactionId })).toEqual([601]);
    await tx.evDisconnected();
    expect(await catalogueIds(cs.id)).toEqual([]);
  });
});

/**
 * O04 as TC_O_07/08/09 play it: three messages set, the CSMS asks with one criterion only, the OCTT reports 701.
 * The report is the truth for that criterion: a matching message it did not report leaves the catalogue.
 */
async function getSpecific(
  filter: { ids?: number[]; priority?: number; state?: number },
  criteria: Partial<V201.GetDisplayMessagesRequest>,
  expected: number[],
): Promise<void> {
  const cs = await booted201Station();
  const matching = { priority: P.MESSAGE_PRIORITY_IN_FRONT, state: S.MESSAGE_STATE_CHARGING };
  await setAccepted(cs, message(701, matching));
  await setAccepted(cs, message(702, matching));
  await setAccepted(cs, message(703));
  const reported = info(701, {
    priority: 'InFront',
    state: 'Charging',
    message: { format: 'ASCII', content: 'now' },
  });
  const { request, response } = await refresh(cs, filter, 'Accepted', (requestId) => [
    { requestId, messageInfo: [reported] },
  ]);
  // Tool validation of step 1: the criterion, the others omitted, a generated requestId.
  expect(request).toEqual({ requestId: response.requestId, ...criteria });
  expect(response.messages.map((m) => [m.message!.id, m.message!.message!.content])).toEqual([[701, 'now']]);
  expect(await catalogueIds(cs.id)).toEqual(expected);
}

describe('TC_O_07_CSMS: Get a Specific Display Message - Id', () => {
  it('asks for the configured id only; other ids stay in the catalogue (O04.FR.01)', async () => {
    await getSpecific({ ids: [701] }, { id: [701] }, [701, 702, 703]);
  });
});

describe('TC_O_08_CSMS: Get a Specific Display Message - Priority', () => {
  it('asks for the priority only; an unreported message of that priority leaves the catalogue', async () => {
    await getSpecific({ priority: P.MESSAGE_PRIORITY_IN_FRONT }, { priority: 'InFront' }, [701, 703]);
  });
});

describe('TC_O_09_CSMS: Get a Specific Display Message - State', () => {
  it('asks for the state only; an unreported message in that state leaves the catalogue', async () => {
    await getSpecific({ state: S.MESSAGE_STATE_CHARGING }, { state: 'Charging' }, [701, 703]);
  });
});

describe('TC_O_10_CSMS: Set Display Message - Specific transaction - UnknownTransaction', () => {
  it('sends a transactionId; UnknownTransaction leaves the catalogue unchanged (O02.FR.01)', async () => {
    const cs = await booted201Station();
    await energyTransferStarted(cs, 'DMO10');
    const { status, request } = await set(cs, { id: 1001, transactionId: 'NOT-A-TX' }, 'UnknownTransaction');
    expect(status).toBe(SET.SET_DISPLAY_MESSAGE_STATUS_UNKNOWN_TRANSACTION);
    expect([request.transactionId, request.priority]).toEqual(['NOT-A-TX', 'NormalCycle']);
    expect(await catalogueIds(cs.id)).toEqual([]);
  });
});

describe('TC_O_11_CSMS: Get a Specific Display Message - Unknown parameters', () => {
  it('asks for an id the station does not have; Unknown removes only that id (O04.FR.02)', async () => {
    const cs = await booted201Station();
    await setAccepted(cs, message(1101));
    await setAccepted(cs, message(1102));
    const { request, response } = await refresh(cs, { ids: [1102] }, 'Unknown');
    expect(request).toEqual({ requestId: response.requestId, id: [1102] });
    expect(response.status).toBe(GET.GET_DISPLAY_MESSAGES_STATUS_UNKNOWN);
    expect(await catalogueIds(cs.id)).toEqual([1101]);
  });
});

describe('TC_O_12_CSMS: Set Display Message - Replace DisplayMessage', () => {
  it('sends the configured id again; the stored message is replaced with all its parameters (O06.FR.01)', async () => {
    const cs = await booted201Station();
    await setAccepted(cs, message(1201, { state: S.MESSAGE_STATE_IDLE }));
    const { request } = await set(cs, { id: 1201, priority: P.MESSAGE_PRIORITY_IN_FRONT }, 'Accepted');
    expect([request.id, request.priority, request.state]).toEqual([1201, 'InFront', undefined]);
    const { messages } = await client.listDisplayMessages({ stationId: cs.id });
    expect(messages.map((m) => [m.message!.id, m.message!.priority, m.message!.state])).toEqual([
      [1201, P.MESSAGE_PRIORITY_IN_FRONT, S.MESSAGE_STATE_UNSPECIFIED],
    ]);
  });
});

describe('TC_O_13_CSMS: Set Display Message - Display message at StartTime', () => {
  it('sends the configured startDateTime (O01.FR.05)', async () => {
    const cs = await booted201Station();
    const start = new Date(Date.now() + 60_000);
    const { request } = await set(cs, { id: 1301, startDateTime: start }, 'Accepted');
    expect([request.id, request.startDateTime]).toEqual([1301, start.toISOString()]);
    expect(await catalogueIds(cs.id)).toEqual([1301]);
  });
});

describe('TC_O_14_CSMS: Set Display Message - Remove message after EndTime', () => {
  it('sends the configured endDateTime; the catalogue leaves the message out once it passed (O01.FR.07)', async () => {
    const cs = await booted201Station();
    const end = new Date(Date.now() + 500);
    const { request } = await set(cs, { id: 1401, endDateTime: end }, 'Accepted');
    expect([request.id, request.endDateTime]).toEqual([1401, end.toISOString()]);
    expect(await catalogueIds(cs.id)).toEqual([1401]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await catalogueIds(cs.id)).toEqual([]);
  });
});

/** A SetDisplayMessageRequest the OCTT does not take: `status` is reported and the catalogue is unchanged. */
async function notTaken(
  status: Exclude<V201.DisplayMessageStatusEnumType, 'Accepted'>,
  fields: Partial<Parameters<typeof message>[1]>,
  expected: number,
): Promise<V201.MessageInfoType> {
  const cs = await booted201Station();
  const r = await set(cs, { id: 1701, ...fields }, status);
  expect(r.status).toBe(expected);
  expect(r.request.id).toBe(1701);
  expect(await catalogueIds(cs.id)).toEqual([]);
  return r.request;
}

describe('TC_O_17_CSMS: Set Display Message - NotSupportedPriority', () => {
  it('sends the configured priority; NotSupportedPriority stores nothing (O01.FR.01)', async () => {
    const request = await notTaken(
      'NotSupportedPriority',
      { priority: P.MESSAGE_PRIORITY_ALWAYS_FRONT },
      SET.SET_DISPLAY_MESSAGE_STATUS_NOT_SUPPORTED_PRIORITY,
    );
    expect(request.priority).toBe('AlwaysFront');
  });
});

describe('TC_O_18_CSMS: Set Display Message - NotSupportedState', () => {
  it('sends the configured state; NotSupportedState stores nothing (O01.FR.02)', async () => {
    const request = await notTaken(
      'NotSupportedState',
      { state: S.MESSAGE_STATE_UNAVAILABLE },
      SET.SET_DISPLAY_MESSAGE_STATUS_NOT_SUPPORTED_STATE,
    );
    expect(request.state).toBe('Unavailable');
  });
});

describe('TC_O_19_CSMS: Set Display Message - NotSupportedMessageFormat', () => {
  it('sends the message; NotSupportedMessageFormat stores nothing (O01.FR.03)', async () => {
    const request = await notTaken(
      'NotSupportedMessageFormat',
      { message: { format: F.MESSAGE_FORMAT_URI, language: '', content: 'https://example.com/m' } },
      SET.SET_DISPLAY_MESSAGE_STATUS_NOT_SUPPORTED_MESSAGE_FORMAT,
    );
    expect(request.message.format).toBe('URI');
  });
});

describe('TC_O_26_CSMS: Set Display Message - Rejected', () => {
  it('sends the message; Rejected stores nothing (O01.FR.11)', async () => {
    await notTaken('Rejected', {}, SET.SET_DISPLAY_MESSAGE_STATUS_REJECTED);
  });
});

describe('TC_O_25_CSMS: Set Display Message - Send Specific state', () => {
  it('sends the configured state Charging', async () => {
    const cs = await booted201Station();
    const { request } = await set(cs, { id: 2501, state: S.MESSAGE_STATE_CHARGING }, 'Accepted');
    expect([request.id, request.state]).toEqual([2501, 'Charging']);
    expect(await catalogueIds(cs.id, { state: S.MESSAGE_STATE_CHARGING })).toEqual([2501]);
  });
});

describe('TC_O_27_CSMS: Set Display Message - Specific transaction - Display message at StartTime', () => {
  it('sends startDateTime and the transactionId, state and endDateTime omitted (errata 2025-09)', async () => {
    const cs = await booted201Station();
    const tx = await energyTransferStarted(cs, 'DMO27');
    const start = new Date(Date.now() + 60_000);
    const { request } = await set(
      cs,
      { id: 2701, startDateTime: start, transactionId: tx.transactionId },
      'Accepted',
    );
    expect(request).toEqual({
      id: 2701,
      priority: 'NormalCycle',
      startDateTime: start.toISOString(),
      transactionId: tx.transactionId,
      message: { format: 'UTF8', content: 'message 2701' },
    });
  });
});

describe('TC_O_28_CSMS: Set Display Message - Specific transaction - Remove message after EndTime', () => {
  it('sends priority, endDateTime and the transactionId, state and startDateTime omitted (errata 2025-09)', async () => {
    const cs = await booted201Station();
    const tx = await energyTransferStarted(cs, 'DMO28');
    const end = new Date(Date.now() + 60_000);
    const { request } = await set(
      cs,
      {
        id: 2801,
        priority: P.MESSAGE_PRIORITY_ALWAYS_FRONT,
        endDateTime: end,
        transactionId: tx.transactionId,
      },
      'Accepted',
    );
    expect(request).toEqual({
      id: 2801,
      priority: 'AlwaysFront',
      endDateTime: end.toISOString(),
      transactionId: tx.transactionId,
      message: { format: 'UTF8', content: 'message 2801' },
    });
    // O02.FR.18: a second AlwaysFront message for the transaction replaces the first.
    await set(
      cs,
      { id: 2802, priority: P.MESSAGE_PRIORITY_ALWAYS_FRONT, transactionId: tx.transactionId },
      'Accepted',
    );
    expect(await catalogueIds(cs.id)).toEqual([2802]);
  });
});
