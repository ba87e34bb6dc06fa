/**
 * OCPP 2.0.1 Part 6 §3.15 (N Diagnostics), customer information from the CSMS's side, driven through the CSMS's
 * own API (AuthService Get- / ClearCustomerInformation, the OCTT's "manual action: trigger the CSMS"): the CSMS
 * chooses the requestId, sends CustomerInformationRequest (N09 / N10), answers the station's
 * NotifyCustomerInformation parts and, on a clear of a token on the station's local list, updates that list
 * (TC_N_46_CSMS, N10.FR.02). The station is a real ocpp-rpc client in strict mode.
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { S, booted201Station, client, csms, useAuthApi } from '../support/auth-api.js';
import {
  CUSTOMER_CERTIFICATE,
  customerRequestSent,
  localListWith,
  notifyCustomerInformation,
} from '../support/customer-api.js';
import { rejection } from '../support/grpc-rejection.js';
import { addIdToken } from '../support/scenario.js';
import { Status } from '@csms/grpc';

useAuthApi();

/** Memory State: <Configured valid_idtoken_idtoken> / <Configured valid_idtoken_type> known to the CSMS. */
async function configuredIdToken(): Promise<V201.IdTokenType> {
  return { idToken: await addIdToken(csms, 'N-CUST', { type: 'ISO14443' }), type: 'ISO14443' };
}

describe('TC_N_27_CSMS: Get Customer Information - Accepted + data', () => {
  it('sends CustomerInformationRequest report=true with the idToken and answers each report part', async () => {
    const cs = await booted201Station();
    const idToken = await configuredIdToken();
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const { request, answer } = await customerRequestSent(cs, () =>
      client.getCustomerInformation({ stationId: cs.id, idToken }),
    );
    // Step 1: report true, clear false (N09.FR.01), the idToken only (N09.FR.04).
    expect(request).toEqual({ requestId: expect.any(Number) as number, report: true, clear: false, idToken });
    // Steps 3-4 (repeated while tbc).
    await notifyCustomerInformation(cs, request.requestId, ['authorization cache: ', 'Accepted until 2030']);
    const response = await answer;
    expect(response.report).toMatchObject({
      requestId: request.requestId,
      data: 'authorization cache: Accepted until 2030',
      parts: 2,
      complete: true,
    });
    expect(response.csmsData?.idToken).toMatchObject({ idToken: idToken.idToken, type: 'ISO14443' });
    await cs.close();
  });
});

describe('TC_N_28_CSMS: Get Customer Information - Accepted + no data', () => {
  it('answers the one NotifyCustomerInformation saying no data was found', async () => {
    const cs = await booted201Station();
    const idToken = await configuredIdToken();
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const { request, answer } = await customerRequestSent(cs, () =>
      client.getCustomerInformation({ stationId: cs.id, idToken }),
    );
    expect(request).toEqual({ requestId: expect.any(Number) as number, report: true, clear: false, idToken });
    await notifyCustomerInformation(cs, request.requestId, ['No data found']);
    expect((await answer).report).toMatchObject({ data: 'No data found', parts: 1, complete: true });
    await cs.close();
  });
});

describe('TC_N_29_CSMS: Get Customer Information - Not Accepted', () => {
  it('sends CustomerInformationRequest report=true and reports the station rejecting it', async () => {
    const cs = await booted201Station();
    const idToken = await configuredIdToken();
    cs.respond('CustomerInformation', { status: 'Rejected' });
    const failed = await rejection(client.getCustomerInformation({ stationId: cs.id, idToken }));
    expect(cs.requests('CustomerInformation')).toEqual([
      { requestId: expect.any(Number) as number, report: true, clear: false, idToken },
    ]);
    expect(failed.code).toBe(Status.FAILED_PRECONDITION);
    expect(failed.reason).toBe('CUSTOMER_INFORMATION_NOT_ACCEPTED');
    expect(failed.metadata).toMatchObject({ stationId: cs.id, stationStatus: 'Rejected' });
    await cs.close();
  });
});

/** A clear (N10) of `customer` on a fresh station that answers Accepted and reports `parts`. */
async function clearWithReport(
  customer: Parameters<typeof client.clearCustomerInformation>[0],
  parts: readonly string[],
  report = true,
) {
  const cs = await booted201Station();
  cs.respond('CustomerInformation', { status: 'Accepted' });
  const { request, answer } = await customerRequestSent(cs, () =>
    client.clearCustomerInformation({ ...customer, stationId: cs.id, report }),
  );
  await notifyCustomerInformation(cs, request.requestId, parts);
  const response = await answer;
  expect(cs.requests('SendLocalList')).toEqual([]);
  await cs.close();
  return { request, response };
}

