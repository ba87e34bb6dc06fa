/**
 * Set-up shared by the DisplayMessageService tests (`test/api/display-messages*.test.ts`,
 * `test/scenarios/v201-display-messages.test.ts`): a whole embedded CSMS on PostgreSQL, its gRPC API (the
 * DisplayMessageService is part of the station API there) and booted 2.0.1 stations. The `let` bindings are
 * live: each test file that calls {@link useDisplayMessageApi} gets its own.
 */
import { connectApi, displayMessageV1 as api, type ApiClient, type ApiConnection } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { booted201 } from './octt-states.js';
import { connect201, eventually, uniqueId, type Station201 } from './scenario.js';

export const {
  MessagePriority: P,
  MessageState: S,
  MessageFormat: F,
  SetDisplayMessageStatus: SET,
  ClearDisplayMessageStatus: CLEAR,
  GetDisplayMessagesStatus: GET,
} = api;

export let csms: TestCsms;
export let connection: ApiConnection;
export let client: ApiClient<typeof api.DisplayMessageServiceDefinition>;

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useDisplayMessageApi(): void {
  beforeAll(async () => {
    csms = await startTestCsms({ database: 'postgres' });
    connection = connectApi({ address: csms.grpcAddress });
    client = connection.client(api.DisplayMessageServiceDefinition);
  });
  afterAll(async () => {
    connection.close();
    await csms.close();
  });
}

export async function booted201Station(prefix = 'DM201'): Promise<Station201> {
  const cs = await connect201(csms, { id: uniqueId(prefix) });
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

/** An API display message (NORMAL_CYCLE, UTF8) with `overrides`. */
export function message(id: number, overrides: Partial<api.DisplayMessage> = {}): api.DisplayMessage {
  return {
    id,
    priority: P.MESSAGE_PRIORITY_NORMAL_CYCLE,
    state: S.MESSAGE_STATE_UNSPECIFIED,
    startDateTime: undefined,
    endDateTime: undefined,
    transactionId: '',
    message: { format: F.MESSAGE_FORMAT_UTF8, language: '', content: `message ${id}` },
    display: undefined,
    ...overrides,
  };
}

/** Sets a message the station accepts, so that the CSMS stores it; returns the request the station received. */
export async function setAccepted(cs: Station201, m: api.DisplayMessage): Promise<V201.MessageInfoType> {
  cs.respond('SetDisplayMessage', { status: 'Accepted' });
  const r = await client.setDisplayMessage({ stationId: cs.id, message: m });
  expect(r.status).toBe(SET.SET_DISPLAY_MESSAGE_STATUS_ACCEPTED);
  return cs.requests('SetDisplayMessage').at(-1)!.message;
}

/** The catalogue's message ids of a station. */
export async function catalogueIds(stationId: string, filter: Partial<api.ListDisplayMessagesRequest> = {}) {
  const { messages } = await client.listDisplayMessages({ stationId, ...filter });
  return messages.map((m) => m.message!.id);
}

/**
 * RefreshDisplayMessages as the OCTT plays O03/O04: the station answers GetDisplayMessagesRequest with `status` and,
 * while the CSMS waits, sends `parts(requestId)` as NotifyDisplayMessagesRequests, each answered with an empty
 * response. Returns the GetDisplayMessagesRequest the station received and the RPC's response.
 */
export async function refresh(
  cs: Station201,
  filter: Partial<api.RefreshDisplayMessagesRequest>,
  status: V201.GetDisplayMessagesStatusEnumType,
  parts: (requestId: number) => V201.NotifyDisplayMessagesRequest[] = () => [],
) {
  cs.respond('GetDisplayMessages', { status });
  const asked = cs.requests('GetDisplayMessages').length;
  const pending = client.refreshDisplayMessages({ stationId: cs.id, ...filter });
  pending.catch(() => undefined); // awaited below; not unhandled if the station's side fails first
  const request = await eventually(() => cs.requests('GetDisplayMessages')[asked], 20_000);
  for (const p of parts(request.requestId)) expect(await cs.call('NotifyDisplayMessages', p)).toEqual({});
  return { request, response: await pending };
}
