/**
 * SendLocalList split by the station's own limit (D01.FR.11, 1.6 SendLocalListMaxLength) when the operator
 * passes max_entries_per_message = 0, the operator's value only lowering it. A whole embedded CSMS, the
 * AuthService on a real gRPC server, real OCPP 1.6 and 2.0.1 stations (ocpp-rpc).
 */
import type { authV1 } from '@csms/grpc';
import { Status } from '@csms/grpc';
import { createRPCError } from 'ocpp-rpc';
import { describe, expect, it } from 'vitest';
import {
  LocalListStatus,
  S,
  UpdateType,
  booted16Station,
  booted201Station,
  client,
  useAuthApi,
} from '../support/auth-api.js';
import { answerGetConfiguration, reportVariables } from '../support/device-model-station.js';
import { rejection } from '../support/grpc-rejection.js';

useAuthApi();

const accepted = (idToken: string, type = ''): authV1.LocalListEntry => ({
  idToken,
  type,
  status: S.AUTHORIZATION_STATUS_ACCEPTED,
  expireTime: undefined,
  groupId: '',
});

describe('SendLocalList split by the learned limit (D01.FR.11)', () => {
  it('1.6: asks SendLocalListMaxLength once and splits by it; an explicit value may only lower it', async () => {
    const cp = await booted16Station();
    answerGetConfiguration(cp, { SendLocalListMaxLength: '2', LocalAuthListMaxLength: '10' });
    cp.respond('SendLocalList', { status: 'Accepted' });
    const tokens = ['LIM-1', 'LIM-2', 'LIM-3', 'LIM-4', 'LIM-5'];
    const full = await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: tokens.map((t) => accepted(t)),
      maxEntriesPerMessage: 0,
    });
    expect(full).toMatchObject({
      status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED,
      version: 3,
      messagesAccepted: 3,
    });
    expect(cp.requests('GetConfiguration')).toEqual([
      { key: ['SendLocalListMaxLength', 'LocalAuthListMaxLength'] },
    ]);
    const sizes = () =>
      cp.requests('SendLocalList').map((r) => [r.updateType, r.localAuthorizationList?.length]);
    expect(sizes()).toEqual([
      ['Full', 2],
      ['Differential', 2],
      ['Differential', 1],
    ]);
    const more = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => accepted(`${prefix}-${i}`));
    // Higher than the station's limit: the station's limit wins.
    await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: more(3, 'HI'),
      maxEntriesPerMessage: 50,
    });
    // Lower: the operator's.
    await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: more(2, 'LO'),
      maxEntriesPerMessage: 1,
    });
    expect(sizes().slice(3)).toEqual([
      ['Differential', 2],
      ['Differential', 1],
      ['Differential', 1],
      ['Differential', 1],
    ]);
    expect(cp.requests('GetConfiguration')).toHaveLength(1);
    expect((await client.getLocalList({ stationId: cp.id })).entries).toHaveLength(10);
    await cp.close();
  });

  it('1.6: a FULL list longer than LocalAuthListMaxLength is refused before anything is sent', async () => {
    const cp = await booted16Station();
    answerGetConfiguration(cp, { SendLocalListMaxLength: '5', LocalAuthListMaxLength: '3' });
    const refused = await rejection(
      client.sendLocalList({
        stationId: cp.id,
        updateType: UpdateType.UPDATE_TYPE_FULL,
        entries: ['T-1', 'T-2', 'T-3', 'T-4'].map((t) => accepted(t)),
        maxEntriesPerMessage: 0,
      }),
    );
    expect(refused).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'LOCAL_LIST_TOO_LONG' });
    expect(cp.requests('SendLocalList')).toEqual([]);
    await cp.close();
  });

  it('2.0.1: splits by the reported LocalAuthListCtrlr.ItemsPerMessage without asking', async () => {
    const cs = await booted201Station();
    await reportVariables(cs, [{ component: 'LocalAuthListCtrlr', variable: 'ItemsPerMessage', value: '2' }]);
    cs.respond('SendLocalList', { status: 'Accepted' });
    const answer = await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: ['R-1', 'R-2', 'R-3'].map((t) => accepted(t, 'ISO14443')),
      maxEntriesPerMessage: 0,
    });
    expect(answer).toMatchObject({ status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED, messagesAccepted: 2 });
    expect(
      cs
        .requests('SendLocalList')
        .map((r) => [r.versionNumber, r.updateType, r.localAuthorizationList?.length]),
    ).toEqual([
      [1, 'Full', 2],
      [2, 'Differential', 1],
    ]);
    expect(cs.requests('GetVariables')).toEqual([]);
    await cs.close();
  });

  it('a station that does not answer the question gets the list in one message, as before', async () => {
    const cp = await booted16Station();
    cp.respond('SendLocalList', { status: 'Accepted' });
    await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: ['U-1', 'U-2', 'U-3'].map((t) => accepted(t)),
      maxEntriesPerMessage: 0,
    });
    expect(cp.requests('SendLocalList').map((r) => r.localAuthorizationList?.length)).toEqual([3]);
    expect(cp.requests('GetConfiguration')).toHaveLength(1);
    await cp.close();
  });

  it('2.0.1: a list refused as too large (CALLERROR) is sent again in halves, and the size taken is learned', async () => {
    // The station states no limit (GetVariables: NotImplemented) and takes 2 entries per message at most.
    const cs = await booted201Station();
    cs.respond('SendLocalList', ({ localAuthorizationList }) => {
      if ((localAuthorizationList?.length ?? 0) > 2)
        throw createRPCError('OccurrenceConstraintViolation', 'too many entries') as Error;
      return { status: 'Accepted' };
    });
    const answer = await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: ['H-1', 'H-2', 'H-3', 'H-4', 'H-5'].map((t) => accepted(t, 'ISO14443')),
      maxEntriesPerMessage: 0,
    });
    expect(answer).toMatchObject({ status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED, version: 3 });
    const sent = () =>
      cs
        .requests('SendLocalList')
        .map((r) => [r.versionNumber, r.updateType, r.localAuthorizationList?.length]);
    // Refused messages changed nothing, so their version is used again.
    expect(sent()).toEqual([
      [1, 'Full', 5],
      [1, 'Full', 3],
      [1, 'Full', 2],
      [2, 'Differential', 1],
      [3, 'Differential', 2],
    ]);
    expect((await client.getLocalList({ stationId: cs.id })).entries).toHaveLength(5);
    await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: ['H-6', 'H-7', 'H-8'].map((t) => accepted(t, 'ISO14443')),
      maxEntriesPerMessage: 0,
    });
    expect(sent().slice(5)).toEqual([
      [4, 'Differential', 2],
      [5, 'Differential', 1],
    ]);
    await cs.close();
  });
});