describe('TC_N_30_CSMS: Clear Customer Information - Clear and report + data', () => {
  it('sends CustomerInformationRequest report=true clear=true with the idToken and answers the report', async () => {
    const idToken = await configuredIdToken();
    const { request, response } = await clearWithReport({ idToken }, [
      'cleared: cache entry, 2 transactions',
    ]);
    expect(request).toEqual({ requestId: expect.any(Number) as number, report: true, clear: true, idToken });
    expect(response.report).toMatchObject({ data: 'cleared: cache entry, 2 transactions', complete: true });
    // The CSMS keeps its own id token record (see ClearCustomerInformationResponse.csms_data).
    expect(response.csmsData?.idToken?.status).toBe(S.AUTHORIZATION_STATUS_ACCEPTED);
  });
});

describe('TC_N_31_CSMS: Clear Customer Information - Clear and report + no data', () => {
  it('sends CustomerInformationRequest report=true clear=true and answers the empty report', async () => {
    const idToken = await configuredIdToken();
    const { request, response } = await clearWithReport({ idToken }, ['No data found']);
    expect(request).toEqual({ requestId: expect.any(Number) as number, report: true, clear: true, idToken });
    expect(response.report).toMatchObject({ data: 'No data found', parts: 1, complete: true });
  });
});

describe('TC_N_32_CSMS: Clear Customer Information - Clear and no report', () => {
  it('sends CustomerInformationRequest report=false clear=true and answers the notification', async () => {
    const idToken = await configuredIdToken();
    const { request, response } = await clearWithReport({ idToken }, ['Data cleared'], false);
    expect(request).toEqual({ requestId: expect.any(Number) as number, report: false, clear: true, idToken });
    expect(response.report).toMatchObject({ data: 'Data cleared', complete: true });
  });
});

describe('TC_N_62_CSMS: Clear Customer Information - Clear and report - customerIdentifier', () => {
  it('sends CustomerInformationRequest report=true clear=true customerIdentifier "OpenChargeAlliance"', async () => {
    const customerIdentifier = 'OpenChargeAlliance';
    const { request, response } = await clearWithReport({ customerIdentifier }, ['customer cleared']);
    expect(request).toEqual({
      requestId: expect.any(Number) as number,
      report: true,
      clear: true,
      customerIdentifier,
    });
    expect(response.report?.data).toBe('customer cleared');
    expect(response.csmsData).toEqual({ idToken: undefined, localListEntries: [] });
  });
});

describe('TC_N_63_CSMS: Clear Customer Information - Clear and report - customerCertificate', () => {
  it('sends CustomerInformationRequest report=true clear=true with the certificate hash data', async () => {
    const { request, response } = await clearWithReport({ customerCertificate: CUSTOMER_CERTIFICATE }, [
      'contract certificate removed',
    ]);
    expect(request).toEqual({
      requestId: expect.any(Number) as number,
      report: true,
      clear: true,
      customerCertificate: CUSTOMER_CERTIFICATE,
    });
    expect(response.report?.complete).toBe(true);
  });
});

describe('TC_N_46_CSMS: Clear Customer Information - Update Local Authorization List', () => {
  it('after the report, sends SendLocalList Differential, version + 1, with only the idToken, no idTokenInfo', async () => {
    const cs = await booted201Station();
    const idToken = await configuredIdToken();
    const other: V201.IdTokenType = { idToken: `${idToken.idToken}-KEEP`, type: 'ISO14443' };
    // Memory State: a local authorization list with <Configured valid_idtoken_idtoken> is configured.
    const configured = await localListWith(cs, [idToken, other]);
    cs.respond('CustomerInformation', { status: 'Accepted' });
    const { request, answer } = await customerRequestSent(cs, () =>
      client.clearCustomerInformation({ stationId: cs.id, idToken, report: true }),
    );
    expect(request).toEqual({ requestId: expect.any(Number) as number, report: true, clear: true, idToken });
    // Steps 3-4; the list is updated only after them (step 5).
    expect(cs.requests('SendLocalList')).toHaveLength(1);
    await notifyCustomerInformation(cs, request.requestId, ['cleared: cache entry']);
    const response = await answer;
    const sent = cs.requests('SendLocalList');
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual({
      versionNumber: configured + 1,
      updateType: 'Differential',
      localAuthorizationList: [{ idToken }],
    });
    expect(cs.received.map((c) => c.action).slice(-2)).toEqual(['CustomerInformation', 'SendLocalList']);
    expect(response.localListUpdate).toMatchObject({ sentVersion: configured + 1, version: configured + 1 });
    expect(response.localListError).toBe('');
    const stored = await client.getLocalList({ stationId: cs.id });
    expect(stored.version).toBe(configured + 1);
    expect(stored.entries.map((e) => e.idToken)).toEqual([other.idToken]);
    expect(response.csmsData?.localListEntries).toEqual([]);
    await cs.close();
  });
});
