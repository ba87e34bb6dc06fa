/**
 * csms.auth.v1.AuthService Get- / ClearCustomerInformation (2.0.1 N09 / N10) against a whole embedded CSMS: real
 * gRPC server and client, real OCPP stations (ocpp-rpc, strict mode). Bad input, unknown and 1.6 stations, a
 * station refusing, reports read back by requestId (parts in seqNo order, incomplete after the wait), the CSMS's
 * own data about the customer, and the local list update of a clear (N10.FR.02) when the station refuses it.
 */
import { Status } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import {
  LocalListStatus,
  S,
  booted16Station,
  booted201Station,
  client,
  csms,
  useAuthApi,
} from '../support/auth-api.js';
import {
  CUSTOMER_CERTIFICATE,
  customerRequestSent,
  localListWith,
  notifyCustomerInformation,
} from '../support/customer-api.js';
import { rejection } from '../support/grpc-rejection.js';
import { addIdToken, at, uniqueId } from '../support/scenario.js';

useAuthApi();

const TOKEN: V201.IdTokenType = { idToken: 'CUST-API-1', type: 'ISO14443' };

describe('GetCustomerInformation / ClearCustomerInformation: bad requests', () => {
  it('INVALID_ARGUMENT for no customer reference, several, and fields beyond the OCPP limits', async () => {
    const none = await rejection(client.getCustomerInformation({ stationId: 'ANY-STATION' }));
    expect(none.code).toBe(Status.INVALID_ARGUMENT);
    expect(none.violations.map((v) => v.field)).toEqual([
      'customer_identifier',
      'id_token',
      'customer_certificate',
    ]);
    const two = await rejection(
      client.clearCustomerInformation({
        stationId: 'ANY-STATION',
        customerIdentifier: 'C-1',
        idToken: TOKEN,
      }),
    );
    expect(two.code).toBe(Status.INVALID_ARGUMENT);
    expect(two.violations).toEqual([
      { field: 'customer_identifier', description: expect.stringContaining('only one of') as string },
      { field: 'id_token', description: expect.stringContaining('only one of') as string },
    ]);
    const bad = await rejection(
      client.getCustomerInformation({
        stationId: 'bad:id',
        idToken: { idToken: '', type: 'Unknown' },
        reportWaitSeconds: 121,
      }),
    );
    expect(bad.violations.map((v) => v.field)).toEqual([
      'station_id',
      'id_token.id_token',
      'id_token.type',
      'report_wait_seconds',
    ]);
    const longs = await rejection(
      client.clearCustomerInformation({
        stationId: 'ANY-STATION',
        customerCertificate: { ...CUSTOMER_CERTIFICATE, hashAlgorithm: 'MD5', serialNumber: 'F'.repeat(41) },
      }),
    );
    expect(longs.violations.map((v) => v.field)).toEqual([
      'customer_certificate.hash_algorithm',
      'customer_certificate.serial_number',
    ]);
    const identifier = await rejection(
      client.getCustomerInformation({ stationId: 'ANY-STATION', customerIdentifier: 'x'.repeat(65) }),
    );
    expect(identifier.violations.map((v) => v.field)).toEqual(['customer_identifier']);
  });

  it('NOT_FOUND for an unknown station, FAILED_PRECONDITION for a 1.6 station (no CustomerInformation)', async () => {
    const unknown = await rejection(
      client.getCustomerInformation({ stationId: uniqueId('NO-SUCH'), idToken: TOKEN }),
    );
    expect(unknown.code).toBe(Status.NOT_FOUND);
    const cp = await booted16Station();
    const v16 = await rejection(client.clearCustomerInformation({ stationId: cp.id, idToken: TOKEN }));
    expect(v16.code).toBe(Status.FAILED_PRECONDITION);
    expect(v16.reason).toBe('OCPP_VERSION_UNSUPPORTED');
    expect(cp.received).toEqual([]);
    await cp.close();
  });
});

