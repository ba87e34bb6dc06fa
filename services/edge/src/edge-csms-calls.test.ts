import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoRespondersError, RemoteHandlerError, Subjects } from '@csms/bus';
import type { OutboundCall, OutboundOutcome } from '@csms/bus';
import { RawStation, startEdge, waitFor } from './testing/edge-harness.js';
import type { EdgeHarness } from './testing/edge-harness.js';

describe('CSMS → station calls', () => {
  let h: EdgeHarness;
  let station: RawStation;

  beforeEach(async () => {
    h = await startEdge({ maxQueuedCsmsCalls: 2 });
    h.store.add('CP', 0);
    station = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
    await waitFor(() => h.events.length === 1);
  });
  afterEach(() => h.stop());

  const reset = (messageId: string, timeoutMs = 1_000): OutboundCall => ({
    messageId,
    action: 'Reset',
    payload: { type: 'Immediate' },
    timeoutMs,
  });
  const send = (call: OutboundCall, stationId = 'CP'): Promise<OutboundOutcome> =>
    h.bus.request<OutboundOutcome>(Subjects.outboundCall(stationId), call, { timeoutMs: 5_000 });

  it('resolves with the CALLRESULT', async () => {
    const outcome = send(reset('r1'));
    await expect(station.next()).resolves.toEqual([2, 'r1', 'Reset', { type: 'Immediate' }]);
    station.send([3, 'r1', { status: 'Accepted' }]);
    await expect(outcome).resolves.toEqual({ type: 'result', payload: { status: 'Accepted' } });
  });

  it('resolves with the station CALLERROR', async () => {
    const outcome = send(reset('r1'));
    await station.next();
    station.send([4, 'r1', 'NotSupported', 'no reset here', { a: 1 }]);
    await expect(outcome).resolves.toEqual({
      type: 'error',
      code: 'NotSupported',
      description: 'no reset here',
      details: { a: 1 },
    });
  });

  it('reports a CALLERROR code outside the RPC framework table as GenericError', async () => {
    const outcome = send(reset('r1'));
    await station.next();
    station.send([4, 'r1', 'Kaputt', 'x', {}]);
    await expect(outcome).resolves.toEqual({
      type: 'error',
      code: 'GenericError',
      description: 'x',
      details: { stationErrorCode: 'Kaputt' },
    });
  });

  it('resolves invalid-response for a schema-violating answer, keeping the payload', async () => {
    const outcome = send(reset('r1'));
    await station.next();
    station.send([3, 'r1', { status: 'Maybe' }]);
    await expect(outcome).resolves.toEqual({
      type: 'invalid-response',
      payload: { status: 'Maybe' },
      code: 'PropertyConstraintViolation',
      description: '/status must be equal to one of the allowed values: Accepted, Rejected, Scheduled',
    });
  });

  it('resolves timeout when the station does not answer in time, and drops the late answer', async () => {
    const outcome = send(reset('r1', 100));
    await station.next();
    await expect(outcome).resolves.toEqual({ type: 'timeout' });
    station.send([3, 'r1', { status: 'Accepted' }]);
    // The connection is still usable afterwards.
    const next = send(reset('r2'));
    await expect(station.next()).resolves.toEqual([2, 'r2', 'Reset', { type: 'Immediate' }]);
    station.send([3, 'r2', { status: 'Rejected' }]);
    await expect(next).resolves.toEqual({ type: 'result', payload: { status: 'Rejected' } });
  });

  it('resolves disconnected for the call on the wire and closed for the queued one when the socket closes', async () => {
    const first = send(reset('r1'));
    await station.next();
    const queued = send(reset('r2'));
    station.close();
    // The station saw r1 and may have acted on it; r2 never left the edge.
    await expect(first).resolves.toEqual({ type: 'disconnected' });
    await expect(queued).resolves.toEqual({ type: 'closed' });
    await waitFor(() => h.bus.subscriptionCount === 1); // only the harness's event listener is left
  });

  it('sends one CALL at a time and queues the rest (bounded)', async () => {
    const first = send(reset('r1'));
    const second = send(reset('r2'));
    const third = send(reset('r3'));
    const fourth = send(reset('r4'));
    await expect(station.next()).resolves.toEqual([2, 'r1', 'Reset', { type: 'Immediate' }]);
    // maxQueuedCsmsCalls = 2: r2 and r3 wait, r4 is refused.
    await expect(fourth).resolves.toEqual({
      type: 'error',
      code: 'GenericError',
      description: 'Too many CSMS calls queued for this station',
      details: {},
    });
    expect(await station.silentFor(50)).toBe(true);
    station.send([3, 'r1', { status: 'Accepted' }]);
    await expect(first).resolves.toMatchObject({ type: 'result' });
    await expect(station.next()).resolves.toEqual([2, 'r2', 'Reset', { type: 'Immediate' }]);
    station.send([3, 'r2', { status: 'Accepted' }]);
    await expect(second).resolves.toMatchObject({ type: 'result' });
    await expect(station.next()).resolves.toEqual([2, 'r3', 'Reset', { type: 'Immediate' }]);
    station.send([3, 'r3', { status: 'Accepted' }]);
    await expect(third).resolves.toMatchObject({ type: 'result' });
  });

  it('fails fast with no responders when the station is not connected', async () => {
    await expect(send(reset('r1'), 'OFFLINE')).rejects.toBeInstanceOf(NoRespondersError);
  });

  it('refuses a CALL that would be invalid OCPP instead of sending it', async () => {
    // Heartbeat is station → CSMS; Reset without `type` violates the schema; a malformed OutboundCall.
    await expect(
      send({ messageId: 'h', action: 'Heartbeat', payload: {}, timeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(RemoteHandlerError);
    await expect(send({ messageId: 'r', action: 'Reset', payload: {}, timeoutMs: 1_000 })).rejects.toThrow(
      /invalid Reset request: must have required property 'type'/,
    );
    await expect(
      h.bus.request(Subjects.outboundCall('CP'), { messageId: 5 }, { timeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(RemoteHandlerError);
    expect(await station.silentFor(50)).toBe(true);
  });

  it('can take a station CALL while its own CALL is outstanding (calls may cross, part 4 §4.1.1)', async () => {
    const outcome = send(reset('r1'));
    await station.next();
    await h.bus.subscribe(Subjects.inboundCalls('*'), () => ({
      type: 'result',
      payload: { currentTime: '2025-01-01T00:00:00.000Z' },
    }));
    await expect(station.call('s1', 'Heartbeat', {})).resolves.toEqual([
      3,
      's1',
      { currentTime: '2025-01-01T00:00:00.000Z' },
    ]);
    station.send([3, 'r1', { status: 'Accepted' }]);
    await expect(outcome).resolves.toMatchObject({ type: 'result' });
  });
});