describe('GetCustomerInformation', () => {
  it("joins the parts of the request's requestId in seqNo order, ignoring other requests' parts", async () => {
    const cs = await booted201Station();
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const { request, answer } = await customerRequestSent(cs, () =>
      client.getCustomerInformation({ stationId: cs.id, customerIdentifier: 'CUST-ORDER' }),
    );
    const part = (seqNo: number, data: string, requestId: number, tbc = false) =>
      cs.call('NotifyCustomerInformation', { data, seqNo, generatedAt: at(), requestId, tbc });
    // An earlier request's part, then this request's parts out of order.
    await part(0, 'OTHER', request.requestId + 1);
    await part(1, 'second', request.requestId);
    await part(0, 'first ', request.requestId, true);
    const { report } = await answer;
    expect(report).toMatchObject({
      requestId: request.requestId,
      data: 'first second',
      parts: 2,
      complete: true,
    });
    await cs.close();
  });

  it('returns what arrived when report_wait_seconds passes first (complete false)', async () => {
    const cs = await booted201Station();
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const { report } = await client.getCustomerInformation({
      stationId: cs.id,
      idToken: TOKEN,
      reportWaitSeconds: 0,
    });
    expect(report).toMatchObject({ data: '', parts: 0, complete: false });
    await cs.close();
  });

  it("returns the CSMS's id token record and the token's local list entries on every station", async () => {
    const idToken = await addIdToken(csms, 'CUST-DATA', { type: 'eMAID', groupId: 'CUST-GROUP' });
    const token: V201.IdTokenType = { idToken, type: 'eMAID' };
    const [a, b] = [await booted201Station(), await booted201Station()];
    const versionA = await localListWith(a, [token]);
    await localListWith(b, [token, { idToken: `${idToken}-X`, type: 'eMAID' }]);
    a.respond('CustomerInformation', { status: 'Accepted' });
    const { request, answer } = await customerRequestSent(a, () =>
      client.getCustomerInformation({ stationId: a.id, idToken: token }),
    );
    await notifyCustomerInformation(a, request.requestId, ['No data']);
    const { csmsData } = await answer;
    expect(csmsData?.idToken).toMatchObject({
      idToken,
      type: 'eMAID',
      groupId: 'CUST-GROUP',
      status: S.AUTHORIZATION_STATUS_ACCEPTED,
    });
    expect(csmsData?.localListEntries.map((e) => [e.stationId, e.entry?.idToken, e.listVersion])).toEqual(
      [
        [a.id, idToken, versionA],
        [b.id, idToken, 1],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    await Promise.all([a.close(), b.close()]);
  });
});

describe('ClearCustomerInformation', () => {
  it('FAILED_PRECONDITION with the station status when it answers Invalid; the local list stays', async () => {
    const cs = await booted201Station();
    await localListWith(cs, [TOKEN]);
    cs.respond('CustomerInformation', {
      status: 'Invalid',
      statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'no such customer' },
    });
    const failed = await rejection(client.clearCustomerInformation({ stationId: cs.id, idToken: TOKEN }));
    expect(failed.code).toBe(Status.FAILED_PRECONDITION);
    expect(failed.reason).toBe('CUSTOMER_INFORMATION_NOT_ACCEPTED');
    expect(failed.metadata).toMatchObject({
      stationStatus: 'Invalid',
      reasonCode: 'InvalidValue',
      additionalInfo: 'no such customer',
    });
    expect(cs.requests('SendLocalList')).toHaveLength(1);
    expect((await client.getLocalList({ stationId: cs.id })).entries.map((e) => e.idToken)).toEqual([
      TOKEN.idToken,
    ]);
    await cs.close();
  });

  it('reports a refused local list update; the stored list and the id token record stay', async () => {
    const idToken = await addIdToken(csms, 'CUST-FAIL', { type: 'ISO14443' });
    const token: V201.IdTokenType = { idToken, type: 'ISO14443' };
    const cs = await booted201Station();
    const version = await localListWith(cs, [token]);
    cs.respond('CustomerInformation', { status: 'Accepted' }).respond('SendLocalList', { status: 'Failed' });
    const { request, answer } = await customerRequestSent(cs, () =>
      client.clearCustomerInformation({ stationId: cs.id, idToken: token }),
    );
    expect(request).toMatchObject({ report: false, clear: true });
    await notifyCustomerInformation(cs, request.requestId, ['Cleared']);
    const response = await answer;
    expect(response.localListUpdate).toMatchObject({
      status: LocalListStatus.LOCAL_LIST_STATUS_FAILED,
      sentVersion: version + 1,
      version,
      fullUpdateRequired: true,
    });
    expect(response.csmsData?.idToken?.idToken).toBe(idToken);
    expect(response.csmsData?.localListEntries.map((e) => e.stationId)).toEqual([cs.id]);
    expect((await client.getLocalList({ stationId: cs.id })).version).toBe(version);
    await cs.close();
  });

  it('reports a local list update that could not be sent (the station went away after clearing)', async () => {
    const cs = await booted201Station();
    await localListWith(cs, [TOKEN]);
    // The station closes its connection instead of answering the SendLocalList.
    cs.respond('CustomerInformation', { status: 'Accepted' }).respond('SendLocalList', async () => {
      await cs.close();
      return { status: 'Accepted' };
    });
    const { request, answer } = await customerRequestSent(cs, () =>
      client.clearCustomerInformation({ stationId: cs.id, idToken: TOKEN, report: true }),
    );
    await notifyCustomerInformation(cs, request.requestId, ['Cleared']);
    const response = await answer;
    expect(response.report?.complete).toBe(true);
    expect(cs.requests('SendLocalList')).toHaveLength(2);
    expect(response.localListUpdate).toBeUndefined();
    expect(response.localListError).toMatch(/^STATION_(OFFLINE|DISCONNECTED): /);
  });
});
